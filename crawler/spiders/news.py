"""The ``news`` spider: reads each configured source's feeds and sitemaps, requests new articles.

It stays thin: discovery parsing is in ``crawler/discovery.py``, extraction, tagging and storage in
the item pipeline. What it decides is *which* pages to request: fresh entries (``max_age_days``), not
denied by the source's rules, not already in the archive (normalized URL), each once per run.
Feeds and sitemaps are fetched with conditional requests whose validators live in the database.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from crawler.archive import archive_of
from crawler.discovery import DiscoveryError, Link, parse_feed, parse_sitemap
from crawler.failures import describe_failure
from crawler.figures import CrawlFigures
from crawler.queue_dir import make_queue_dir, remove_queue_dir
from crawler.settings import apply_config
from pipeline.config import SourceSettings, load_config
from pipeline.pages import Page
from pipeline.urls import normalize_url

logger = logging.getLogger(__name__)

SOURCE = "newsmon_source"
KIND = "newsmon_kind"
LISTED_AT = "newsmon_listed_at"
REQUESTED = "newsmon_requested_url"
LISTING = "newsmon_listing_url"  # a feed's or sitemap's URL as configured, before any redirect
FULL = "newsmon_full"  # a listing read without conditional headers (the crawl before died)
QUEUE_DIR = "NEWSMON_QUEUE_DIR"  # the JOBDIR this spider made, and removes when the crawl ends


class NewsSpider(Spider):
    name = "news"
    queue_on_disk = True  # pending requests wait on disk: see crawler/queue_dir.py

    def __init__(self, sources: str | Iterable[str] | None = None, full: bool | str = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # A full crawl reads every feed and sitemap unconditionally: after a crawl that died, pages it had
        # listed but not stored must be found again, and a 304 would hide them.
        self.full = full in (True, "1", "true", "yes")
        if isinstance(sources, str):  # scrapy crawl news -a sources="Euractiv,Sifted"
            sources = [name.strip() for name in sources.split(",") if name.strip()]
        self.source_names = list(sources or [])
        self._requested: set[str] = set()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Under plain ``scrapy crawl``, load newsmon's config the same way ``newsmon`` does."""
        super().update_settings(settings)
        if settings.get("NEWSMON_SETTINGS") is None:
            apply_config(settings, load_config().settings, priority="spider")
        if cls.queue_on_disk and not settings.get("JOBDIR"):
            try:
                queue = make_queue_dir()
            except OSError as exc:  # the crawl can still run, with its queue in memory
                logger.warning("pending requests stay in memory: cannot create their directory (%s)", exc)
                return
            settings.set("JOBDIR", queue, priority="spider")
            settings.set(QUEUE_DIR, queue, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = crawler.settings["NEWSMON_SETTINGS"]
        spider.figures = CrawlFigures(crawler)
        spider.archive = archive_of(crawler)
        spider.sources = spider.config.selected_sources(spider.source_names)
        if crawler.settings.get(QUEUE_DIR):
            crawler.signals.connect(spider.remove_queue, signal=signals.engine_stopped)
        return spider

    def remove_queue(self) -> None:
        remove_queue_dir(self.settings[QUEUE_DIR])

    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources:
            self.figures.touch(source.name)
        for source in self.sources:
            for kind, url in source.listings():
                yield self.listing_request(url, source, kind, self.full)

    def listing_request(self, url: str, source: SourceSettings, kind: str, full: bool) -> Request:
        """A feed or sitemap request; made conditional on the way out (crawler.middlewares), unless ``full``."""
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            dont_filter=True,
            priority=10,  # discovery before articles: links are known sooner
            meta={SOURCE: source.name, KIND: kind, LISTING: url, FULL: full, "handle_httpstatus_list": [304]},
        )

    async def parse_listing(self, response: Response) -> AsyncIterator[Request]:
        source = self.config.source(response.meta[SOURCE])
        kind = response.meta[KIND]
        if response.status == 304:
            self.figures.count(source.name, "not_modified")
            return
        try:
            links, sitemaps, problem = self.read_listing(response, kind)
        except DiscoveryError as exc:
            self.source_failed(source.name, f"{kind} {response.url}: {exc}")
            return
        if problem:
            self.source_failed(source.name, f"{kind} {response.url}: {problem}")
        self.figures.count(source.name, "feeds_read")
        await self.archive.save_validators(
            response.meta[LISTING], _header(response, b"ETag"), _header(response, b"Last-Modified")
        )
        for child in self.fresh(sitemaps, source):
            yield self.listing_request(child.url, source, "sitemap", response.meta.get(FULL, False))
        async for request in self.article_requests(self.fresh(links, source), source):
            yield request

    def read_listing(self, response: Response, kind: str) -> tuple[list[Link], list[Link], str | None]:
        """(article links, further sitemaps, a problem worth reporting) of a feed or sitemap."""
        if kind == "feed":
            feed = parse_feed(response.body, response.url, _header(response, b"Content-Type"))
            return feed.links, [], feed.problem
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap, served as a file rather than Content-Encoding
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                raise DiscoveryError(f"cannot decompress gzipped sitemap ({exc})") from None
        sitemap = parse_sitemap(body)
        return sitemap.links, sitemap.sitemaps, sitemap.problem

    def fresh(self, links: Iterable[Link], source: SourceSettings) -> Iterator[Link]:
        """Links recent enough and not denied; an undated link is kept (the page has the date)."""
        days = source.max_age_days or self.config.crawl.max_age_days
        cutoff = datetime.now(UTC) - timedelta(days=days)
        for link in links:
            if link.published_at is not None and link.published_at < cutoff:
                continue
            if any(re.search(pattern, link.url) for pattern in source.deny):
                continue
            yield link

    async def article_requests(self, links: Iterable[Link], source: SourceSettings) -> AsyncIterator[Request]:
        candidates: dict[str, Link] = {}
        for link in links:
            try:
                candidates.setdefault(normalize_url(link.url), link)
            except ValueError as exc:
                logger.info("source %s: skipping link %r (%s)", source.name, link.url, exc)
        new = {url: link for url, link in candidates.items() if url not in self._requested}
        self._requested.update(new)  # before awaiting the archive: a feed and a sitemap read meanwhile count each link once
        self.figures.count(source.name, "links_found", len(new))
        known = await self.archive.known(new)
        self.figures.count(source.name, "skipped_known", len(known))
        for url, link in new.items():
            if url in known:
                continue
            yield Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={SOURCE: source.name, LISTED_AT: link.published_at, REQUESTED: url},
            )

    def parse_article(self, response: Response) -> Iterator[Page]:
        self.figures.count(response.meta[SOURCE], "fetched")
        yield Page(
            url=response.url,
            source=response.meta[SOURCE],
            body=response.body,
            content_type=_header(response, b"Content-Type"),
            requested_url=response.meta[REQUESTED],
            listed_at=response.meta.get(LISTED_AT),
        )

    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason = describe_failure(failure)
        self.source_failed(request.meta[SOURCE], f"{request.meta[KIND]} {request.url}: {reason.message}")

    def source_failed(self, source: str, message: str) -> None:
        logger.error("source %s: %s", source, message)
        self.figures.fail(source, message)

    async def article_failed(self, failure: Failure) -> None:
        """A page that could not be fetched: counted, and remembered when retrying soon is pointless."""
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta[SOURCE]
        reason = describe_failure(failure)
        if reason.dropped:
            logger.info("dropped %s: %s", request.url, reason.message)
            self.figures.drop(source, reason.category)
        else:
            self.source_failed(source, f"page {request.url}: {reason.message}")
        if reason.retry_after is not None:
            await self.archive.mark_seen([(request.meta[REQUESTED], reason.category, reason.retry_after)])


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
