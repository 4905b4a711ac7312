"""From a fetched page to a storable article: extract, normalize, tag (pure, no Scrapy).

:func:`process_page` is the one code path for every page newsmon stores: the crawler runs it in a
process pool (:class:`ExtractionPool`) so that both cores extract while the reactor keeps
downloading, and ``newsmon reextract`` runs it over stored pages. ``newsmon extract`` shows users the
same ``decode_html`` + ``extract_article`` steps on local files.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.extract import ExtractionOptions, NotAnArticle, decode_html, extract_article, extraction_options
from pipeline.stories import body_signature
from pipeline.tagging import Tagger, to_record
from pipeline.urls import normalize_url
from storage.records import ArticleRecord, compress_html, utcnow

if TYPE_CHECKING:  # the workers never load the config module
    from pipeline.config import Settings

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page, as the crawler hands it over (the spider's item). Its repr shows only its URL."""

    url: str  # where the page was finally fetched from (after redirects)
    source: str = field(repr=False)
    body: bytes = field(repr=False)
    content_type: str | None = field(default=None, repr=False)
    requested_url: str | None = field(default=None, repr=False)  # the URL first asked for
    listed_at: datetime | None = field(default=None, repr=False)  # the feed's or sitemap's date, a fallback
    fetched_at: datetime = field(default_factory=utcnow, repr=False)


@dataclass(frozen=True, slots=True)
class Dropped:
    """A page that is not an article, and why (a short reason that is counted per source)."""

    url: str
    source: str
    reason: str


def is_html_type(content_type: str | None) -> bool:
    """True for HTML media types, and for a missing header (the body is sniffed later)."""
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


def process_page(page: Page, tagger: Tagger, options: ExtractionOptions) -> ArticleRecord | Dropped:
    """Extract, tag, sign (MinHash, for story clusters) and normalize one page; a bad page returns Dropped."""
    if not is_html_type(page.content_type):
        media_type = (page.content_type or "").split(";", 1)[0].strip()
        return Dropped(page.url, page.source, f"not HTML ({media_type})")
    try:
        html = decode_html(page.body, page.content_type)
        article = extract_article(html, page.url, replace(options, fallback_date=page.listed_at))
    except NotAnArticle as exc:
        return Dropped(page.url, page.source, exc.reason)
    url = normalize_url(article.url)  # extraction only declares a canonical URL that normalizes
    aliases = {normalize_url(u) for u in (page.url, page.requested_url) if u} - {url}
    return ArticleRecord(
        url=url,
        source=page.source,
        title=article.title,
        text=article.text,
        authors=list(article.authors),
        published_at=article.published_at,
        language=article.language,
        description=article.description,
        html_gz=compress_html(html.encode("utf-8")),  # UTF-8: re-extraction never guesses the charset again
        fetched_at=page.fetched_at,
        tags=[to_record(match) for match in tagger.tag(article.title, article.text)],
        aliases=sorted(aliases),
        minhash=body_signature(article.text),
    )


# Workers run this much nicer than the process feeding them. Extraction keeps every core busy, and the
# feeder is one thread: at equal priority, the scheduler shares the cores evenly between the three
# processes, so pages reach the workers late and the cores idle. A nicer worker yields its core the
# moment the feeder needs it (the crawler's reactor, which also answers servers before they time out).
# On the crawl benchmark's 2,000 pages it took the crawl from 33 s to 29 s, and 30 to 26 ms of CPU a page.
WORKER_NICENESS = 5

# Worker-process state: built once per process by the pool's initializer, not pickled per page.
_worker: tuple[Tagger, ExtractionOptions] | None = None


def _init_worker(tagger: Tagger, options: ExtractionOptions) -> None:
    global _worker
    os.nice(WORKER_NICENESS)
    _worker = (tagger, options)


def _process_in_worker(page: Page) -> ArticleRecord | Dropped:
    assert _worker is not None, "ExtractionPool worker used before its initializer ran"
    tagger, options = _worker
    try:
        return process_page(page, tagger, options)
    except Exception as exc:  # a page must never take the pool down; report it as a drop with its cause
        logger.exception("%s: extraction failed", page.url)
        return Dropped(page.url, page.source, f"extraction error ({type(exc).__name__})")


def _start_fork_server() -> None:
    """Start this process's fork server, unless it runs; it imports this module before serving forks."""
    multiprocessing.set_forkserver_preload([__name__])
    multiprocessing.forkserver.ensure_running()


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class ExtractionPool:
    """A process pool running :func:`process_page`, awaitable from asyncio code.

    Workers are forked by a fork server (multiprocessing's ``forkserver`` method), started with the
    pool: a clean process that imports extraction (trafilatura, lxml: 0.6 s of CPU) once, while the
    crawler is still reading its feeds, and then forks each worker in milliseconds, sharing those
    modules' memory with it. Forking the crawler itself could copy locks held by its reactor and
    database threads into the child, and ``spawn`` made each worker import everything again, after
    the first page had arrived. Workers start at the first pages, so a crawl that finds nothing new
    starts none and pays only for the fork server.
    """

    def __init__(self, tagger: Tagger, options: ExtractionOptions, workers: int = 0) -> None:
        """``tagger`` goes to the workers as regex sources, which each worker compiles as its pages need
        them: the configured topics it is built from are the config's pydantic models, whose unpickling
        would load the config module and SQLAlchemy there."""
        self.workers = workers or default_workers()
        self._initargs = (tagger, options)
        _start_fork_server()
        self._executor = self._new_executor()
        self._retrying = asyncio.Lock()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_init_worker,
            initargs=self._initargs,
        )

    @classmethod
    def for_settings(cls, settings: Settings) -> ExtractionPool:
        """The pool a config asks for: its topics, its extraction options, its number of workers."""
        return cls(Tagger(settings.topics), extraction_options(settings), settings.crawl.extract_workers)

    async def process(self, page: Page) -> ArticleRecord | Dropped:
        """Extract a page in a worker. A worker that dies (killed, out of memory, or crashed by a page
        in a C library) breaks the whole pool, failing every page in it: the pool is restarted, and
        those pages are tried again one at a time, so that the page that kills a worker again is the
        only one dropped and the crawl goes on."""
        try:
            return await self._submit(page)
        except BrokenProcessPool:
            pass
        async with self._retrying:
            try:
                return await self._submit(page)
            except BrokenProcessPool:
                logger.error("%s: extracting it killed the worker process twice; page dropped", page.url)
                return Dropped(page.url, page.source, "crashed the extraction worker")

    async def _submit(self, page: Page) -> ArticleRecord | Dropped:
        executor = self._executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, _process_in_worker, page)
        except BrokenProcessPool:
            if self._executor is executor:  # the first of its pages to hear of it restarts the pool
                logger.warning("an extraction worker process died (killed, out of memory, or crashed by a page): "
                               "starting new workers; the pages it held are tried again one at a time")
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
            raise

    def process_all(self, pages: Iterable[Page]) -> list[ArticleRecord | Dropped]:
        """Results in the order of ``pages``, for batch jobs outside an event loop (``newsmon reextract``),
        with :meth:`process`'s handling of dead workers."""

        async def process_together() -> list[ArticleRecord | Dropped]:
            self._retrying = asyncio.Lock()  # a lock belongs to the first loop that waits on it: one per run
            return await asyncio.gather(*(self.process(page) for page in pages))

        return asyncio.run(process_together())

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
