"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import random

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.archive import archive_of
from crawler.spiders.news import FULL, LISTING

MAX_BACKOFF_SECONDS = 120.0


_LOOKED_UP = "newsmon_validators_looked_up"


class ConditionalListingMiddleware:
    """Makes feed and sitemap requests conditional (If-None-Match / If-Modified-Since) with the
    validators the archive kept from the last time each was read, so that an unchanged one costs a 304.

    Looked up here, on the way out and in the archive's database thread (with its retries), for every
    listing request however it was made: the spider's, a sitemap index's child, a cluster seed. A
    listing marked full (the crawl before it died, or ``--full``) is read unconditionally.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalListingMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        listing = request.meta.get(LISTING)
        if listing is None or request.meta.get(FULL) or request.meta.get(_LOOKED_UP):
            return  # a retry or a redirect keeps its meta and headers: no second look-up
        request.meta[_LOOKED_UP] = True
        validators = (await archive_of(self.crawler).validators([listing])).get(listing)
        etag, last_modified = validators or (None, None)
        for header, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified)):
            if value:
                request.headers.setdefault(header, value)


class RetryBackoffMiddleware:
    """Waits before sending a retried request: exponential backoff with jitter.

    Scrapy's RetryMiddleware re-queues a failed request at once; a server that is overloaded or
    rate-limiting us deserves a growing pause (base, 2 x base, 4 x base ... with +-25 % jitter).
    Only the retried request waits; other downloads go on.
    """

    def __init__(self, base_seconds: float) -> None:
        self.base_seconds = base_seconds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        base = crawler.settings.getfloat("RETRY_BACKOFF_SECONDS")
        if base <= 0:
            raise NotConfigured("RETRY_BACKOFF_SECONDS is 0")
        return cls(base)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        nominal = min(self.base_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
        return nominal * random.uniform(0.75, 1.25)

    async def process_request(self, request: Request) -> None:
        attempt = request.meta.get("retry_times", 0)
        if attempt:
            await asyncio.sleep(self.delay(attempt))
