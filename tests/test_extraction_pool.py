"""The extraction pool: one process per core by default, and extraction never blocks the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

from pipeline.config import Settings
from pipeline.extract import ExtractionOptions
from pipeline.ingest import WORKER_NICENESS, Dropped, ExtractionPool, Page
from pipeline.tagging import Tagger, TopicMatch
from storage.articles import ArticleRecord

ARTICLE = (Path(__file__).parent / "pages" / "en_boilerplate_blocks.html").read_bytes()


def pages(count: int) -> list[Page]:
    return [Page(url=f"https://news.example.eu/{n}", source="S", body=ARTICLE, content_type="text/html")
            for n in range(count)]


def test_the_pool_has_one_worker_per_core_unless_configured() -> None:
    cores = len(os.sched_getaffinity(0))
    default = ExtractionPool.for_settings(Settings())
    configured = ExtractionPool.for_settings(Settings.model_validate({"crawl": {"extract_workers": cores + 1}}))
    try:
        assert (default.workers, configured.workers) == (cores, cores + 1)
    finally:
        default.close()
        configured.close()


def test_pages_are_extracted_in_worker_processes_while_the_event_loop_runs_on() -> None:
    """The crawler awaits extraction from its reactor's loop: the loop must keep serving downloads meanwhile."""
    pool = ExtractionPool.for_settings(Settings.model_validate({"crawl": {"extract_workers": 2}}))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.002)
            ticks += 1

    async def crawl() -> tuple[list[ArticleRecord], int]:
        running = asyncio.create_task(ticker())
        results = await asyncio.gather(*(pool.process(page) for page in pages(24)))
        running.cancel()
        return results, ticks

    try:
        results, ticked = asyncio.run(crawl())
        workers = multiprocessing.active_children()
    finally:
        pool.close()
    assert all(isinstance(result, ArticleRecord) for result in results)
    assert len(workers) >= 2  # the pages went to the pool's processes
    assert ticked >= 3  # a loop blocked by extraction would not have ticked until every page was done


def test_workers_yield_the_cores_to_the_process_feeding_them() -> None:
    expected = min(os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS, 19)
    pool = ExtractionPool.for_settings(Settings.model_validate({"crawl": {"extract_workers": 2}}))
    try:
        assert all(isinstance(result, ArticleRecord) for result in pool.process_all(pages(8)))  # work for both workers
        deadline = time.monotonic() + 30  # a worker sets its niceness when it has started: wait for both
        while (niceness := _niceness(multiprocessing.active_children())) != {expected} and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        pool.close()
    assert niceness == {expected}


def _niceness(processes: list[multiprocessing.Process]) -> set[int]:
    return {os.getpriority(os.PRIO_PROCESS, process.pid) for process in processes if process.pid is not None}


def test_a_pool_given_no_pages_starts_no_worker() -> None:
    """A crawl that finds nothing new must not pay for starting workers: it pays only for the fork server."""
    pool = ExtractionPool.for_settings(Settings.model_validate({"crawl": {"extract_workers": 2}}))
    try:
        assert multiprocessing.active_children() == []
    finally:
        pool.close()


def test_workers_are_forked_from_a_server_that_loaded_extraction_before_the_first_page() -> None:
    """The pool's fork server imports extraction while the crawler is still reading its feeds, so a
    worker is forked, extraction loaded, in milliseconds, instead of importing it after the first page."""
    pool = ExtractionPool.for_settings(Settings.model_validate({"crawl": {"extract_workers": 2}}))
    try:
        servers = [pid for pid in _children(os.getpid()) if b"forkserver" in _command_line(pid)]
        assert len(servers) == 1
        deadline = time.monotonic() + 30
        while "lxml" not in (maps := Path(f"/proc/{servers[0]}/maps").read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "lxml" in maps and multiprocessing.active_children() == []  # loaded, and no worker yet
        assert all(isinstance(result, ArticleRecord) for result in pool.process_all(pages(8)))
        workers = [worker.pid for worker in multiprocessing.active_children()]
        assert workers and all(pid in _children(servers[0]) for pid in workers)
    finally:
        pool.close()


def _children(parent: int) -> list[int]:
    """Processes whose parent is ``parent`` (from /proc: stat's fourth field, after the command name)."""
    children = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(entry.name))
        except OSError:  # exited meanwhile
            continue
    return children


def _command_line(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def test_workers_load_no_database_or_crawler_code() -> None:
    """A worker loads what extraction needs; SQLAlchemy alone would double its start-up and add 20 MB."""
    script = "import sys, pipeline.ingest; print([m for m in ('sqlalchemy', 'scrapy', 'twisted') if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_running_workers_have_not_loaded_the_config() -> None:
    """The topics reach the workers as plain terms: unpickling the config's own models would load pydantic,
    the config module and SQLAlchemy in every worker. pydantic's compiled core shows in its memory map."""
    settings = Settings.model_validate({"crawl": {"extract_workers": 2}, "topics": [{"name": "AI", "keywords": ["AI"]}]})
    pool = ExtractionPool.for_settings(settings)
    try:
        assert all(isinstance(result, ArticleRecord) for result in pool.process_all(pages(8)))
        maps = [Path(f"/proc/{worker.pid}/maps").read_text() for worker in multiprocessing.active_children()]
    finally:
        pool.close()
    assert maps and not any("pydantic_core" in memory for memory in maps)


KILLER = "This sentence kills the extraction worker."


class KillingTagger(Tagger):
    """Ends its worker process abruptly on an article saying KILLER, as a crash in lxml's C code or the
    kernel's out-of-memory killer would; the worker unpickles it by importing this module."""

    def tag(self, title: str | None, text: str | None) -> list[TopicMatch]:
        if KILLER in (text or ""):
            os._exit(70)
        return super().tag(title, text)


def batch_with_a_killer() -> tuple[list[Page], int]:
    killer = Page(url="https://news.example.eu/killer", source="S", content_type="text/html",
                  body=ARTICLE.replace(b"<p>", f"<p>{KILLER} ".encode(), 1))
    batch = pages(6)
    batch.insert(3, killer)
    return batch, 3


def assert_only_the_killer_dropped(results: list[ArticleRecord | Dropped], killer: int) -> None:
    assert results[killer] == Dropped("https://news.example.eu/killer", "S", "crashed the extraction worker")
    assert all(isinstance(result, ArticleRecord) for result in results[:killer] + results[killer + 1 :])


def test_a_page_that_kills_its_worker_is_dropped_and_the_others_are_extracted() -> None:
    """A dead worker breaks the whole pool, failing every page in it: the pool must restart and retry
    them, and drop only the page that kills a worker again."""
    batch, killer = batch_with_a_killer()
    pool = ExtractionPool(KillingTagger([]), ExtractionOptions(), workers=2)

    async def crawl() -> tuple[list[ArticleRecord | Dropped], ArticleRecord | Dropped]:
        results = await asyncio.gather(*(pool.process(page) for page in batch))
        return results, await pool.process(pages(1)[0])  # the restarted pool goes on working

    try:
        results, after = asyncio.run(crawl())
    finally:
        pool.close()
    assert_only_the_killer_dropped(results, killer)
    assert isinstance(after, ArticleRecord)


def test_a_batch_job_survives_a_page_that_kills_its_worker() -> None:
    """``newsmon reextract`` runs batches through the pool, each in an event loop of its own."""
    batch, killer = batch_with_a_killer()
    pool = ExtractionPool(KillingTagger([]), ExtractionOptions(), workers=2)
    try:
        first, second = pool.process_all(batch), pool.process_all(batch)
    finally:
        pool.close()
    assert_only_the_killer_dropped(first, killer)
    assert_only_the_killer_dropped(second, killer)
