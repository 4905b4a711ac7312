"""The ``newsmon schedule`` command: a thin click layer over :mod:`pipeline.schedule`.

Loaded by the ``newsmon`` group when it runs (``pipeline/cli.py``); the :class:`~pipeline.app.App`
opens the database only when the command needs it: ``--dry-run`` never does.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click

from pipeline.app import App, pass_app
from pipeline.cron import next_fire_times
from pipeline.locks import scheduler_lock
from pipeline.schedule import PlannedJob, build_scheduler, dst_warnings, planned_jobs, run_scheduler

FIRE_TIMES_SHOWN = 5
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@click.command("schedule")
@click.option("--dry-run", is_flag=True, help="Print each job with its next five run times and exit.")
@click.option(
    "--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO", show_default=True
)
@pass_app
def schedule_command(app: App, dry_run: bool, log_level: str) -> None:
    """Run the crawl and the digests on their schedules, in the foreground.

    Jobs and times come from [schedule] and [[digests]]: cron expressions (minute hour day month
    weekday, 0 = Sunday) in schedule.timezone. A run missed while the machine was down is made up once
    on start-up, if it is at most schedule.misfire_grace_minutes late. Only one crawl runs at a time,
    scheduled or by hand. SIGTERM or Ctrl-C stops the scheduler after the running jobs; a crawl ends
    by itself or at its time limit.

    Avoid times between 02:00 and 03:00: where clocks change for summer time (Europe/Brussels, most of
    Europe) that hour is skipped in March, so the job runs an hour late, and repeated in October, so
    it runs twice. The command warns when a schedule falls into such an hour.

    \b
    Examples:
      newsmon schedule --dry-run
      newsmon --config /etc/newsmon/newsmon.toml schedule --log-level WARNING
    """
    planned = planned_jobs(app.settings, app.loaded.path, log_level)
    now = datetime.now(UTC)
    for warning in dst_warnings(planned, now):
        click.echo(f"warning: {warning}", err=True)
    if dry_run:
        click.echo(render_plan(planned, now))
        return
    logging.basicConfig(level=log_level, format=LOG_FORMAT)
    with scheduler_lock(app.engine):  # Locked: the newsmon group prints its one line
        run_scheduler(build_scheduler(app.settings, app.engine), planned)


def render_plan(planned: list[PlannedJob], now: datetime) -> str:
    """Each job, its cron expression and time zone, then its next run times."""
    blocks = []
    for job in planned:
        times = next_fire_times(job.trigger(), now, FIRE_TIMES_SHOWN)
        lines = [f"{job.id}: {job.cron!r} in {job.timezone}"]
        lines += [f"  {fire:%a %Y-%m-%d %H:%M %Z}" for fire in times]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
