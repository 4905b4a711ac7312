"""Scale-out: the news spider as a long-lived worker on a shared Redis frontier (scrapy-redis).

scrapy-redis 0.9.1 predates Scrapy's ``async def start()``: its ``RedisMixin`` offers only the
deprecated ``start_requests()``. :class:`WorkerSpider` adapts it: ``start()`` yields the first
batch of seeds, and the mixin's ``spider_idle`` handler keeps pulling seeds and keeps the spider
open (until ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds without work, when set). Requests are shared
through scrapy-redis's scheduler and duplicate filter, so an article listed by several feeds is
requested by exactly one worker. Seeds are JSON written by ``pipeline/frontier.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import warnings
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import BaseSettings
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.scheduler import Scheduler
from scrapy_redis.spiders import RedisMixin

from crawler.figures import CrawlFigures
from crawler.pipelines import PENDING_STAT
from crawler.spiders.news import NewsSpider
from pipeline.config import Settings
from pipeline.frontier import BUSY_TTL_SECONDS, COUNTED, FrontierKeys
from storage.runs import SourceFigures

logger = logging.getLogger(__name__)
T = TypeVar("T")

# scrapy-redis 0.9.1 still passes `spider` to the stats collector and calls Spider.log(), which Scrapy
# 2.19 deprecates; the calls work, so keep the nightly log free of these reminders.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

REDIS_RETRY_SECONDS = 120.0  # how long a worker waits for Redis to come back before giving up
STATUS_INTERVAL_SECONDS = 2.0


def apply_cluster_settings(settings: BaseSettings, config: Settings, idle_exit: float = 0) -> None:
    """Scrapy settings that put the crawl on the shared frontier of ``config.cluster``."""
    keys = FrontierKeys(config.cluster.key_prefix)
    values = {
        "SCHEDULER": "crawler.distributed.ResilientScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "SCHEDULER_PERSIST": True,  # the frontier outlives any one worker
        "REDIS_URL": config.cluster.redis_url,
        "REDIS_START_URLS_KEY": keys.seeds,
        "MAX_IDLE_TIME_BEFORE_CLOSE": int(idle_exit),
        "NEWSMON_FRONTIER_PREFIX": config.cluster.key_prefix,
    }
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["crawler.distributed.WorkerStatus"] = 120
    settings.set("EXTENSIONS", extensions, priority="cmdline")


def retry_redis(operation: str, function: Callable[..., T], *args: Any) -> T:
    """Call ``function``; while Redis is unreachable, log one line and retry with growing pauses."""
    deadline = time.monotonic() + REDIS_RETRY_SECONDS
    pause = 1.0
    while True:
        try:
            return function(*args)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if time.monotonic() > deadline:
                raise
            logger.warning("Redis unreachable during %s (%s); retrying in %.0fs", operation, exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, 15.0)


class ResilientScheduler(Scheduler):
    """scrapy-redis's scheduler, riding out short Redis outages instead of failing the crawl."""

    def enqueue_request(self, request: Request) -> bool:
        return retry_redis("enqueue", super().enqueue_request, request)

    def next_request(self) -> Request | None:
        return retry_redis("dequeue", super().next_request)

    def has_pending_requests(self) -> bool:
        return retry_redis("queue length", super().has_pending_requests)


RUN = "newsmon_run"  # request meta: the crawl run of the seed a listing request came from


class WorkerSpider(RedisMixin, NewsSpider):
    """The news spider fed by seeds from Redis instead of the config's source list."""

    queue_on_disk = False  # the frontier in Redis is the queue
    _run: int | None = None  # the crawl run of the last listing read

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider: WorkerSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for request in retry_redis("reading seeds", lambda: list(self.next_requests())):
            yield request

    def spider_idle(self) -> None:
        retry_redis("reading seeds", super().spider_idle)

    def make_request_from_data(self, data: bytes) -> Request | None:
        """A seed (JSON: run, source, kind, url) becomes a conditional feed or sitemap request."""
        try:
            seed = json.loads(data)
            source = self.config.source(seed["source"])
        except (ValueError, KeyError) as exc:
            logger.error("ignoring seed %r: %s", data[:200], exc)
            return None
        request = self.listing_request(seed["url"], source, seed["kind"], self.full or seed.get("full", False))
        request.meta[RUN] = seed.get("run")
        return request

    async def parse_listing(self, response: Response) -> AsyncIterator[Request]:
        """Read a listing; the first one of a new crawl run makes this long-lived worker forget the links
        it queued in earlier runs. The shared duplicate filter was cleared for the new run, and a page
        that a dead worker took and lost must be queued again, by whichever worker reads its listing.
        (A sitemap index's children carry no run: they belong to the run being read.)"""
        run = response.meta.get(RUN, self._run)
        if run != self._run:
            self._run = run
            self._requested.clear()
        async for request in super().parse_listing(response):
            yield request


class WorkerStatus:
    """Publishes what a worker does, for ``newsmon crawl --wait``: a busy flag and the crawl figures.

    The busy flag is set as soon as a request is scheduled and, every couple of seconds, kept while
    Scrapy is not idle or pages still wait for extraction or storage; it expires on its own if the
    worker dies. The figures are this worker's stats (``newsmon/<source>/<figure>``); their growth
    since the last push is added to the Redis hash of the current crawl run, so that the run's table
    sums all workers.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.keys = FrontierKeys(crawler.settings["NEWSMON_FRONTIER_PREFIX"])
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.server = get_redis_from_settings(crawler.settings)  # scrapy-redis's client, with its timeouts
        self._pushed: dict[str, SourceFigures] = {}
        self._run: int | None = None  # the crawl run figures were last pushed to
        self._busy_at = 0.0  # monotonic time the busy flag was last set
        self._task: asyncio.Task[None] | None = None
        crawler.signals.connect(self.scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerStatus:
        return cls(crawler)

    def scheduled(self, **_: Any) -> None:
        """Busy from the first request on; one Redis call a second at most, not one per request."""
        if time.monotonic() - self._busy_at >= 1.0:
            self._safely(self._set_busy)

    def opened(self, spider: Spider) -> None:
        self._task = asyncio.get_event_loop().create_task(self._report())

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(STATUS_INTERVAL_SECONDS)
            self.report()

    def report(self) -> None:
        self._safely(self.server.hset, self.keys.workers, self.worker, time.time())
        self._safely(self.push_figures)
        engine = self.crawler.engine
        working = engine is not None and not engine.spider_is_idle()
        if working or self.crawler.stats.get_value(PENDING_STAT, 0) > 0:
            self._safely(self._set_busy)
        else:
            self._safely(self.server.delete, self.keys.busy(self.worker))
            self._busy_at = 0.0  # the next scheduled request must set the flag again at once

    def closed(self, spider: Spider) -> None:
        if self._task is not None:
            self._task.cancel()
        self._safely(self.push_figures)
        self._safely(self.server.delete, self.keys.busy(self.worker))
        self._safely(self.server.hdel, self.keys.workers, self.worker)  # a clean exit: not a dead worker
        self.server.close()

    def _set_busy(self) -> None:
        self.server.set(self.keys.busy(self.worker), "1", ex=BUSY_TTL_SECONDS)
        self._busy_at = time.monotonic()

    def push_figures(self) -> None:
        generation = self.server.get(self.keys.generation)
        if generation is None:
            return
        run_id = int(generation)
        current = CrawlFigures(self.crawler).collect()
        with self.server.pipeline() as pipe:
            for source, figures in current.items():
                before = self._pushed.get(source, SourceFigures())
                for name in COUNTED:
                    delta = getattr(figures, name) - getattr(before, name)
                    if delta:
                        pipe.hincrby(self.keys.figures(run_id), f"{source}\t{name}", delta)
                for reason, count in figures.drop_reasons.items():
                    delta = count - before.drop_reasons.get(reason, 0)
                    if delta:
                        pipe.hincrby(self.keys.figures(run_id), f"{source}\tdrop:{reason}", delta)
                for message in figures.errors[len(before.errors):]:
                    pipe.rpush(self.keys.errors(run_id), f"{source}\t{message}")
            pipe.execute()
        self._pushed = current
        if run_id != self._run:  # a new run: its errors are listed from scratch, not after the last run's
            self._run = run_id
            CrawlFigures(self.crawler).forget_errors()
            for figures in self._pushed.values():
                figures.errors = []

    def _safely(self, function: Callable[..., Any], *args: Any) -> None:
        try:
            function(*args)
        except redis.RedisError as exc:
            logger.warning("could not publish worker status to Redis (%s); will retry", exc)

