"""Workers ride out short outages of the database and of Redis."""

from __future__ import annotations

import asyncio
import logging
import threading
from types import SimpleNamespace

import pytest
import redis
from sqlalchemy.exc import OperationalError

from crawler.archive import Archive
from crawler.distributed import retry_redis


class Flaky:
    """Fails ``failures`` times with ``error``, then returns "ok"."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self, *args: object) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


def test_archive_retries_while_the_database_is_down(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    from storage.db import open_database

    archive = Archive(open_database(sqlite_url))
    flaky = Flaky(2, OperationalError("SELECT 1", {}, Exception("connection refused")))
    with caplog.at_level(logging.WARNING):
        assert asyncio.run(archive._run(flaky)) == "ok"
    archive.close()
    assert flaky.calls == 3
    assert sum("database unreachable (connection refused)" in r.message for r in caplog.records) == 2


def test_archive_writes_in_its_own_thread_off_the_event_loop(sqlite_url: str) -> None:
    from storage.db import open_database

    archive = Archive(open_database(sqlite_url))
    threads: list[threading.Thread] = []

    def record_thread(_engine: object) -> str:
        threads.append(threading.current_thread())
        return "ok"

    assert asyncio.run(archive._run(record_thread)) == "ok"
    archive.close()
    assert threads[0] is not threading.main_thread() and threads[0].name.startswith("newsmon-db")


def test_archive_retries_a_database_error_without_a_message(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    from storage.db import open_database

    archive = Archive(open_database(sqlite_url))
    with caplog.at_level(logging.WARNING):
        assert asyncio.run(archive._run(Flaky(1, OperationalError("SELECT 1", {}, ConnectionResetError())))) == "ok"
    archive.close()
    assert any("database unreachable (ConnectionResetError)" in r.message for r in caplog.records)


def test_archive_gives_up_after_its_retry_window(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.db import open_database

    monkeypatch.setattr("crawler.archive.DATABASE_RETRY_SECONDS", 0.5)
    archive = Archive(open_database(sqlite_url))
    with pytest.raises(OperationalError):
        asyncio.run(archive._run(Flaky(99, OperationalError("SELECT 1", {}, Exception("down")))))
    archive.close()


def test_redis_calls_retry_while_redis_is_down(caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky(1, redis.ConnectionError("Connection refused"))
    with caplog.at_level(logging.WARNING):
        assert retry_redis("dequeue", flaky) == "ok"
    assert "Redis unreachable during dequeue (Connection refused); retrying in 1s" in caplog.text


class _Counts:
    def count(self, *args: object) -> None:
        pass


def test_a_worker_forgets_the_links_of_earlier_runs_at_the_first_listing_of_a_new_run() -> None:
    """Whichever worker reads a new run's listing, not only the one that popped its seed."""
    from scrapy import Request
    from scrapy.http import Response

    from crawler.distributed import RUN, WorkerSpider
    from crawler.spiders.news import KIND, SOURCE
    from pipeline.config import load_config

    spider = WorkerSpider()
    spider.config = load_config(env={}).settings
    spider.figures = _Counts()  # type: ignore[assignment]
    source = spider.config.sources[0].name

    def unchanged_listing(meta: dict[str, object]) -> Response:  # a 304: read, nothing new
        return Response("https://feeds.example.org/a.xml", status=304, request=Request("https://feeds.example.org/a.xml", meta=meta))

    async def read(response: Response) -> None:
        async for _ in spider.parse_listing(response):
            pass

    asyncio.run(read(unchanged_listing({SOURCE: source, KIND: "feed", RUN: 1})))
    spider._requested.add("https://news.example.org/run-1-page")  # queued in run 1
    asyncio.run(read(unchanged_listing({SOURCE: source, KIND: "feed", RUN: 1})))
    assert spider._requested  # still run 1: kept
    asyncio.run(read(unchanged_listing({SOURCE: source, KIND: "feed"})))  # a sitemap index's child
    assert spider._requested
    asyncio.run(read(unchanged_listing({SOURCE: source, KIND: "feed", RUN: 2})))
    assert not spider._requested


def test_an_unreachable_frontier_is_named_without_its_password() -> None:
    from pipeline.frontier import Frontier, FrontierUnavailable

    frontier = Frontier("redis://:s3cret@127.0.0.1:9/0", "newsmon-test")
    with pytest.raises(FrontierUnavailable) as error:
        frontier.state()
    frontier.close()
    assert "s3cret" not in str(error.value) and "redis://:***@127.0.0.1:9/0" in str(error.value)


@pytest.mark.redis
def test_a_long_lived_worker_reports_each_runs_errors_to_that_run(redis_url: str, redis_prefix: str) -> None:
    """Errors are capped per source in the worker's stats; a new run starts its list afresh."""
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawler.distributed import WorkerStatus
    from crawler.figures import MAX_ERRORS_PER_SOURCE, CrawlFigures
    from pipeline.frontier import Frontier

    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url, "NEWSMON_FRONTIER_PREFIX": redis_prefix})
    crawler.stats = MemoryStatsCollector(crawler)
    status, figures, frontier = WorkerStatus(crawler), CrawlFigures(crawler), Frontier(redis_url, redis_prefix)
    try:
        for run in (1, 2):
            frontier.redis.set(frontier.keys.generation, run)
            for n in range(MAX_ERRORS_PER_SOURCE + 5):
                figures.fail("Dead", f"run {run} error {n}")
            status.push_figures()
            reported = frontier.figures(run)["Dead"]
            assert reported.failed == MAX_ERRORS_PER_SOURCE + 5
            assert reported.errors == [f"run {run} error {n}" for n in range(MAX_ERRORS_PER_SOURCE)]
    finally:
        status.server.close()
        frontier.close()


@pytest.mark.redis
def test_the_busy_flag_costs_one_redis_call_a_second_and_follows_an_idle_report(redis_url: str, redis_prefix: str) -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawler.distributed import WorkerStatus

    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url, "NEWSMON_FRONTIER_PREFIX": redis_prefix})
    crawler.stats = MemoryStatsCollector(crawler)
    crawler.engine = SimpleNamespace(spider_is_idle=lambda: True)  # type: ignore[assignment]
    status = WorkerStatus(crawler)
    busy = status.keys.busy(status.worker)
    try:
        for _ in range(100):
            status.scheduled()
        assert status.server.exists(busy) and status.server.ttl(busy) > 0
        status.server.delete(busy)
        status.scheduled()
        assert not status.server.exists(busy)  # within the second: not set again
        status.report()  # the worker is idle: the flag goes, and the next request sets it at once
        status.scheduled()
        assert status.server.exists(busy)
    finally:
        status.server.delete(busy)
        status.server.close()
