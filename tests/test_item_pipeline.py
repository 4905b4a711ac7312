"""The item pipeline's bookkeeping: what counts as pending, stored, dropped or failed."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy.exc import OperationalError

from crawler.pipelines import PENDING_STAT, ArchivePipeline
from pipeline.config import Settings
from pipeline.pages import Dropped, Page
from storage.articles import ArticleRecord

ARTICLE = Page(url="https://news.example.eu/a", source="News", body=b"<html>article</html>")
GALLERY = Page(url="https://news.example.eu/gallery", source="News", body=b"<html>photos</html>")


class FakePool:
    """Extraction without processes: the gallery is not an article, anything else is."""

    async def process(self, page: Page) -> ArticleRecord | Dropped:
        if page is GALLERY:
            return Dropped(page.url, page.source, "no article body")
        return ArticleRecord(url=page.url, source=page.source, title="A", text="text " * 100)


class FakeArchive:
    def __init__(self, store_fails: bool) -> None:
        self.store_fails = store_fails
        self.stored: list[str] = []
        self.seen: list[str] = []

    async def store(self, records: list[ArticleRecord]) -> dict[str, int]:
        if self.store_fails:
            raise OperationalError("INSERT", {}, Exception("database is gone"))
        self.stored += [record.url for record in records]
        return {}

    async def mark_seen(self, outcomes: list[tuple[str, str, object]]) -> None:
        self.seen += [url for url, _, _ in outcomes]


@pytest.mark.parametrize("store_fails", [False, True], ids=["stored", "store-fails"])
def test_only_batched_articles_are_pending_and_a_flush_settles_them(store_fails: bool) -> None:
    """Workers report themselves busy while anything is pending: the figure must return to zero."""
    crawler = get_crawler(settings_dict={"NEWSMON_SETTINGS": Settings(database_url="sqlite:///unused.db")})
    pipeline = ArchivePipeline(crawler)
    pipeline.pool = FakePool()  # type: ignore[assignment]
    pipeline.archive = archive = FakeArchive(store_fails)  # type: ignore[assignment]

    async def crawl() -> list[int]:
        pipeline._flushing = asyncio.Lock()
        pending = []
        await pipeline.process_item(ARTICLE)
        pending.append(crawler.stats.get_value(PENDING_STAT, 0))
        with pytest.raises(DropItem):
            await pipeline.process_item(GALLERY)
        pending.append(crawler.stats.get_value(PENDING_STAT, 0))
        await pipeline.flush()
        pending.append(crawler.stats.get_value(PENDING_STAT, 0))
        return pending

    assert asyncio.run(crawl()) == [1, 1, 0]
    figures = pipeline.figures.collect()["News"]
    assert archive.seen == [GALLERY.url] and figures.dropped == 1
    if store_fails:
        assert archive.stored == [] and figures.failed == 1 and figures.stored == 0
    else:
        assert archive.stored == [ARTICLE.url] and figures.stored == 1 and figures.failed == 0
