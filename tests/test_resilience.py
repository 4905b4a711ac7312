"""Workers ride out short outages of the database and of Redis."""

from __future__ import annotations

import asyncio
import logging

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
