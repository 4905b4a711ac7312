"""Benchmark: scale-out crawl throughput with 1, 2 and 3 workers on one Redis frontier.

    .venv/bin/python benchmarks/cluster.py [--pages 600] [--workers 1 2 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--redis-url redis://127.0.0.1:6379/0]

For each worker count: a fresh PostgreSQL schema and Redis key prefix, the generated site of
benchmarks/synthetic_site.py served on 127.0.0.1, N `python -m crawler --worker` processes started and
warmed up, then one seeding (`newsmon crawl --wait` semantics) timed from seeding to a drained frontier.
Reports stored pages and pages/s. All traffic stays on this machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.crawl import start_server  # noqa: E402
from benchmarks.synthetic_site import sources  # noqa: E402
from pipeline.config import load_config, to_toml  # noqa: E402
from pipeline.frontier import SETTLE_SECONDS, seed_crawl, worker_command  # noqa: E402
from storage.db import open_database  # noqa: E402

WARM_UP_SECONDS = 8.0  # workers import Scrapy and start their extraction processes before the clock starts


def write_config(folder: Path, base_url: str, database_url: str, redis_url: str, prefix: str) -> Path:
    config = {
        "database_url": database_url,
        "crawl": {"download_delay": 0.0, "autothrottle": False, "concurrent_requests_per_domain": 16},
        "cluster": {"redis_url": redis_url, "key_prefix": prefix},
        "sources": sources(base_url),
    }
    path = folder / "cluster.toml"
    path.write_text(to_toml(config), encoding="utf-8")
    return path


def fresh_schema(admin_url: str) -> str:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema


def drop_schema(admin_url: str, schema: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def run(workers: int, base_url: str, admin_url: str, redis_url: str) -> tuple[int, float]:
    schema = fresh_schema(admin_url)
    prefix = f"newsmon-bench-{uuid.uuid4().hex[:8]}"
    database_url = f"{admin_url}?options=-csearch_path%3D{schema}"
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(Path(folder), base_url, database_url, redis_url, prefix)
        settings = load_config(config).settings
        engine = open_database(database_url)
        children = [subprocess.Popen(worker_command(config, log_level="WARNING"), start_new_session=True)
                    for _ in range(workers)]
        try:
            time.sleep(WARM_UP_SECONDS)
            started = time.perf_counter()
            outcome = seed_crawl(engine, settings, [], wait=True, timeout=1800)
            seconds = time.perf_counter() - started - SETTLE_SECONDS  # the wait for a quiet frontier is not crawling
            assert outcome.run is not None
            stored = sum(f.stored for f in outcome.run.figures.values())
        finally:
            for child in children:
                os.killpg(child.pid, signal.SIGTERM)
            for child in children:
                child.wait()
            engine.dispose()
            drop_schema(admin_url, schema)
    return stored, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    server = start_server(args.pages, seed=1)
    try:
        print(f"site: {args.pages} article pages at {server.base_url}; {os.cpu_count()} CPU cores")
        for count in args.workers:
            stored, seconds = run(count, server.base_url, args.database_url, args.redis_url)
            print(f"{count} worker(s): {stored} pages stored in {seconds:.1f}s = {stored / seconds:.1f} pages/s")
    finally:
        server.process.terminate()
        server.process.wait()


if __name__ == "__main__":
    main()
