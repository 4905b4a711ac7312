"""Per-source crawl figures, kept in Scrapy's stats collector under ``newsmon/<source>/...``.

Using the stats collector (rather than a private dict) means the figures show up in Scrapy's own
closing stats dump and any stats extension sees them too.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from scrapy.crawler import Crawler

from storage.runs import SourceFigures

_PREFIX = "newsmon"


def _key(source: str, *parts: str) -> str:
    return "/".join((_PREFIX, quote(source, safe=""), *parts))
MAX_ERRORS_PER_SOURCE = 20  # keep the stored run small even when a source fails on every page


class CrawlFigures:
    """Counts what happens to each source's feeds, links and pages during one crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self._crawler = crawler

    @property
    def _stats(self):  # type: ignore[no-untyped-def]
        """Looked up on use: Scrapy sets the stats collector only when the crawl starts."""
        return self._crawler.stats

    def count(self, source: str, figure: str, amount: int = 1) -> None:
        if figure not in SourceFigures.__dataclass_fields__:
            raise ValueError(f"unknown crawl figure {figure!r}")
        self._stats.inc_value(_key(source, figure), amount)

    def drop(self, source: str, reason: str) -> None:
        """A page that was fetched but is not stored, with why (a short, countable reason)."""
        self.count(source, "dropped")
        self._stats.inc_value(_key(source, "drop_reasons", reason))

    def fail(self, source: str, message: str) -> None:
        """A feed, sitemap or page that could not be fetched or read."""
        self.count(source, "failed")
        errors = self._stats.get_value(_key(source, "errors")) or []
        if len(errors) < MAX_ERRORS_PER_SOURCE:
            self._stats.set_value(_key(source, "errors"), [*errors, message])

    def forget_errors(self) -> None:
        """Start every source's error list afresh: a long-lived worker's next crawl run has its own."""
        for key in [key for key in self._stats.get_stats() if key.startswith(f"{_PREFIX}/") and key.endswith("/errors")]:
            self._stats.set_value(key, [])

    def touch(self, source: str) -> None:
        """Make a source appear in the results even if nothing happens to it."""
        self._stats.inc_value(_key(source, "feeds_read"), 0)

    def collect(self) -> dict[str, SourceFigures]:
        """The figures of every source seen, from the stats collected so far."""
        out: dict[str, SourceFigures] = {}
        for key, value in self._stats.get_stats().items():
            parts = key.split("/", 3)
            if parts[0] != _PREFIX or len(parts) < 3:
                continue
            figures = out.setdefault(unquote(parts[1]), SourceFigures())
            if parts[2] == "drop_reasons" and len(parts) == 4:
                figures.drop_reasons[parts[3]] = value
            elif parts[2] == "errors":
                figures.errors = list(value)
            else:
                setattr(figures, parts[2], value)
        return out
