"""The crawler's downloader middlewares, on their own."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.archive import archive_of, close_archive
from crawler.middlewares import ConditionalListingMiddleware
from crawler.spiders.news import FULL, LISTING
from pipeline.config import Settings
from storage.db import open_database
from storage.runs import save_validators

FEED = "https://news.example.eu/feed.xml"
SOURCES = [{"name": "News", "feeds": [FEED]}]


def test_listing_requests_carry_the_stored_validators_unless_read_in_full(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    save_validators(engine, FEED, '"v1"', "Tue, 24 Nov 2026 08:00:00 GMT")
    engine.dispose()
    crawler = get_crawler(settings_dict={"NEWSMON_SETTINGS": Settings(database_url=sqlite_url, sources=SOURCES)})
    middleware = ConditionalListingMiddleware.from_crawler(crawler)
    conditional = Request(FEED, meta={LISTING: FEED, FULL: False})
    redirected = Request("https://www.news.example.eu/feed.xml", meta={LISTING: FEED, FULL: False})
    full = Request(FEED, meta={LISTING: FEED, FULL: True})
    article = Request("https://news.example.eu/2026/article")

    async def send_all() -> None:
        for request in (conditional, redirected, full, article):
            await middleware.process_request(request)

    try:
        asyncio.run(send_all())
    finally:
        close_archive(crawler)
    for request in (conditional, redirected):  # validators are the listing's, as configured
        assert request.headers[b"If-None-Match"] == b'"v1"'
        assert request.headers[b"If-Modified-Since"] == b"Tue, 24 Nov 2026 08:00:00 GMT"
    assert b"If-None-Match" not in full.headers and b"If-Modified-Since" not in full.headers
    assert not article.headers


def test_a_retried_listing_request_is_not_looked_up_again(sqlite_url: str) -> None:
    crawler = get_crawler(settings_dict={"NEWSMON_SETTINGS": Settings(database_url=sqlite_url, sources=SOURCES)})
    middleware = ConditionalListingMiddleware.from_crawler(crawler)
    archive = archive_of(crawler)
    looked_up: list[list[str]] = []
    original = archive.validators

    async def counting(urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
        looked_up.append(list(urls))
        return await original(urls)

    archive.validators = counting  # type: ignore[method-assign]
    first = Request(FEED, meta={LISTING: FEED, FULL: False})

    async def send_twice() -> None:
        await middleware.process_request(first)
        await middleware.process_request(first.copy())  # what RetryMiddleware sends again

    try:
        asyncio.run(send_twice())
    finally:
        close_archive(crawler)
    assert looked_up == [[FEED]]
