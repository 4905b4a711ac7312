"""Which work must never overlap, and what the process that loses the race is told.

A crawl is never started while another is running, whoever started either (the scheduler or someone at
a terminal, on this machine or, with PostgreSQL, another). :func:`crawl_lock` decides; how the lock is
held (a file lock beside a SQLite database, an advisory lock on PostgreSQL) is storage's business, see
``storage/locks.py``. The loser gets :class:`~pipeline.errors.CrawlLocked` naming the holder.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from pipeline.errors import CrawlLocked
from storage.locks import LockHolder, LockTaken, acquire_lock

CRAWL_LOCK = "crawl"


@contextmanager
def crawl_lock(engine: Engine) -> Iterator[None]:
    """Hold the crawl lock for the ``with`` block; CrawlLocked at once if another crawl holds it."""
    try:
        lock = acquire_lock(engine, CRAWL_LOCK)
    except LockTaken as exc:
        raise CrawlLocked(
            f"another crawl is running ({describe_holder(exc.holder)}); try again when it has finished"
        ) from None
    with lock:
        yield


def describe_holder(holder: LockHolder | None) -> str:
    """Who holds the lock, e.g. "since 2026-05-04 01:30:02 CEST, pid 4242 on host-a", as far as known."""
    parts = []
    if holder is not None and holder.since is not None:
        parts.append(f"since {holder.since.astimezone():%Y-%m-%d %H:%M:%S %Z}")
    if holder is not None and holder.pid is not None:
        parts.append(f"pid {holder.pid}" + (f" on {holder.host}" if holder.host else ""))
    return ", ".join(parts) or "holder unknown"
