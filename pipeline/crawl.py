"""Running a crawl in a child process and recording how it ended.

Twisted's reactor cannot be restarted, so every crawl (from ``newsmon crawl`` or the scheduler) runs
as ``python -m crawler`` in a child process. The parent creates the crawl run first and passes its
id down, so that a child that dies (killed, out of memory, timed out) still leaves a run that says so.

Two crawls never run at once: the parent holds the crawl lock (``pipeline/locks.py``) from before the
run is created until the child has ended, and a second crawl fails with CrawlLocked without starting.

The child runs in its own process group, so a signal meant for the scheduler that started it (Ctrl-C in
the scheduler's terminal, a stop signal to its group) does not cut the crawl short: the scheduler lets
it finish or reach its time limit. ``newsmon crawl`` passes SIGINT and SIGTERM on, so Ctrl-C still
stops a crawl started by hand, gracefully.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from pipeline.locks import crawl_lock
from storage.runs import RunSummary, finish_run, last_run_finished, load_run, start_run

EXIT_BROKEN = 2  # the child's status when the config or database is broken
TERMINATE_GRACE_SECONDS = 60.0  # after SIGTERM, how long a crawl may take to store what it has
_PASSED_ON = (signal.SIGINT, signal.SIGTERM)  # what `newsmon crawl` hands on to its crawl


@dataclass(frozen=True, slots=True)
class CrawlOutcome:
    run: RunSummary
    exit_code: int


def crawl_command(
    config_path: Path | None, sources: list[str], run_id: int, log_level: str = "INFO", full: bool = False
) -> list[str]:
    command = [sys.executable, "-m", "crawler", "--run-id", str(run_id), "--log-level", log_level]
    if full:
        command.append("--full")
    if config_path is not None:
        command += ["--config", str(config_path)]
    for name in sources:
        command += ["--source", name]
    return command


def run_crawl(
    engine: Engine,
    config_path: Path | None,
    sources: list[str] | None = None,
    *,
    time_limit: float | None = None,
    log_level: str = "INFO",
) -> CrawlOutcome:
    """Crawl in a child process under the crawl lock; returns the stored run.

    Raises CrawlLocked, before anything is started or recorded, while another crawl is running. A crawl
    over ``time_limit`` seconds is stopped.
    """
    with crawl_lock(engine):
        # After a crawl that died, read every feed in full: a 304 would hide the pages it never stored.
        full = not last_run_finished(engine)
        run_id = start_run(engine)
        command = crawl_command(config_path, list(sources or []), run_id, log_level, full)
        child = subprocess.Popen(command, process_group=0)
        exit_code = _wait(child, time_limit)
        if exit_code != 0:
            finish_run(engine, run_id, "failed", message=_describe_exit(exit_code, time_limit))  # unless it recorded its end
    return CrawlOutcome(load_run(engine, run_id), exit_code)


def _wait(child: subprocess.Popen[bytes], time_limit: float | None) -> int:
    """Wait for the child; past the time limit stop it gracefully, then kill its whole process group."""
    with _signals_passed_to(child):
        try:
            return child.wait(timeout=time_limit)
        except subprocess.TimeoutExpired:
            child.terminate()  # Scrapy shuts down gracefully on SIGTERM and stores what it has
            try:
                child.wait(timeout=TERMINATE_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)  # the group: extraction workers too
                child.wait()
            return -signal.SIGTERM


@contextmanager
def _signals_passed_to(child: subprocess.Popen[bytes]) -> Iterator[None]:
    """In the main thread (``newsmon crawl``), SIGINT and SIGTERM go on to the child instead of the parent.

    Elsewhere (a scheduler's job thread) signals are left alone: they are the scheduler's to handle.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, lambda signum, _frame: child.send_signal(signum)) for sig in _PASSED_ON}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _describe_exit(code: int, time_limit: float | None) -> str:
    if code == EXIT_BROKEN:
        return "crawl could not start: config or database broken (see the error above)"
    if code == -signal.SIGTERM and time_limit is not None:
        return f"crawl stopped after its time limit of {time_limit:.0f}s"
    if code < 0:
        return f"crawl process killed by signal {signal.Signals(-code).name}"
    return f"crawl process exited with status {code}"
