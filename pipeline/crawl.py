"""Running a crawl in a child process and recording how it ended.

Twisted's reactor cannot be restarted, so every crawl (from ``newsmon crawl`` or the scheduler) runs
as ``python -m crawler`` in a child process. The parent creates the crawl run first and passes its
id down, so that a child that dies (killed, out of memory, timed out) still leaves a run that says so.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from storage.runs import RunSummary, close_unfinished_run, load_run, start_run

EXIT_BROKEN = 2  # the child's status when the config or database is broken
TERMINATE_GRACE_SECONDS = 60.0  # after SIGTERM, how long a crawl may take to store what it has


@dataclass(frozen=True, slots=True)
class CrawlOutcome:
    run: RunSummary
    exit_code: int


def crawl_command(config_path: Path | None, sources: list[str], run_id: int, log_level: str = "INFO") -> list[str]:
    command = [sys.executable, "-m", "crawler", "--run-id", str(run_id), "--log-level", log_level]
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
    """Crawl in a child process; returns the stored run. A crawl over ``time_limit`` seconds is stopped."""
    run_id = start_run(engine)
    child = subprocess.Popen(crawl_command(config_path, list(sources or []), run_id, log_level))
    exit_code = _wait(child, time_limit)
    if exit_code != 0:
        reason = _describe_exit(exit_code, time_limit)
        close_unfinished_run(engine, run_id, "failed", reason)
    return CrawlOutcome(load_run(engine, run_id), exit_code)


def _wait(child: subprocess.Popen[bytes], time_limit: float | None) -> int:
    """Wait for the child; Ctrl-C reaches it directly (same process group), so the parent just waits."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            return child.wait(timeout=time_limit)
        except subprocess.TimeoutExpired:
            child.terminate()  # Scrapy shuts down gracefully on SIGTERM and stores what it has
            try:
                child.wait(timeout=TERMINATE_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            return -signal.SIGTERM
    finally:
        signal.signal(signal.SIGINT, previous)


def _describe_exit(code: int, time_limit: float | None) -> str:
    if code == EXIT_BROKEN:
        return "crawl could not start: config or database broken (see the error above)"
    if code == -signal.SIGTERM and time_limit is not None:
        return f"crawl stopped after its time limit of {time_limit:.0f}s"
    if code < 0:
        return f"crawl process killed by signal {signal.Signals(-code).name}"
    return f"crawl process exited with status {code}"
