"""Dates as feeds, sitemaps and pages write them, to aware UTC datetimes.

Its own module, free of extraction's libraries: the crawler reads feed and sitemap dates with it and
never loads trafilatura (0.1 s of its start-up), which only its extraction workers need.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)  # older means a CMS placeholder such as 0001-01-01


def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 2822 to an aware UTC datetime (naive means UTC); None when implausible."""
    if not value:
        return None
    try:
        moment = as_utc(_parse_timestamp(value.strip()))
    except (TypeError, ValueError, OverflowError):
        return None
    return moment if moment >= _EARLIEST else None


def _parse_timestamp(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return parsedate_to_datetime(value)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
