"""The crawl's window on storage: every database call runs off the reactor, in one thread.

One thread is enough (SQLite takes one writer at a time anyway) and keeps writes in order. The
archive belongs to the crawler: the spider, the item pipeline and the run recorder share it through
:func:`archive_of`, and the run recorder closes it last.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from pipeline.config import story_options
from storage.articles import ArticleRecord, known_urls, mark_seen, upsert_articles
from storage.db import first_line, open_database
from storage.runs import load_validators, save_validators
from storage.stories import StoryOptions

T = TypeVar("T")
logger = logging.getLogger(__name__)
DATABASE_RETRY_SECONDS = 120.0


class Archive:
    def __init__(self, engine: Engine, stories: StoryOptions = StoryOptions()) -> None:
        self.engine = engine
        self.stories = stories
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsmon-db")

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        """Run a storage call in the database thread; while the database is unreachable, retry with a
        growing pause (one log line each time) for up to DATABASE_RETRY_SECONDS, then give up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DATABASE_RETRY_SECONDS
        pause = 1.0
        while True:
            try:
                return await loop.run_in_executor(self._thread, function, self.engine, *args)
            except OperationalError as exc:
                if loop.time() + pause > deadline:
                    raise
                logger.warning("database unreachable (%s); retrying in %.0fs", first_line(exc), pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 15.0)

    async def known(self, urls: Iterable[str]) -> set[str]:
        return await self._run(known_urls, list(urls))

    async def validators(self, urls: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        return await self._run(load_validators, list(urls))

    async def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        await self._run(save_validators, url, etag, last_modified)

    async def mark_seen(self, outcomes: Sequence[tuple[str, str, datetime | None]]) -> None:
        await self._run(mark_seen, list(outcomes))

    async def store(self, records: Sequence[ArticleRecord]) -> dict[str, int]:
        return await self._run(upsert_articles, list(records), self.stories)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self.engine.dispose()


_archives: WeakKeyDictionary[Crawler, Archive] = WeakKeyDictionary()


def archive_of(crawler: Crawler) -> Archive:
    """The crawler's archive, opened on first use from the newsmon settings in its Scrapy settings."""
    if crawler not in _archives:
        settings = crawler.settings["NEWSMON_SETTINGS"]
        _archives[crawler] = Archive(open_database(settings.database_url), story_options(settings))
    return _archives[crawler]


def close_archive(crawler: Crawler) -> None:
    archive = _archives.pop(crawler, None)
    if archive is not None:
        archive.close()
