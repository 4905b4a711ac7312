"""Cron expressions as newsmon reads them, and the daylight-saving hours they had better avoid.

An expression has the five crontab fields (minute hour day-of-month month day-of-week) and is read in
an IANA time zone. Weekdays count as in crontab: 0 and 7 are Sunday, ``1-5`` is Monday to Friday.
APScheduler 3's own ``CronTrigger.from_crontab`` counts 0 as Monday, so ``"0 7 * * 1-5"`` would run
Tuesday to Saturday; :func:`cron_trigger` turns numeric weekdays into names, which both read alike.

Where clocks change for summer time, a wall-clock hour is skipped once a year and repeated once (in
Europe/Brussels 02:00-03:00 on the last Sundays of March and October). APScheduler then runs a job
timed in the skipped hour an hour late and one in the repeated hour twice: :func:`dst_clashes` finds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab order: 0 (and 7) is Sunday
_NUMERIC_WEEKDAYS = re.compile(r"(\*|\d)(?:-(\d))?(?:/(\d+))?")


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a five-field crontab expression in ``timezone``; ValueError if it is invalid."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields: got {len(fields)}, expected 5")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=_weekday_names(weekday), timezone=timezone
    )


def _weekday_names(field: str) -> str:
    """Numeric weekdays as names ("1-5" -> "mon,tue,wed,thu,fri"); names and "*" are left as they are."""
    return ",".join(_weekday_part(part) for part in field.split(","))


def _weekday_part(part: str) -> str:
    match = _NUMERIC_WEEKDAYS.fullmatch(part)
    if part == "*" or match is None:
        return part  # names, or something for APScheduler to accept or reject
    first, last, step = match.groups()
    start = 0 if first == "*" else int(first)
    stop = int(last) if last else (6 if first == "*" or step else start)
    if start > stop or stop > 7:
        return part  # let APScheduler reject it with its own message
    days = sorted({day % 7 for day in range(start, stop + 1, int(step or 1))})
    return ",".join(_WEEKDAYS[day] for day in days)


def next_fire_times(trigger: CronTrigger, now: datetime, count: int = 5) -> list[datetime]:
    """The trigger's next ``count`` fire times after ``now``."""
    times: list[datetime] = []
    previous: datetime | None = None
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, previous or now)
        if fire is None:
            break
        times.append(fire)
        previous = fire
    return times


class ClockChange(NamedTuple):
    """The wall-clock span a daylight-saving change skips or repeats (naive local times tagged UTC)."""

    start: datetime
    end: datetime
    skipped: bool


def dst_clashes(
    expression: str, timezone: str, now: datetime, days: int = 366
) -> list[tuple[datetime, ClockChange]]:
    """Each clock change in the next ``days`` that skips or repeats a time at which ``expression`` fires."""
    wall_clock = cron_trigger(expression, "UTC")  # the cron on a clock without DST: wall-clock times
    clashes = []
    for change in _clock_changes(ZoneInfo(timezone), now, days):
        fire = wall_clock.get_next_fire_time(None, change.start)
        if fire is not None and fire < change.end:
            clashes.append((fire, change))
    return clashes


def _clock_changes(zone: ZoneInfo, now: datetime, days: int) -> Iterator[ClockChange]:
    def offset(moment: datetime) -> timedelta:
        return moment.astimezone(zone).utcoffset() or timedelta(0)

    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    for _ in range(days * 24):
        following = hour + timedelta(hours=1)
        before, after = offset(hour), offset(following)
        if before != after:
            minutes = (hour + timedelta(minutes=m) for m in range(1, 61))
            change = next(moment for moment in minutes if offset(moment) == after)
            old_wall, new_wall = change + before, change + after  # the same instant on either clock
            skipped = new_wall > old_wall
            yield ClockChange(min(old_wall, new_wall), max(old_wall, new_wall), skipped)
        hour = following
