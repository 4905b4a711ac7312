"""The item pipeline: fetched page -> extraction pool -> batched storage.

Extraction is CPU-bound, so pages go to an extraction pool sized to the machine's cores and the reactor
keeps downloading meanwhile. Storage writes are batched (one transaction per batch) and run in the
archive's database thread. A batch is flushed when it is full, every few seconds, and when the spider
closes (Ctrl-C included): a killed crawl loses at most the pages of the unflushed batch, which are
not in the archive and so are fetched again by the next crawl.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.archive import Archive, archive_of
from crawler.figures import CrawlFigures
from pipeline.extraction_pool import ExtractionPool
from pipeline.pages import Dropped, Page
from pipeline.urls import normalize_url
from storage.articles import ArticleRecord

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
FLUSH_INTERVAL_SECONDS = 2.0
PENDING_STAT = "newsmon_pending_pages"  # extracted articles waiting in the batch, not yet stored
NOT_ARTICLE_RETRY = timedelta(days=7)  # a page that is not an article now may be one later (a live blog)


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = crawler.settings["NEWSMON_SETTINGS"]
        self.figures = CrawlFigures(crawler)
        self._batch: list[ArticleRecord] = []
        self._flushing: asyncio.Lock | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None
        self.pool: ExtractionPool | None = None
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        self.pool = ExtractionPool.for_settings(self.config)
        self.archive = archive_of(self.crawler)
        self._flushing = asyncio.Lock()
        self._closing = asyncio.Event()
        self._ticker = asyncio.create_task(self._flush_periodically())
        logger.info("extracting with %d worker processes", self.pool.workers)

    async def process_item(self, page: Page) -> Page:
        assert self.pool is not None and self.archive is not None
        result = await self.pool.process(page)
        if isinstance(result, Dropped):
            self.figures.drop(page.source, result.reason)
            retry = datetime.now(UTC) + NOT_ARTICLE_RETRY
            await self.archive.mark_seen([(normalize_url(page.requested_url or page.url), result.reason, retry)])
            raise DropItem(result.reason)
        self._batch.append(result)
        # Scrapy counts a page as busy until its item leaves this pipeline; a batched article is not stored yet
        self.crawler.stats.inc_value(PENDING_STAT)
        if len(self._batch) >= BATCH_SIZE:
            await self.flush()
        return page

    async def flush(self) -> None:
        """Store the pending batch in one transaction; on failure, log it and count the pages as failed."""
        assert self._flushing is not None and self.archive is not None
        async with self._flushing:
            batch, self._batch = self._batch, []
            if not batch:
                return
            try:
                await self._store(batch)
            except Exception as exc:  # the database went away: these pages are refetched next crawl
                logger.error("could not store %d articles: %s", len(batch), exc)
                for record in batch:
                    self.figures.fail(record.source, f"page {record.url}: not stored ({type(exc).__name__})")
                return
            for record in batch:
                self.figures.count(record.source, "stored")

    async def _store(self, batch: list[ArticleRecord]) -> None:
        assert self.archive is not None
        try:
            await self.archive.store(batch)
        finally:
            self.crawler.stats.inc_value(PENDING_STAT, -len(batch))

    async def _flush_periodically(self) -> None:
        assert self._closing is not None
        while not self._closing.is_set():
            try:
                await asyncio.wait_for(self._closing.wait(), FLUSH_INTERVAL_SECONDS)
            except TimeoutError:
                await self.flush()

    async def close_spider(self) -> None:
        """Store what is pending. The ticker is stopped, not cancelled: a cancelled flush could be
        half-way through a write whose outcome would then go uncounted."""
        if self._closing is not None and self._ticker is not None:
            self._closing.set()
            await self._ticker
        await self.flush()
        if self.pool is not None:
            self.pool.close()
