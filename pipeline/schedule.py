"""``newsmon schedule``: the nightly crawl and the morning digests on cron schedules, in the foreground.

Jobs come from the config: ``schedule.crawl`` (default 01:30), and one job per ``[[digests]]`` entry
(its ``schedule``, else ``schedule.digest``, default 07:00). Every cron expression is read in
``schedule.timezone`` (default Europe/Brussels), with weekdays counted as crontab counts them: 0 and 7
are Sunday, ``1-5`` is Monday to Friday (APScheduler 3 alone would read 0 as Monday).

Why not between 02:00 and 03:00: in Europe/Brussels, as in most of Europe, the clocks jump from 02:00
to 03:00 on the last Sunday of March, so a 02:30 job finds no 02:30 that night and runs an hour late,
at 03:30; on the last Sunday of October the clocks go back from 03:00 to 02:00 and a 02:30 job runs
twice. :func:`dst_warnings` finds such times for any zone, and the command warns at start-up.

Missed runs: jobs live in APScheduler's SQLAlchemyJobStore in the archive's own database (table
``apscheduler_jobs``), so a scheduler that was down sees on start-up the run it missed. A run missed by
at most ``schedule.misfire_grace_minutes`` is made up once, however many were missed (coalesced); an
older one is skipped with a warning (APScheduler's own default grace of one second would skip nearly
every missed run silently). :func:`sync_jobs` brings the stored jobs in line with the config without
recomputing a stored next run time, unless that job's schedule changed: re-adding a job with
``replace_existing`` would recompute it from now and forget the missed run.

Stopping: SIGTERM or SIGINT stops new runs and waits for running ones. A crawl runs in a child process
of its own process group (``pipeline/crawl.py``), so it finishes or stops at its time limit
(``schedule.crawl_time_limit_minutes``). Under systemd, set ``KillMode=mixed`` (else systemd signals the
crawl as well) and a ``TimeoutStopSec`` longer than that time limit.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from pipeline.config import Settings, load_config
from pipeline.cron import cron_trigger, dst_clashes
from pipeline.crawl import run_crawl
from pipeline.frontier import seed_crawl
from pipeline.digest import send_digests
from pipeline.errors import CrawlLocked, NewsmonError
from storage.db import SCHEDULER_JOBS_TABLE, open_database
from storage.errors import StorageError

logger = logging.getLogger(__name__)

CRAWL_JOB = "crawl"
DIGEST_JOB_PREFIX = "digest:"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """One job as the config wants it: what runs, with which arguments, when, and how late it may run."""

    id: str
    func: str  # "module:function": the job store keeps this reference, not the function
    args: tuple[str | None, ...]  # picklable, since they are stored with the job
    cron: str
    timezone: str
    grace_seconds: int

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.cron, self.timezone)


def planned_jobs(settings: Settings, config_path: Path | None, log_level: str = "INFO") -> list[PlannedJob]:
    """The crawl job and one job per digest, as the config describes them."""
    schedule = settings.schedule
    path = str(config_path.resolve()) if config_path is not None else None
    grace = max(1, schedule.misfire_grace_minutes * 60)  # APScheduler's smallest grace is one second

    def job(job_id: str, func: str, args: tuple[str | None, ...], cron: str) -> PlannedJob:
        return PlannedJob(job_id, f"{__name__}:{func}", args, cron, schedule.timezone, grace)

    crawl = job(CRAWL_JOB, "crawl_job", (path, log_level), schedule.crawl)
    digests = [
        job(DIGEST_JOB_PREFIX + d.name, "digest_job", (path, d.name), d.schedule or schedule.digest)
        for d in settings.digests
    ]
    return [crawl, *digests]


def dst_warnings(jobs: list[PlannedJob], now: datetime) -> list[str]:
    """One line per job and clock change in the coming year that makes the job run late or twice."""
    warnings = []
    for job in jobs:
        for fire, change in dst_clashes(job.cron, job.timezone, now):
            warnings.append(
                f"job {job.id}: cron {job.cron!r} fires at {fire:%H:%M} on {fire:%Y-%m-%d}, in the hour "
                f"{change.start:%H:%M}-{change.end:%H:%M} that {job.timezone} "
                + ("skips, so the job runs late" if change.skipped else "repeats, so the job runs twice")
                + "; choose a time outside it"
            )
    return warnings


def build_scheduler(settings: Settings, engine: Engine) -> BackgroundScheduler:
    """A scheduler, not started, whose jobs are stored in the archive's database."""
    store = SQLAlchemyJobStore(engine=engine, tablename=SCHEDULER_JOBS_TABLE)
    return BackgroundScheduler(jobstores={"default": store}, timezone=ZoneInfo(settings.schedule.timezone))


def start_scheduler(scheduler: BaseScheduler, planned: list[PlannedJob]) -> None:
    """Start ``scheduler`` with its stored jobs matched to ``planned``; due and missed runs start now.

    It starts paused, so that nothing runs on a stale job before :func:`sync_jobs` has corrected it.
    """
    scheduler.start(paused=True)
    sync_jobs(scheduler, planned)
    for job in scheduler.get_jobs():
        logger.info("job %s (%s): next run %s", job.id, job.trigger, job.next_run_time)
    scheduler.resume()


def sync_jobs(scheduler: BaseScheduler, planned: list[PlannedJob]) -> None:
    """Make the started scheduler's stored jobs those of ``planned``, keeping each unchanged next run time.

    A job whose schedule is unchanged keeps its stored next run time, even one in the past (a run missed
    while the scheduler was down): ``add_job(replace_existing=True)`` would recompute it from now. A job
    whose schedule changed starts afresh, and a job no longer configured is removed.
    """
    stored = {job.id: job for job in scheduler.get_jobs()}
    for job in planned:
        trigger = job.trigger()
        options = {
            "func": job.func, "args": job.args, "name": job.id,
            "misfire_grace_time": job.grace_seconds, "coalesce": True, "max_instances": 1,
        }
        existing = stored.pop(job.id, None)
        if existing is None:
            scheduler.add_job(id=job.id, trigger=trigger, **options)
            continue
        scheduler.modify_job(job.id, **options)
        if repr(existing.trigger) != repr(trigger):
            logger.info("job %s: schedule changed to %r; next run recomputed", job.id, job.cron)
            scheduler.reschedule_job(job.id, trigger=trigger)
    for job_id in stored:
        logger.info("job %s: no longer configured; removed", job_id)
        scheduler.remove_job(job_id)


class StopRequested(Exception):
    """SIGTERM or SIGINT arrived: take no new runs."""


def run_scheduler(scheduler: BaseScheduler, planned: list[PlannedJob]) -> None:
    """Run ``planned`` until SIGTERM or SIGINT, then wait for running jobs. Call it from the main thread."""
    stopping = _StopOnSignal()
    previous = {sig: signal.signal(sig, stopping) for sig in STOP_SIGNALS}
    try:
        start_scheduler(scheduler, planned)
        while True:
            signal.pause()  # jobs run in the scheduler's threads; a stop signal raises StopRequested here
    except StopRequested as stop:
        logger.info("%s: no new runs; waiting for running jobs (a crawl ends at its time limit)", stop)
    finally:
        if scheduler.running:
            stop_scheduler(scheduler)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    logger.info("scheduler stopped")


def stop_scheduler(scheduler: BaseScheduler) -> None:
    """Start no more runs, then wait for the running ones; stored next run times stay as they are.

    The job store is detached before ``shutdown()`` because APScheduler 3 makes one more round of due
    jobs after it (agronholm/apscheduler#285): it fails to submit them yet moves their next run time on,
    losing a run that the next start would have made up.
    """
    scheduler.pause()
    scheduler.remove_jobstore("default")
    scheduler.shutdown(wait=True)


class _StopOnSignal:
    """Signal handler: the first stop signal raises StopRequested; later ones must not cut the wait short."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.requested:
            logger.warning("%s: already stopping; waiting for running jobs", name)
            return
        self.requested = True
        raise StopRequested(name)


def crawl_job(config_path: str | None, log_level: str = "INFO") -> None:
    """The scheduled crawl, stopped at the configured time limit: a child process under the crawl lock, or
    in cluster mode the seeding of the workers' frontier (under the lock) and a wait until it is drained."""
    with _reported("crawl"):
        settings = load_config(_as_path(config_path)).settings
        engine = open_database(settings.database_url)
        try:
            limit = settings.schedule.crawl_time_limit_minutes * 60
            if settings.cluster.redis_url:  # scale-out: the workers crawl; the scheduler seeds and waits
                seeded = seed_crawl(engine, settings, [], wait=True, timeout=limit)
                assert seeded.run is not None
                run, how = seeded.run, seeded.run.message or f"{seeded.seeded} feeds and sitemaps seeded"
                level = logging.INFO if run.status == "finished" else logging.WARNING
            else:
                outcome = run_crawl(engine, _as_path(config_path), time_limit=limit, log_level=log_level)
                run, how = outcome.run, outcome.run.message or f"exit status {outcome.exit_code}"
                level = logging.INFO if outcome.exit_code == 0 else logging.WARNING
        finally:
            engine.dispose()
        logger.log(level, "crawl run %d: %s (%s)", run.id, run.status, how)


def digest_job(config_path: str | None, name: str) -> None:
    """The scheduled digest ``name``: sends what is new since each recipient's last digest."""
    with _reported(f"digest {name!r}"):
        settings = load_config(_as_path(config_path)).settings
        engine = open_database(settings.database_url)
        try:
            reports = send_digests(settings, engine, [name])
        finally:
            engine.dispose()
        for report in reports:  # a mail failure is a report, not an exception: the log must say so
            logger.log(logging.WARNING if report.status == "failed" else logging.INFO, report.describe())


@contextmanager
def _reported(what: str) -> Iterator[None]:
    """Log a job's expected failures (config, database, a crawl already running) as one line, not a traceback."""
    try:
        yield
    except CrawlLocked as exc:
        logger.warning("%s not started: %s", what, exc)
    except (NewsmonError, StorageError) as exc:
        logger.error("%s failed: %s", what, exc)


def _as_path(config_path: str | None) -> Path | None:
    return Path(config_path) if config_path is not None else None
