"""Named locks held by one process at a time, across processes and (on PostgreSQL) machines.

A lock lives where the archive lives and dies with its holder, so a crashed holder never leaves it stuck:

- SQLite: ``flock`` on a file beside the database (``<db>.<name>.lock``). The kernel drops it when the
  holder closes the file or dies. A SQLite file is shared by processes on one machine only, which is
  exactly what a local file lock covers.
- PostgreSQL: a session-level advisory lock on a connection of its own, in autocommit so that no
  transaction stays open for hours. The server drops it when that session ends: when the holder's
  process dies, or its machine (noticed by TCP keepalives within minutes). Its key is derived from the
  lock's name and the current schema, so two archives in one database do not block each other.

A loser learns who holds the lock: the lock file holds the holder's pid, host and start time; on
PostgreSQL the holder's session carries pid and host in its ``application_name`` and pg_stat_activity
tells since when.
"""

from __future__ import annotations

import contextlib

import fcntl
import hashlib
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Self

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from storage.errors import DatabaseUnavailable

_APPLICATION_NAME_MAX = 63  # PostgreSQL truncates longer names


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a lock, as far as can be told (None where it cannot)."""

    pid: int | None
    host: str | None
    since: datetime | None


class LockTaken(Exception):
    """Another process holds the lock; ``holder`` says which, when that can be told."""

    def __init__(self, name: str, holder: LockHolder | None) -> None:
        super().__init__(f"lock {name!r} is held by another process: {holder}")
        self.name = name
        self.holder = holder


class HeldLock:
    """A lock this process holds until :meth:`release`, or the end of its ``with`` block."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        if self._release is not None:
            self._release, release = None, self._release
            release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def acquire_lock(engine: Engine, name: str) -> HeldLock:
    """Take lock ``name`` on this archive without waiting; LockTaken if another process holds it."""
    if engine.dialect.name == "postgresql":
        return _advisory_lock(engine, name)
    return _file_lock(lock_file(engine, name), name)


def lock_file(engine: Engine, name: str) -> Path:
    """The lock file of a SQLite archive: beside the database file."""
    database = (engine.url.database or "").removeprefix("file:").split("?")[0]
    if database in ("", ":memory:"):
        raise DatabaseUnavailable(f"lock {name!r}: an in-memory SQLite database cannot be shared; use a file")
    return Path(f"{Path(database).expanduser()}.{name}.lock")


def _me() -> dict[str, object]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now(UTC).isoformat()}


def _file_lock(path: Path, name: str) -> HeldLock:
    try:
        handle = path.open("a+", encoding="utf-8")  # not "w": the holder's details must survive a loser
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot open lock file {path}: {exc.strerror}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(handle)
        handle.close()
        raise LockTaken(name, holder) from None
    handle.truncate(0)
    handle.write(json.dumps(_me()))
    handle.flush()
    return HeldLock(lambda: _close_lock_file(handle))


def _read_holder(handle: IO[str]) -> LockHolder | None:
    handle.seek(0)
    try:
        data = json.loads(handle.read())
        return LockHolder(int(data["pid"]), str(data["host"]), datetime.fromisoformat(data["since"]))
    except (ValueError, KeyError, TypeError):
        return None  # the holder took the lock an instant ago and has not written its details yet


def _close_lock_file(handle: IO[str]) -> None:
    handle.truncate(0)  # a later loser must not name a holder that has gone
    handle.close()  # closing the file releases the flock


def lock_for_transaction(connection: Connection, name: str) -> None:
    """PostgreSQL: wait for lock ``name`` of this archive (its schema) and hold it until the transaction ends."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _archive_key(connection, name)})


def _archive_key(connection: Connection, name: str) -> int:
    """The signed 64-bit advisory-lock key of lock ``name`` of the archive this connection works in (its schema)."""
    schema = connection.scalar(text("SELECT current_schema()")) or ""
    digest = hashlib.blake2b(f"newsmon:{schema}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# The session names its holder, and probes an idle client every minute: when the holder's machine dies,
# the server ends the session (and frees the lock) within minutes, not after the system's default two hours.
_SESSION_SQL = text(
    """
    SELECT set_config('application_name', :me, false), set_config('tcp_keepalives_idle', '60', false),
           set_config('tcp_keepalives_interval', '10', false), set_config('tcp_keepalives_count', '6', false)
    """
)


def _advisory_lock(engine: Engine, name: str) -> HeldLock:
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        key = _archive_key(connection, name)
        me = f"newsmon {name} {os.getpid()}@{socket.gethostname()}"[:_APPLICATION_NAME_MAX]
        connection.execute(_SESSION_SQL, {"me": me})
        taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        holder = None if taken else _advisory_holder(connection, key)
    except BaseException:
        _end_session(connection, None)
        raise
    if taken:
        return HeldLock(lambda: _end_session(connection, key))
    _end_session(connection, None)
    raise LockTaken(name, holder)


# A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
_HOLDER_SQL = text(
    """
    SELECT a.application_name, a.state_change
    FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.classid::bigint = :high AND l.objid::bigint = :low
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    """
)


def _advisory_holder(connection: Connection, key: int) -> LockHolder | None:
    row = connection.execute(_HOLDER_SQL, {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF}).first()
    if row is None:
        return None  # released in the meantime
    pid, _, host = (row.application_name or "").rpartition(" ")[2].partition("@")
    return LockHolder(int(pid) if pid.isdigit() else None, host or None, row.state_change)


def _end_session(connection: Connection, key: int | None) -> None:
    """Unlock (so a waiting process can take the lock at once) and close the session for good."""
    try:
        with contextlib.suppress(SQLAlchemyError):  # a session already gone took its lock with it
            if key is not None:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        connection.invalidate()  # never back to the pool: its application_name names a lock holder
        connection.close()
