"""The extraction pool: one process per core by default, and extraction never blocks the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.extract import ExtractionOptions
from pipeline.extraction_pool import WORKER_NICENESS, ExtractionPool
from pipeline.pages import Dropped, Page
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
    script = "import sys, pipeline.extraction_pool; print([m for m in ('sqlalchemy', 'scrapy', 'twisted') if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


CRAWLER_MODULES = """
import asyncio, sys
import crawler.distributed, crawler.extensions, crawler.middlewares, crawler.pipelines, crawler.run, crawler.spiders.news
from pipeline.config import Settings
from pipeline.extraction_pool import ExtractionPool
from pipeline.pages import Page

if __name__ == "__main__":
    pool = ExtractionPool.for_settings(Settings())
    page = Page(url="https://news.example.eu/1", source="S", body=open(sys.argv[1], "rb").read(), content_type="text/html")
    print(type(asyncio.run(pool.process(page))).__name__)
    pool.close()
    print([m for m in ("trafilatura", "htmldate", "justext", "pipeline.extract", "pipeline.ingest") if m in sys.modules])
"""


def test_the_crawler_loads_no_extraction_library(tmp_path: Path) -> None:
    """Only the workers extract: the crawler feeding them spares itself trafilatura's import (0.1 s of the
    start-up of every crawl) and its memory."""
    script = tmp_path / "crawler_modules.py"
    script.write_text(CRAWLER_MODULES, encoding="utf-8")
    root = Path(__file__).parent.parent
    article = Path(__file__).parent / "pages" / "en_boilerplate_blocks.html"
    result = subprocess.run([sys.executable, str(script), str(article)], cwd=root, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(root)})
    assert result.stdout.split("\n")[:2] == ["ArticleRecord", "[]"], result.stderr[-2000:]


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
    """The page a worker died on is tried once more in a new worker, and dropped when it kills that one
    too; the page queued behind it in the dead worker, and every other page, are extracted."""
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


def test_batches_reuse_the_workers_of_the_batch_before() -> None:
    """Each ``process_all`` runs an event loop of its own: its workers must outlive it, not pile up."""
    pool = ExtractionPool.for_settings(Settings.model_validate({"crawl": {"extract_workers": 2}}))
    try:
        assert all(isinstance(result, ArticleRecord) for result in pool.process_all(pages(8)))
        first = sorted(worker.pid for worker in multiprocessing.active_children())
        assert all(isinstance(result, ArticleRecord) for result in pool.process_all(pages(8)))
        second = sorted(worker.pid for worker in multiprocessing.active_children())
    finally:
        pool.close()
    assert len(first) == 2 and second == first
    assert multiprocessing.active_children() == []  # closed: the workers are gone


def test_callers_that_stop_waiting_do_not_upset_the_pool() -> None:
    """Scrapy cancels the item pipeline's waits when a crawl is stopped: the results of pages nobody awaits
    any more are thrown away, and the pages after them get their own results."""
    pool = ExtractionPool(Tagger([]), ExtractionOptions(), workers=2)
    batch = pages(12)

    async def crawl() -> list[ArticleRecord | Dropped]:
        abandoned = [asyncio.create_task(pool.process(page)) for page in batch[:6]]
        await asyncio.wait(abandoned, return_when=asyncio.FIRST_COMPLETED)  # the next pages are in the workers
        for task in abandoned[::2]:
            task.cancel()
        kept = await asyncio.gather(*abandoned[1::2])
        return [*kept, *await asyncio.gather(*(pool.process(page) for page in batch[6:]))]

    try:
        results = asyncio.run(asyncio.wait_for(crawl(), 30))
    finally:
        pool.close()
    # the page declares one canonical URL: each result names the page it came from among its aliases
    assert [result.aliases for result in results] == [[page.url] for page in batch[1:6:2] + batch[6:]]  # type: ignore[union-attr]


ABANDONED = """
import asyncio, os, sys
from pipeline.extract import ExtractionOptions
from pipeline.extraction_pool import ExtractionPool
from pipeline.pages import Page
from pipeline.tagging import Tagger
from tests.test_extraction_pool import pages

if __name__ == "__main__":
    pool = ExtractionPool(Tagger([]), ExtractionOptions(), workers=2)
    asyncio.run(asyncio.wait_for(pool.process(pages(1)[0]), 60))
    print(" ".join(str(worker.process.pid) for worker in pool._running), flush=True)
    os.kill(os.getpid(), 9)  # as the out-of-memory killer or a crawl's time limit would
"""


def test_workers_exit_when_the_process_feeding_them_is_killed(tmp_path: Path) -> None:
    """A crawler killed with SIGKILL leaves no extraction worker behind: each sees its socket close."""
    script = tmp_path / "abandon.py"
    script.write_text(ABANDONED, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=Path(__file__).parent.parent, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    workers = [int(pid) for pid in result.stdout.split()]
    assert result.returncode == -9 and len(workers) == 2, result.stderr[-2000:]
    deadline = time.monotonic() + 30
    while (alive := [pid for pid in workers if Path(f"/proc/{pid}").exists()]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive == []


def test_pages_fail_while_no_worker_can_start_and_are_extracted_once_one_can(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the system refuses to fork, a page fails as one whose extraction raised (not stored, fetched
    again next crawl) instead of waiting forever; the next page gets a worker."""
    start = multiprocessing.get_context("forkserver").Process.start
    refusals = [OSError(11, "Resource temporarily unavailable")]  # the first try to start the worker fails

    def refusing_start(process: multiprocessing.Process) -> None:
        if refusals:
            raise refusals.pop()
        start(process)

    monkeypatch.setattr(multiprocessing.get_context("forkserver").Process, "start", refusing_start)
    pool = ExtractionPool(Tagger([]), ExtractionOptions(), workers=1)
    first, second = pages(2)

    async def crawl() -> tuple[BaseException | ArticleRecord | Dropped, ArticleRecord | Dropped]:
        failed = await asyncio.gather(pool.process(first), return_exceptions=True)
        return failed[0], await pool.process(second)

    try:
        failed, extracted = asyncio.run(asyncio.wait_for(crawl(), 30))
    finally:
        pool.close()
    assert isinstance(failed, RuntimeError) and "cannot start an extraction worker process" in str(failed)
    assert isinstance(extracted, ArticleRecord)


def test_workers_ignore_ctrl_c_and_finish_the_crawl_s_pages() -> None:
    """Ctrl-C in a terminal reaches every process of the crawl: Scrapy stops gracefully and still awaits
    the pages in the pool, so the workers must live on until the pool closes."""
    pool = ExtractionPool(Tagger([]), ExtractionOptions(), workers=2)
    try:
        assert all(isinstance(result, ArticleRecord) for result in pool.process_all(pages(4)))
        workers = sorted(worker.pid for worker in multiprocessing.active_children())
        for pid in workers:
            os.kill(pid, signal.SIGINT)
        assert all(isinstance(result, ArticleRecord) for result in pool.process_all(pages(4)))
        assert sorted(worker.pid for worker in multiprocessing.active_children()) == workers
    finally:
        pool.close()
