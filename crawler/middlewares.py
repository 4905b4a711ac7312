"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import random

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

MAX_BACKOFF_SECONDS = 120.0


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
