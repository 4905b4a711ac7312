"""Crawl-level extensions: the stored crawl run, and progress lines while crawling."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.archive import archive_of, close_archive
from crawler.figures import CrawlFigures
from storage.runs import SourceFigures, finish_run, start_run

logger = logging.getLogger(__name__)

RUN_ID_STAT = "newsmon_run_id"


class CrawlRunRecorder:
    """Stores the crawl as a run with its figures per source, however the crawl ends.

    ``newsmon crawl`` creates the run itself and passes ``NEWSMON_RUN_ID`` (so that it can record a
    crawl process that died); under plain ``scrapy crawl`` the run is created here.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = crawler.settings.getint("NEWSMON_RUN_ID") or None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        if self.run_id is None:
            self.run_id = start_run(archive_of(self.crawler).engine)
        self.crawler.stats.set_value(RUN_ID_STAT, self.run_id)
        logger.info("crawl run %d started", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        figures = CrawlFigures(self.crawler).collect()
        status = "finished" if reason == "finished" else "interrupted"
        try:
            if self.run_id is not None:
                finish_run(archive_of(self.crawler).engine, self.run_id, status, figures, message=reason)
        finally:
            close_archive(self.crawler)
        logger.info("crawl run %s %s: %s", self.run_id, status, summary(figures.values()))


_COUNTED = ("feeds_read", "links_found", "skipped_known", "fetched", "stored", "dropped", "failed")


def summary(figures: Iterable[SourceFigures]) -> str:
    """One line of totals over all sources."""
    totals = SourceFigures()
    for figs in figures:
        for name in _COUNTED:
            setattr(totals, name, getattr(totals, name) + getattr(figs, name))
    return (
        f"{totals.feeds_read} feeds/sitemaps read, {totals.links_found} links, {totals.skipped_known} known, "
        f"{totals.fetched} fetched, {totals.stored} stored, {totals.dropped} dropped, {totals.failed} failed"
    )


class Progress:
    """Logs one progress line every PROGRESS_INTERVAL seconds (0 turns it off)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        return cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL"))

    def spider_opened(self, spider: Spider) -> None:
        if self.interval > 0:
            self._task = asyncio.get_event_loop().create_task(self._report())

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            logger.info("progress: %s", summary(CrawlFigures(self.crawler).collect().values()))

    def spider_closed(self, spider: Spider) -> None:
        if self._task is not None:
            self._task.cancel()
