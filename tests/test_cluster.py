"""Scale-out on the machine's real PostgreSQL and Redis: three crawl workers on one frontier."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from demo.config import demo_config
from pipeline.config import load_config
from pipeline.frontier import Frontier, FrontierKeys, seed_crawl, worker_command
from storage.db import open_database
from storage.models import Article
from tests.generated_site import GeneratedSite

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
PAGES = 240
FEEDS = 4
WORKERS = 3


def cluster_config(site: GeneratedSite, tmp_path: Path, pg_url: str, redis_url: str, prefix: str) -> Path:
    manifest = {
        "outlets": [
            {"name": f"Outlet {i}", "sources": [{"kind": "rss", "path": path, "children": []}]}
            for i, path in enumerate(site.feed_paths())
        ]
    }
    text = demo_config(manifest, site.base_url, pg_url, concurrent_requests_per_domain=4, download_timeout=10)
    text += f'\n[cluster]\nredis_url = "{redis_url}"\nkey_prefix = "{prefix}"\n'
    path = tmp_path / "cluster.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start_workers(config: Path, count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(worker_command(config, idle_exit=0, log_level="WARNING"), start_new_session=True)
        for _ in range(count)
    ]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def article_count(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Article))


def test_three_workers_store_everything_once(tmp_path: Path, pg_url: str, redis_url: str, redis_prefix: str) -> None:
    site = GeneratedSite(pages=PAGES, feeds=FEEDS)
    with site.running():
        config = cluster_config(site, tmp_path, pg_url, redis_url, redis_prefix)
        settings = load_config(config).settings
        engine = open_database(pg_url)
        workers = start_workers(config, WORKERS)
        try:
            first = seed_crawl(engine, settings, [], wait=True, timeout=300)
            assert first.run is not None and first.run.status == "finished"
            assert article_count(engine) == PAGES
            articles = Counter(path for path in site.requested if path.startswith("/a/"))
            assert len(articles) == PAGES and set(articles.values()) == {1}, "each page requested once by all workers"
            assert sum(f.stored for f in first.run.figures.values()) == PAGES
            links = sum(f.links_found for f in first.run.figures.values())
            assert PAGES <= links <= 2 * PAGES  # each article is listed by two feeds, read by one or two workers

            site.forget_requests()
            second = seed_crawl(engine, settings, [], wait=True, timeout=300)
            assert second.run is not None and sum(f.stored for f in second.run.figures.values()) == 0
            assert not [path for path in site.requested if path.startswith("/a/")]
            assert article_count(engine) == PAGES
            with engine.connect() as connection:
                assert connection.scalar(select(func.count(func.distinct(Article.url)))) == PAGES
        finally:
            stop(workers)
            engine.dispose()


def test_a_killed_worker_loses_only_its_in_flight_pages(
    tmp_path: Path, pg_url: str, redis_url: str, redis_prefix: str
) -> None:
    site = GeneratedSite(pages=PAGES, feeds=FEEDS, hold_after=PAGES // 3)
    with site.running():
        config = cluster_config(site, tmp_path, pg_url, redis_url, redis_prefix)
        settings = load_config(config).settings
        engine = open_database(pg_url)
        workers = start_workers(config, WORKERS)
        try:
            seed_crawl(engine, settings, [], wait=False)
            deadline = time.monotonic() + 120
            while article_count(engine) < 10:  # wait until the crawl is under way, with pages held back
                assert time.monotonic() < deadline
                time.sleep(0.2)
            os.killpg(workers[0].pid, signal.SIGKILL)
            site.release()
            frontier = Frontier(redis_url, redis_prefix)
            assert frontier.wait_until_drained(timeout=300)
            frontier.close()
            again = seed_crawl(engine, settings, [], wait=True, timeout=300)
            assert again.run is not None and again.run.status == "finished"
            assert article_count(engine) == PAGES, "the next seeding fetched what the killed worker had in flight"
        finally:
            stop(workers)
            engine.dispose()


def test_a_run_nobody_waited_for_is_closed_by_the_next_seeding(tmp_path: Path, pg_url: str, redis_url: str, redis_prefix: str) -> None:
    import redis

    from pipeline.errors import CrawlLocked
    from storage.runs import load_run

    site = GeneratedSite(pages=2, feeds=1)
    with site.running():  # nobody crawls it: only its feed's address is seeded
        settings = load_config(cluster_config(site, tmp_path, pg_url, redis_url, redis_prefix)).settings
    engine = open_database(pg_url)
    client = redis.Redis.from_url(redis_url)
    try:
        first = seed_crawl(engine, settings, [], wait=False)
        assert first.seeded == 1 and load_run(engine, first.run_id).status == "running"
        with pytest.raises(CrawlLocked, match=f"crawl run {first.run_id} is still being crawled"):
            seed_crawl(engine, settings, [], wait=False)  # its seed still waits for a worker
        keys = FrontierKeys(redis_prefix)
        client.delete(keys.seeds)  # as if a worker had taken the seed, and queued its links a moment later:
        threading.Timer(1.0, client.zadd, args=(keys.requests, {b"a request": 0})).start()
        with pytest.raises(CrawlLocked, match="still being crawled"):  # a frontier empty for a moment is not drained
            seed_crawl(engine, settings, [], wait=False)
        client.delete(keys.requests)  # as if the workers had crawled them
        client.hincrby(keys.figures(first.run_id), "Outlet 0\tstored", 2)
        second = seed_crawl(engine, settings, [], wait=False)
        closed = load_run(engine, first.run_id)
        assert closed.status == "finished" and closed.figures["Outlet 0"].stored == 2
        assert load_run(engine, second.run_id).status == "running"
    finally:
        client.close()
        engine.dispose()
