"""The extraction pool: one process per core by default, and extraction never blocks the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from pathlib import Path

from pipeline.config import Settings
from pipeline.ingest import ExtractionPool, Page
from storage.articles import ArticleRecord

ARTICLE = (Path(__file__).parent / "pages" / "en_boilerplate_blocks.html").read_bytes()


def pages(count: int) -> list[Page]:
    return [Page(url=f"https://news.example.eu/{n}", source="S", body=ARTICLE, content_type="text/html")
            for n in range(count)]


def test_the_pool_has_one_worker_per_core_unless_configured() -> None:
    cores = len(os.sched_getaffinity(0))
    default = ExtractionPool.for_settings(Settings())
    one = ExtractionPool.for_settings(Settings.model_validate({"crawl": {"extract_workers": 1}}))
    try:
        assert (default.workers, one.workers) == (cores, 1)
    finally:
        default.close()
        one.close()


def test_pages_are_extracted_in_worker_processes_while_the_event_loop_runs_on() -> None:
    """The crawler awaits extraction from its reactor's loop: the loop must keep serving downloads meanwhile."""
    pool = ExtractionPool.for_settings(Settings())
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
        workers = [child for child in multiprocessing.active_children() if child.pid != os.getpid()]
    finally:
        pool.close()
    assert all(isinstance(result, ArticleRecord) for result in results)
    assert len(workers) >= pool.workers  # the pages went to other processes
    assert ticked >= 3  # a loop blocked by extraction would not have ticked until every page was done
