"""Benchmark: `newsmon retag` over an archive of synthetic articles.

    .venv/bin/python benchmarks/retag.py [--articles 100000] [--database-url sqlite:////tmp/retag.db]

Fills a fresh archive with synthetic articles (about 2,000 characters each; some mention topic
keywords, with and without their context words), then times a first retag (every tag is new) and a
second one (nothing changes), with the bundled default topics.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from pipeline.config import load_config
from pipeline.retag import retag_archive
from pipeline.tagging import Tagger
from storage.articles import content_hash
from storage.db import open_database
from storage.models import Article

FILLER = (
    "the commission said on tuesday that member states would review the proposal before the summer "
    "while industry groups asked for more time and clearer guidance on how the rules apply in practice "
    "analysts expect further talks in brussels next month as ministers weigh costs and benefits"
).split()
PHRASES = [
    "Brussels selected five AI gigafactories for its InvestAI plan.",
    "Tesla's gigafactory near Berlin added a shift for battery production.",
    "OpenAI and SoftBank expanded the Stargate data centre in Abilene.",
    "The new Stargate series reboot starts filming next year.",
    "The AI Act obligations for general-purpose AI models apply from August under Regulation (EU) 2024/1689.",
    "EuroHPC selected new AI factories at supercomputing centres.",
]


def synthetic_text(rng: random.Random) -> str:
    words = [rng.choice(FILLER) for _ in range(300)]
    text = " ".join(words).capitalize() + "."
    if rng.random() < 0.3:
        position = rng.randrange(len(text))
        text = text[:position] + " " + rng.choice(PHRASES) + " " + text[position:]
    return text


def fill(url: str, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    engine = open_database(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch: list[dict[str, object]] = []
    with engine.begin() as connection:
        for n in range(count):
            text = synthetic_text(rng)
            batch.append({
                "url": f"https://bench.example/{n}", "source": f"Source {n % 20}", "title": f"Story {n}",
                "authors": [], "published_at": start + timedelta(minutes=n), "fetched_at": start,
                "language": "en", "text": text, "content_hash": content_hash(text),
            })
            if len(batch) == 5000:
                connection.execute(insert(Article), batch)
                batch = []
        if batch:
            connection.execute(insert(Article), batch)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'retag.db'}"
        started = time.perf_counter()
        fill(url, args.articles)
        print(f"filled {args.articles} articles in {time.perf_counter() - started:.1f}s ({url.split('://')[0]})")
        tagger = Tagger(load_config(env={}).settings.topics)
        engine = open_database(url)
        for label in ("first retag (all tags new)", "second retag (no change)"):
            started = time.perf_counter()
            result = retag_archive(engine, tagger)
            seconds = time.perf_counter() - started
            print(
                f"{label}: {result.articles} articles in {seconds:.1f}s "
                f"({result.articles / seconds:,.0f} articles/s); "
                f"+{result.added} -{result.removed} ~{result.updated}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
