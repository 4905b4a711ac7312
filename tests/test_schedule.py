"""`newsmon schedule`: jobs built from the config, time zones and clock changes, missed runs made up once
after a restart (and skipped beyond the grace period), the crawl lock, a clean stop on SIGTERM.

No test waits for a cron time: a missed run is staged by storing a job whose next run time is past, as
a scheduler that was down would have left it; the crawl child is a stand-in that takes a second.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

import pipeline.crawl
import pipeline.schedule
from pipeline.cli import cli
from pipeline.locks import SCHEDULER_LOCK
from pipeline.config import Settings, load_config
from pipeline.locks import crawl_lock
from pipeline.cron import cron_trigger, next_fire_times
from pipeline.digest import DigestReport
from pipeline.schedule import (
    CRAWL_JOB,
    build_scheduler,
    crawl_job,
    digest_job,
    dst_warnings,
    planned_jobs,
    start_scheduler,
    stop_scheduler,
    sync_jobs,
)
from storage.db import include_in_autogenerate
from storage.models import Base, CrawlRun


BRUSSELS = ZoneInfo("Europe/Brussels")
DIGESTS = """
[[digests]]
name = "Morning"
recipients = ["a@example.org"]

[[digests]]
name = "Weekdays"
recipients = ["b@example.org"]
schedule = "15 8 * * 1-5"
"""


def write_config(tmp_path: Path, database_url: str, schedule: str = "", extra: str = "") -> Path:
    path = tmp_path / "newsmon.toml"
    path.write_text(f'database_url = "{database_url}"\n{extra}\n[schedule]\n{schedule}\n', encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# Jobs from the config


def test_default_jobs_crawl_nightly_in_brussels(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, sqlite_url)
    (crawl,) = planned_jobs(load_config(config).settings, config)
    assert (crawl.id, crawl.cron, crawl.timezone) == (CRAWL_JOB, "30 1 * * *", "Europe/Brussels")
    assert crawl.func == "pipeline.schedule:crawl_job" and crawl.args == (str(config), "INFO")
    assert crawl.grace_seconds == 240 * 60


def test_each_digest_is_a_job_with_its_own_or_the_default_schedule(tmp_path: Path, sqlite_url: str) -> None:
    schedule = 'timezone = "America/New_York"\ndigest = "0 6 * * *"\nmisfire_grace_minutes = 0'
    config = write_config(tmp_path, sqlite_url, schedule, DIGESTS)
    jobs = {job.id: job for job in planned_jobs(load_config(config).settings, config)}
    assert set(jobs) == {"crawl", "digest:Morning", "digest:Weekdays"}
    assert jobs["digest:Morning"].cron == "0 6 * * *" and jobs["digest:Weekdays"].cron == "15 8 * * 1-5"
    assert jobs["digest:Weekdays"].args == (str(config), "Weekdays")
    assert {job.timezone for job in jobs.values()} == {"America/New_York"}
    assert {job.grace_seconds for job in jobs.values()} == {1}, "0 minutes: the smallest grace APScheduler knows"


# Cron expressions and time zones


def test_fire_times_are_wall_clock_times_in_the_configured_zone() -> None:
    times = next_fire_times(cron_trigger("30 1 * * *", "Europe/Brussels"), datetime(2026, 3, 27, 12, tzinfo=UTC))
    assert [t.astimezone(BRUSSELS).strftime("%m-%d %H:%M") for t in times] == [
        "03-28 01:30", "03-29 01:30", "03-30 01:30", "03-31 01:30", "04-01 01:30",
    ]
    assert [t.astimezone(UTC).hour for t in times] == [0, 0, 23, 23, 23], "CET, CET, then CEST"


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0", ["Sun"]),
        ("7", ["Sun"]),
        ("0,6", ["Sun", "Sat"]),
        ("*/2", ["Sun", "Tue", "Thu", "Sat"]),
        ("mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("*", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
    ],
)
def test_weekdays_count_as_in_crontab(weekdays: str, expected: list[str]) -> None:
    saturday_noon = datetime(2026, 3, 28, 12, tzinfo=UTC)
    times = next_fire_times(cron_trigger(f"0 7 * * {weekdays}", "UTC"), saturday_noon, 7)
    assert {t.strftime("%a") for t in times} == set(expected)


def test_a_bad_weekday_is_still_refused() -> None:
    with pytest.raises(ValueError):
        cron_trigger("0 7 * * 8", "UTC")


def test_jobs_between_two_and_three_in_the_night_are_warned_about(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, sqlite_url, 'crawl = "30 2 * * *"')
    jobs = planned_jobs(load_config(config).settings, config)
    warnings = dst_warnings(jobs, datetime(2026, 1, 1, tzinfo=UTC))
    assert len(warnings) == 2
    assert warnings[0] == (
        "job crawl: cron '30 2 * * *' fires at 02:30 on 2026-03-29, in the hour 02:00-03:00 that Europe/Brussels "
        "skips, so the job runs late; choose a time outside it"
    )
    assert "on 2026-10-25, in the hour 02:00-03:00 that Europe/Brussels repeats, so the job runs twice" in warnings[1]


@pytest.mark.parametrize(
    ("cron", "zone", "warned"),
    [("30 1 * * *", "Europe/Brussels", 0), ("0 3 * * *", "Europe/Brussels", 0), ("0 2 * * 0", "Europe/Brussels", 2),
     ("*/15 * * * *", "Europe/Brussels", 2), ("30 2 * * *", "UTC", 0), ("30 2 * * 1-5", "Europe/Brussels", 0),
     ("30 1 * * *", "America/New_York", 1), ("30 1 * * *", "Europe/London", 2)],
)
def test_dst_warnings_only_for_times_a_clock_change_skips_or_repeats(cron: str, zone: str, warned: int) -> None:
    job = planned_jobs(Settings.model_validate({"schedule": {"crawl": cron, "timezone": zone}}), None)
    assert len(dst_warnings(job, datetime(2026, 1, 1, tzinfo=UTC))) == warned


# The command


def test_dry_run_prints_each_job_with_five_fire_times_and_opens_no_database(tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    config = write_config(tmp_path, f"sqlite:///{database}", 'crawl = "30 2 * * *"', DIGESTS)
    result = run("--config", str(config), "schedule", "--dry-run")
    assert result.exit_code == 0, result.output
    blocks = result.stdout.strip().split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == [
        "crawl: '30 2 * * *' in Europe/Brussels",
        "digest:Morning: '0 7 * * *' in Europe/Brussels",
        "digest:Weekdays: '15 8 * * 1-5' in Europe/Brussels",
    ]
    assert all(len(block.splitlines()) == 6 for block in blocks)
    assert blocks[2].splitlines()[1].split()[0] in {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert "warning: job crawl: cron '30 2 * * *'" in result.stderr
    assert not database.exists()


def test_help_explains_the_hour_to_avoid() -> None:
    result = run("schedule", "--help")
    assert result.exit_code == 0
    assert "newsmon schedule --dry-run" in result.output and "02:00 and 03:00" in result.output


# Missed runs, restarts and the job store


@pytest.fixture
def fake_crawl(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawl child is a stand-in that exits at once with status 3 (so its run is closed as failed)."""

    def command(config_path: Path | None, sources: list[str], run_id: int, log_level: str = "INFO", full: bool = False) -> list[str]:
        return [sys.executable, "-c", "raise SystemExit(3)"]

    monkeypatch.setattr(pipeline.crawl, "crawl_command", command)


def daily_at(moment: datetime) -> str:
    return f"{moment.minute} {moment.hour} * * *"


def scheduled_config(tmp_path: Path, database_url: str, fired: datetime, grace_minutes: int) -> Path:
    """A config whose daily crawl last fired at ``fired`` (UTC, so no clock change gets in the way)."""
    schedule = f'timezone = "UTC"\ncrawl = "{daily_at(fired)}"\nmisfire_grace_minutes = {grace_minutes}'
    return write_config(tmp_path, database_url, schedule)


def leave_missed_run(engine: Engine, config: Path, missed: datetime) -> None:
    """Store the jobs as a scheduler stopped before ``missed`` leaves them: crawl due at ``missed``."""
    settings = load_config(config).settings
    scheduler = build_scheduler(settings, engine)
    scheduler.start(paused=True)
    sync_jobs(scheduler, planned_jobs(settings, config))
    scheduler.modify_job(CRAWL_JOB, next_run_time=missed)
    stop_scheduler(scheduler)


def restart(engine: Engine, config: Path) -> list[JobExecutionEvent]:
    """Start a scheduler as `newsmon schedule` does, until the first job has run or been skipped."""
    settings = load_config(config).settings
    scheduler = build_scheduler(settings, engine)
    events: list[JobExecutionEvent] = []
    done = threading.Event()
    ended = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
    scheduler.add_listener(lambda event: (events.append(event), done.set()), ended)
    start_scheduler(scheduler, planned_jobs(settings, config))
    try:
        assert done.wait(10), "the missed run was neither run nor skipped"
        assert scheduler.get_job(CRAWL_JOB).next_run_time > datetime.now(UTC), "next run is the next cron time"
    finally:
        stop_scheduler(scheduler)
    return events


def crawl_runs(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(CrawlRun.status, CrawlRun.message))]


def test_a_run_missed_within_the_grace_period_runs_once_after_a_restart(
    tmp_path: Path, database_url: str, engine: Engine, fake_crawl: None
) -> None:
    missed = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    config = scheduled_config(tmp_path, database_url, missed, grace_minutes=240)
    leave_missed_run(engine, config, missed)
    events = restart(engine, config)
    assert [event.code for event in events] == [EVENT_JOB_EXECUTED]
    assert crawl_runs(engine) == [("failed", "crawl process exited with status 3")]


def test_missed_runs_coalesce_into_one(tmp_path: Path, database_url: str, engine: Engine, fake_crawl: None) -> None:
    last = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    config = scheduled_config(tmp_path, database_url, last, grace_minutes=240)
    leave_missed_run(engine, config, last - timedelta(days=3))  # down for three days and a bit
    events = restart(engine, config)
    assert [event.code for event in events] == [EVENT_JOB_EXECUTED]
    assert len(crawl_runs(engine)) == 1


def test_a_run_missed_beyond_the_grace_period_is_skipped(
    tmp_path: Path, database_url: str, engine: Engine, fake_crawl: None
) -> None:
    missed = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    config = scheduled_config(tmp_path, database_url, missed, grace_minutes=60)
    leave_missed_run(engine, config, missed)
    events = restart(engine, config)
    assert [event.code for event in events] == [EVENT_JOB_MISSED]
    assert crawl_runs(engine) == []


def test_sync_keeps_unchanged_jobs_and_follows_config_changes(tmp_path: Path, engine: Engine) -> None:
    settings = Settings.model_validate({"digests": [{"name": "Old", "recipients": ["a@example.org"]}]})
    scheduler = build_scheduler(settings, engine)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, planned_jobs(settings, None))
        missed = datetime.now(UTC) - timedelta(hours=1)
        scheduler.modify_job(CRAWL_JOB, next_run_time=missed)
        renamed = Settings.model_validate({"digests": [{"name": "New", "recipients": ["a@example.org"]}]})
        sync_jobs(scheduler, planned_jobs(renamed, None))
        assert {job.id for job in scheduler.get_jobs()} == {"crawl", "digest:New"}
        assert scheduler.get_job(CRAWL_JOB).next_run_time == missed, "the missed run is kept"
        later = Settings.model_validate({"schedule": {"crawl": "45 4 * * *"}})
        sync_jobs(scheduler, planned_jobs(later, None))
        crawl = scheduler.get_job(CRAWL_JOB)
        assert crawl.next_run_time > datetime.now(UTC) and crawl.next_run_time.astimezone(BRUSSELS).hour == 4
    finally:
        stop_scheduler(scheduler)


def test_autogenerate_ignores_the_scheduler_table(engine: Engine) -> None:
    scheduler = build_scheduler(Settings(), engine)
    scheduler.start(paused=True)  # creates apscheduler_jobs
    stop_scheduler(scheduler)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_in_autogenerate})
        assert compare_metadata(context, Base.metadata) == []


# The jobs themselves


def test_a_scheduled_crawl_records_its_run(tmp_path: Path, database_url: str, engine: Engine, fake_crawl: None) -> None:
    crawl_job(str(write_config(tmp_path, database_url)))
    assert crawl_runs(engine) == [("failed", "crawl process exited with status 3")]


def test_a_scheduled_crawl_gives_way_to_a_running_crawl(
    tmp_path: Path, database_url: str, engine: Engine, fake_crawl: None, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path, database_url)
    with crawl_lock(engine), caplog.at_level(logging.WARNING, logger="pipeline.schedule"):
        crawl_job(str(config))
    assert crawl_runs(engine) == []
    assert "crawl not started: another crawl is running (since" in caplog.text


def test_a_broken_config_is_one_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="pipeline.schedule"):
        crawl_job(str(tmp_path / "gone.toml"))
    assert caplog.records[-1].getMessage().startswith("crawl failed: ") and "config file not found" in caplog.text


Call = tuple[Settings, Engine, list[str] | None]


@pytest.fixture
def sent_digests(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """send_digests replaced by a recorder whose mail to b@example.org fails."""
    calls: list[Call] = []

    def send_digests(settings: Settings, engine: Engine, names: list[str] | None = None) -> list[DigestReport]:
        calls.append((settings, engine, names))
        return [DigestReport("Weekdays", "b@example.org", 2, "failed", "SMTP server said no")]

    monkeypatch.setattr(pipeline.schedule, "send_digests", send_digests)
    return calls


def test_a_scheduled_digest_sends_that_digest_only_and_logs_failed_mail(
    tmp_path: Path, sqlite_url: str, sent_digests: list[Call], caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path, sqlite_url, "", DIGESTS)
    with caplog.at_level(logging.INFO, logger="pipeline.schedule"):
        digest_job(str(config), "Weekdays")
    ((settings, engine, names),) = sent_digests
    assert names == ["Weekdays"] and [d.name for d in settings.digests] == ["Morning", "Weekdays"]
    assert isinstance(engine, Engine)
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == "NOT sent 'Weekdays' to b@example.org (2 stories): SMTP server said no"


# Stopping


SCHEDULER_SCRIPT = """
import sys
import pipeline.crawl
import pipeline.schedule
from pipeline.cli import cli

CRAWL = '''
import pathlib, sys, time
pathlib.Path(sys.argv[1], "started").touch()
time.sleep(1)
pathlib.Path(sys.argv[1], "finished").touch()
raise SystemExit(3)
'''
pipeline.crawl.crawl_command = lambda *args, **kwargs: [sys.executable, "-c", CRAWL, sys.argv[1]]
cli.main(["--config", sys.argv[2], "schedule"], prog_name="newsmon")
"""


@pytest.fixture
def scheduler_process(tmp_path: Path, sqlite_url: str) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """`newsmon schedule` in a process group of its own, with a crawl due at once that takes a second."""
    fired = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    config = scheduled_config(tmp_path, sqlite_url, fired, grace_minutes=60)
    from storage.db import open_database

    engine = open_database(sqlite_url)
    leave_missed_run(engine, config, fired)
    engine.dispose()
    processes: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        command = [sys.executable, "-c", SCHEDULER_SCRIPT, str(tmp_path), str(config)]
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def test_sigterm_lets_the_running_crawl_finish_then_exits_cleanly(
    tmp_path: Path, sqlite_url: str, scheduler_process: Callable[[], subprocess.Popen[str]]
) -> None:
    process = scheduler_process()
    deadline = time.monotonic() + 20
    while not (tmp_path / "started").exists():
        assert process.poll() is None and time.monotonic() < deadline, "the missed crawl did not start"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGTERM)  # the scheduler's whole group, as Ctrl-C or a group kill would
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert (tmp_path / "finished").exists(), "the crawl child was not killed with its scheduler"
    assert "SIGTERM: no new runs" in stderr and "scheduler stopped" in stderr
    from storage.db import open_database

    engine = open_database(sqlite_url)
    assert crawl_runs(engine) == [("failed", "crawl process exited with status 3")], "recorded after SIGTERM"
    engine.dispose()


CTRL_C_AWARE_CRAWL = """
import pathlib, signal, sys, time
signal.signal(signal.SIGINT, lambda *_: sys.exit(5))
pathlib.Path(sys.argv[1]).touch()
time.sleep(30)
"""


def test_ctrl_c_on_newsmon_crawl_still_reaches_its_crawl(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crawl has a process group of its own, so ``newsmon crawl`` hands Ctrl-C on to it."""
    ready = tmp_path / "ready"
    monkeypatch.setattr(
        pipeline.crawl, "crawl_command", lambda *args, **kwargs: [sys.executable, "-c", CTRL_C_AWARE_CRAWL, str(ready)]
    )

    def press_ctrl_c() -> None:
        deadline = time.monotonic() + 10
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)  # the terminal's Ctrl-C reaches the foreground group: this process

    threading.Thread(target=press_ctrl_c).start()
    outcome = pipeline.crawl.run_crawl(engine, None, time_limit=20)
    assert outcome.exit_code == 5, "the crawl child got SIGINT"
    assert crawl_runs(engine) == [("failed", "crawl process exited with status 5")]


def test_only_one_scheduler_runs_per_archive(tmp_path, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    """A second `newsmon schedule` on the same archive says who holds it and exits."""
    from click.testing import CliRunner

    from pipeline.cli import cli
    from storage.db import open_database
    from storage.locks import acquire_lock

    config = tmp_path / "newsmon.toml"
    config.write_text(f'database_url = "{sqlite_url}"\n', encoding="utf-8")
    engine = open_database(sqlite_url)
    with acquire_lock(engine, SCHEDULER_LOCK):
        result = CliRunner().invoke(cli, ["--config", str(config), "schedule"], catch_exceptions=False)
    engine.dispose()
    assert result.exit_code == 1
    assert "another scheduler is already running" in result.stderr and "pid" in result.stderr


def test_scheduled_crawl_seeds_the_frontier_in_cluster_mode(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pipeline.schedule as schedule

    calls = []
    run = type("R", (), {"id": 1, "status": "finished", "message": None})()
    monkeypatch.setattr(schedule, "seed_crawl", lambda engine, settings, sources, **kw: calls.append(kw) or
                        type("S", (), {"run_id": 1, "seeded": 3, "run": run})())
    monkeypatch.setattr(schedule, "run_crawl", lambda *a, **k: pytest.fail("a cluster scheduler must not crawl"))
    monkeypatch.setattr(schedule, "open_database", lambda url: type("E", (), {"dispose": lambda self: None})())
    config = tmp_path / "cluster.toml"
    config.write_text('database_url = "postgresql+psycopg://u@db/n"\n[cluster]\nredis_url = "redis://r:6379/0"\n')
    schedule.crawl_job(str(config))
    assert calls == [{"wait": True, "timeout": load_config(config).settings.schedule.crawl_time_limit_minutes * 60}]
