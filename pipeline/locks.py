"""Which work must never overlap, and what the process that loses the race is told.

A crawl is never started while another is running, whoever started either (the scheduler or someone at
a terminal, on this machine or, with PostgreSQL, another); one scheduler runs per archive; a digest is
sent by one run at a time. :func:`exclusive` holds a named lock; how it is held (a file lock beside a
SQLite database, an advisory lock on PostgreSQL) is storage's business, see ``storage/locks.py``. The
loser gets a :class:`~pipeline.errors.Locked` error naming the holder, at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Engine

from pipeline.errors import CrawlLocked, Locked
from storage.locks import LockHolder, LockTaken, acquire_lock

CRAWL_LOCK = "crawl"
SCHEDULER_LOCK = "scheduler"


@contextmanager
def exclusive(engine: Engine, name: str, busy: str, error: type[Locked] = Locked) -> Iterator[None]:
    """Hold lock ``name`` for the ``with`` block; if another process holds it, raise ``error`` at once
    with the message ``busy``, in which ``{holder}`` says who holds it (replaced as text: ``busy`` may
    hold a user's names, braces and all)."""
    try:
        lock = acquire_lock(engine, name)
    except LockTaken as exc:
        raise error(busy.replace("{holder}", describe_holder(exc.holder))) from None
    with lock:
        yield


def crawl_lock(engine: Engine) -> AbstractContextManager[None]:
    """The crawl lock; CrawlLocked at once if another crawl holds it."""
    return exclusive(engine, CRAWL_LOCK, "another crawl is running ({holder}); try again when it has finished", CrawlLocked)


def scheduler_lock(engine: Engine) -> AbstractContextManager[None]:
    """One active scheduler per archive, on any machine."""
    return exclusive(engine, SCHEDULER_LOCK, "another scheduler is already running ({holder})")


def describe_holder(holder: LockHolder | None) -> str:
    """Who holds the lock, e.g. "since 2026-05-04 01:30:02 CEST, pid 4242 on host-a", as far as known."""
    parts = []
    if holder is not None and holder.since is not None:
        parts.append(f"since {holder.since.astimezone():%Y-%m-%d %H:%M:%S %Z}")
    if holder is not None and holder.pid is not None:
        parts.append(f"pid {holder.pid}" + (f" on {holder.host}" if holder.host else ""))
    return ", ".join(parts) or "holder unknown"
