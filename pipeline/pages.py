"""What the crawler hands to extraction, and what extraction says of a page that is no article.

Its own module, free of extraction's libraries: the crawler's spider and item pipeline build and read
these, and never load trafilatura themselves (see :mod:`pipeline.extraction_pool`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.records import utcnow


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page, as the crawler hands it over (the spider's item). Its repr shows only its URL."""

    url: str  # where the page was finally fetched from (after redirects)
    source: str = field(repr=False)
    body: bytes = field(repr=False)
    content_type: str | None = field(default=None, repr=False)
    requested_url: str | None = field(default=None, repr=False)  # the URL first asked for
    listed_at: datetime | None = field(default=None, repr=False)  # the feed's or sitemap's date, a fallback
    fetched_at: datetime = field(default_factory=utcnow, repr=False)


@dataclass(frozen=True, slots=True)
class Dropped:
    """A page that is not an article, and why (a short reason that is counted per source)."""

    url: str
    source: str
    reason: str
