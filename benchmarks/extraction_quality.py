"""Benchmark: article-body quality and speed of newsmon's extraction against plain trafilatura.

    .venv/bin/python benchmarks/extraction_quality.py ../shared/data/extraction-dev [--rounds 3] [--worst 10]

DATASET_DIR holds ``ground-truth.json`` (``{"<id>": {"articleBody": ..., "url": ...}}``) and
``html/<id>.html.gz``: the layout of the Zyte article-extraction benchmark, whose README defines
the metric implemented here. Per page, both texts are split into ``\\w+`` tokens and turned into
multisets of 4-token shingles; precision is TP/(TP+FP) averaged over pages with a non-empty
extraction, recall TP/(TP+FN) averaged over pages with a non-empty expected body, F1 their
harmonic mean (a page where both are empty scores 1 for both).

newsmon runs through ``pipeline.extract_command.extract_page``, the code path of ``newsmon extract``
and of the crawler, with the crawler's default options (a page it rejects counts as an empty
extraction); plain trafilatura is ``trafilatura.extract`` with its defaults. Both get the page's
bytes and its URL, in the same run; the pages are read and gunzipped before any timing. Speed is
the best of ``--rounds`` passes over every page, the two extractors taking turns page by page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from pipeline.extract import ExtractionOptions
from pipeline.extract_command import extract_page

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    url: str
    body: bytes  # the HTML as fetched, gunzipped
    expected: str


@dataclass(frozen=True, slots=True)
class PageScore:
    precision: float | None  # None: nothing extracted (the page is left out of the mean)
    recall: float | None  # None: nothing expected


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    f1: float
    precision: float
    recall: float
    seconds: float  # best pass over every page
    pages: int
    scores: dict[str, PageScore]


# --- the metric --------------------------------------------------------------------------------


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of 4-token shingles; fewer than four tokens make one shingle, none make none."""
    tokens = _TOKEN.findall(text)
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def score_page(extracted: str, expected: str) -> PageScore:
    """Precision and recall of one page (normalizing TP, FP, FN by their sum changes neither)."""
    predicted, truth = shingles(extracted), shingles(expected)
    if not predicted and not truth:
        return PageScore(1.0, 1.0)
    true_positives = sum((predicted & truth).values())
    return PageScore(
        true_positives / predicted.total() if predicted else None,
        true_positives / truth.total() if truth else None,
    )


def summarize(scores: Sequence[PageScore]) -> tuple[float, float, float]:
    """F1, precision and recall over pages, each page weighing the same."""
    precisions = [score.precision for score in scores if score.precision is not None]
    recalls = [score.recall for score in scores if score.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    return _f1(precision, recall), precision, recall


# --- the extractors ----------------------------------------------------------------------------

Extractor = Callable[[Page], str]
NEWSMON_OPTIONS = ExtractionOptions()  # the crawler's defaults (crawl.min_text_chars = 400)


def newsmon(page: Page) -> str:
    record = extract_page(page.body, page.id, page.url, NEWSMON_OPTIONS)
    return str(record.get("text", ""))


def plain_trafilatura(page: Page) -> str:
    return trafilatura.extract(page.body, url=page.url) or ""


EXTRACTORS: dict[str, Extractor] = {"newsmon": newsmon, "trafilatura": plain_trafilatura}


# --- the run -----------------------------------------------------------------------------------


def load_pages(dataset: Path) -> list[Page]:
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(id, entry["url"], gzip.decompress((dataset / "html" / f"{id}.html.gz").read_bytes()), entry["articleBody"])
        for id, entry in sorted(truth.items())
    ]


def run(pages: Sequence[Page], rounds: int) -> list[Result]:
    """Every extractor over every page, ``rounds`` times; the fastest round of each counts.

    The extractors take turns page by page, alternating which goes first, so that whatever else
    the machine is doing slows both alike."""
    seconds = {name: [0.0] * rounds for name in EXTRACTORS}
    texts: dict[str, list[str]] = {name: [] for name in EXTRACTORS}
    for extractor in EXTRACTORS.values():
        extractor(pages[0])  # warm-up: lazy imports and caches are not per-page work
    turns = list(EXTRACTORS.items())
    for round_ in range(rounds):
        for index, page in enumerate(pages):
            for name, extractor in turns if (round_ + index) % 2 == 0 else turns[::-1]:
                started = time.perf_counter()
                text = extractor(page)
                seconds[name][round_] += time.perf_counter() - started
                if round_ == 0:
                    texts[name].append(text)
    return [_result(name, pages, texts[name], min(seconds[name])) for name in EXTRACTORS]


def _result(name: str, pages: Sequence[Page], texts: Sequence[str], seconds: float) -> Result:
    scores = {page.id: score_page(text, page.expected) for page, text in zip(pages, texts)}
    f1, precision, recall = summarize(list(scores.values()))
    return Result(name, f1, precision, recall, seconds, len(pages), scores)


def report(results: Sequence[Result], worst: int) -> str:
    lines = [f"{'extractor':<12} {'F1':>6} {'precision':>9} {'recall':>6} {'pages/s':>8} {'ms/page':>8}"]
    for r in results:
        lines.append(
            f"{r.name:<12} {r.f1:6.4f} {r.precision:9.4f} {r.recall:6.4f}"
            f" {r.pages / r.seconds:8.1f} {1000 * r.seconds / r.pages:8.1f}"
        )
    base, *others = results[::-1]
    lines += [f"{r.name} time per page: {r.seconds / base.seconds:.2f}x {base.name}'s" for r in others]
    if worst:
        lines += ["", f"{results[0].name}'s {worst} lowest-F1 pages (precision, recall):"]
        lines += [f"  {id}  {p:.3f}  {rc:.3f}" for id, p, rc in _worst(results[0], worst)]
    return "\n".join(lines)


def _worst(result: Result, count: int) -> list[tuple[str, float, float]]:
    rows = [(id, s.precision or 0.0, s.recall or 0.0) for id, s in result.scores.items()]
    return sorted(rows, key=lambda row: _f1(row[1], row[2]))[:count]


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    parser.add_argument("--rounds", type=int, default=3, help="passes per extractor; the fastest counts")
    parser.add_argument("--worst", type=int, default=0, help="also list newsmon's N lowest-F1 pages")
    args = parser.parse_args(argv)
    if not (args.dataset / "ground-truth.json").is_file():
        sys.exit(f"{args.dataset}: no ground-truth.json here; give the dataset's folder")
    pages = load_pages(args.dataset)
    print(f"{len(pages)} pages from {args.dataset}, best of {args.rounds} rounds")
    print(report(run(pages, args.rounds), args.worst))


if __name__ == "__main__":
    main()
