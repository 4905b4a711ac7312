"""The crawl lock on SQLite (a file lock) and PostgreSQL (an advisory lock): one holder, across processes.

Two crawls at once: one runs, the other is refused before it starts anything, whether it comes from
another process, another connection or ``newsmon crawl``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, func, select, text

import pipeline.crawl
from pipeline.cli import cli
from pipeline.crawl import run_crawl
from pipeline.errors import CrawlLocked
from pipeline.locks import CRAWL_LOCK, SCHEDULER_LOCK, crawl_lock
from storage.db import open_database
from storage.locks import HeldLock, LockTaken, acquire_lock, lock_file
from storage.models import CrawlRun

HOLDER_SCRIPT = """
import sys, time
from storage.db import make_engine
from storage.locks import acquire_lock
lock = acquire_lock(make_engine(sys.argv[1]), sys.argv[2])
print("locked", flush=True)
time.sleep(60)
"""


def crawl_runs(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(CrawlRun))


@pytest.fixture
def holder_process(database_url: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the crawl lock until it is killed."""
    command = [sys.executable, "-c", HOLDER_SCRIPT, database_url, CRAWL_LOCK]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        yield child
        child.kill()


def test_a_second_holder_is_refused_and_told_who_holds_it(engine: Engine) -> None:
    with acquire_lock(engine, CRAWL_LOCK):
        with pytest.raises(LockTaken) as refused:
            acquire_lock(engine, CRAWL_LOCK)
    holder = refused.value.holder
    assert holder is not None
    assert (holder.pid, holder.host) == (os.getpid(), socket.gethostname())
    assert holder.since is not None and abs(datetime.now(UTC) - holder.since) < timedelta(minutes=1)
    acquire_lock(engine, CRAWL_LOCK).release()  # released at the end of the with block


def test_locks_with_other_names_do_not_block(engine: Engine) -> None:
    with acquire_lock(engine, CRAWL_LOCK), acquire_lock(engine, SCHEDULER_LOCK):
        pass


def test_another_process_holds_the_lock_until_it_dies(
    engine: Engine, holder_process: subprocess.Popen[str]
) -> None:
    with pytest.raises(LockTaken) as refused:
        acquire_lock(engine, CRAWL_LOCK)
    assert refused.value.holder is not None and refused.value.holder.pid == holder_process.pid
    holder_process.kill()  # no clean-up code runs: the kernel or the server must free the lock
    holder_process.wait()
    acquire_eventually(engine).release()


def acquire_eventually(engine: Engine, seconds: float = 5.0) -> HeldLock:
    """The lock, once the server has noticed that the dead holder's session is gone."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return acquire_lock(engine, CRAWL_LOCK)
        except LockTaken:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_crawl_lock_says_who_is_running(engine: Engine) -> None:
    with crawl_lock(engine):
        with pytest.raises(CrawlLocked, match=rf"another crawl is running \(since .+, pid {os.getpid()} on .+\)"):
            with crawl_lock(engine):
                pass


def test_sqlite_lock_file_sits_beside_the_database(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    with acquire_lock(engine, CRAWL_LOCK):
        path = lock_file(engine, CRAWL_LOCK)
        assert path == Path(f"{engine.url.database}.crawl.lock") and path.is_file()
    engine.dispose()


@pytest.mark.postgres
def test_advisory_locks_belong_to_one_schema(pg_url: str, pg_admin_url: str) -> None:
    """Two archives in one PostgreSQL database (two schemas) crawl independently."""
    other = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{other}"'))
    first, second = open_database(pg_url), open_database(f"{pg_admin_url}?options=-csearch_path%3D{other}")
    try:
        with acquire_lock(first, CRAWL_LOCK), acquire_lock(second, CRAWL_LOCK):
            pass
    finally:
        first.dispose()
        second.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{other}" CASCADE'))
        admin.dispose()


def sleeping_crawl(seconds: float) -> Callable[..., list[str]]:
    """A stand-in for ``python -m crawler`` that only takes its time."""

    def command(config_path: Path | None, sources: list[str], run_id: int, log_level: str = "INFO", full: bool = False) -> list[str]:
        return [sys.executable, "-c", f"import time; time.sleep({seconds})"]

    return command


def test_two_crawls_at_once_one_runs(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.crawl, "crawl_command", sleeping_crawl(1))
    first = threading.Thread(target=run_crawl, args=(engine, None), kwargs={"time_limit": 30})
    first.start()
    deadline = time.monotonic() + 5
    while crawl_runs(engine) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(CrawlLocked, match="another crawl is running"):
        run_crawl(engine, None, time_limit=30)
    first.join()
    assert crawl_runs(engine) == 1, "the refused crawl recorded no run"
    run_crawl(engine, None, time_limit=30)  # the lock is free again once the first crawl has ended
    assert crawl_runs(engine) == 2


def test_newsmon_crawl_refuses_in_one_line_while_another_crawl_runs(
    tmp_path: Path, database_url: str, holder_process: subprocess.Popen[str]
) -> None:
    config = tmp_path / "newsmon.toml"
    config.write_text(f'database_url = "{database_url}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "crawl"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: another crawl is running (") and result.output.count("\n") == 1
    assert f"pid {holder_process.pid}" in result.output


@pytest.mark.postgres
def test_transaction_locks_are_per_archive(pg_url: str, pg_admin_url: str) -> None:
    """Clustering (and upgrading) one archive never waits for another schema of the same database."""
    from sqlalchemy.exc import OperationalError

    from storage.locks import lock_for_transaction

    archive, other, same = (
        create_engine(url) for url in (pg_url, f"{pg_admin_url}?options=-csearch_path%3Dpublic", pg_url)
    )
    try:
        with archive.begin() as holder:
            lock_for_transaction(holder, "stories")
            with other.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '2s'"))
                lock_for_transaction(connection, "stories")  # another archive: no wait
            with same.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '200ms'"))
                with pytest.raises(OperationalError, match="lock timeout"):
                    lock_for_transaction(connection, "stories")
    finally:
        for engine in (archive, other, same):
            engine.dispose()
