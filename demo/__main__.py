"""``make demo`` (``python -m demo``): the whole pipeline, offline, on the bundled sample site.

Serves the sample site on 127.0.0.1, writes a config pointing at it, and runs the same ``newsmon``
commands a user would: crawl, stats, search, retag. Everything lands in ``demo-output/``.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from demo.config import demo_config
from demo.server import SampleSite

NEWSMON = Path(sys.executable).with_name("newsmon")


def step(title: str, *args: str, config: Path) -> None:
    """Run one newsmon command as a user would, showing the command first; stop the demo if it fails."""
    command = [str(NEWSMON), "--config", str(config), *args]
    print(f"\n=== {title}\n$ newsmon --config {config} {shlex.join(args)}", flush=True)
    completed = subprocess.run(command, check=False)
    if completed.returncode != 0:
        sys.exit(f"demo failed: `newsmon {shlex.join(args)}` exited with status {completed.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-output"), help="where the demo writes its files")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    database = out / "newsmon.db"
    for stale in out.glob("newsmon.db*"):
        stale.unlink()
    with SampleSite() as site:
        config = out / "newsmon.toml"
        config.write_text(demo_config(site.manifest, site.base_url, f"sqlite:///{database}"), encoding="utf-8")
        print(f"sample site served at {site.base_url} ({len(site.manifest['articles'])} article pages, "
              f"{len(site.manifest['outlets'])} outlets); config written to {config}")
        step("Crawl the sample site's feeds and sitemaps", "crawl", config=config)
        step("A second crawl: only feeds and sitemaps are fetched again", "crawl", config=config)
        step("What the archive holds", "stats", config=config)
        step("Search the archive", "search", "gigafactory", config=config)
        step("Articles tagged Stargate (the TV-series story is not among them)", "search", "--tag", "Stargate",
             config=config)
        step("One row per story: the syndicated copy is listed under its original", "search", "gigafactories",
             "--collapse", config=config)
        step("Preview the morning digest (nothing is sent)", "digest", "--dry-run", "--out", str(out / "digest"),
             config=config)
    print(f"\nDone. The archive is {database}; the digest preview is in {out / 'digest'}.")
    print(f"Try: .venv/bin/newsmon --config {config} search 'AI Act'")


if __name__ == "__main__":
    main()
