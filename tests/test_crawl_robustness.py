"""Crawls that go wrong: a gzip bomb, a crawl killed with SIGKILL, a crawl stopped with Ctrl-C."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from demo.config import demo_config
from pipeline.crawl import crawl_command, run_crawl
from storage.db import open_database
from storage.models import Article, ArticleTag
from storage.runs import finish_run, load_run, start_run
from tests.generated_site import GeneratedSite

pytestmark = pytest.mark.slow

PAGES = 30
HELD_AFTER = 10  # the site answers 10 article requests, then holds the rest until released


def config_for(site: GeneratedSite, tmp_path: Path, database_url: str, **crawl: object) -> Path:
    manifest = {"outlets": [{"name": "Generated", "sources": [{"kind": "rss", "path": "/feed.xml", "children": []}]}]}
    path = tmp_path / "newsmon.toml"
    path.write_text(demo_config(manifest, site.base_url, database_url, **crawl), encoding="utf-8")
    return path


def stored_count(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Article))


def assert_articles_whole(engine) -> None:  # type: ignore[no-untyped-def]
    """No half-written article: every row has its body, page, story and a consistent tag set."""
    with engine.connect() as connection:
        rows = connection.execute(select(Article.text, Article.html_gz, Article.story_id, Article.title)).all()
        orphans = connection.scalar(
            select(func.count()).select_from(ArticleTag).where(ArticleTag.article_id.not_in(select(Article.id)))
        )
    assert all(row.text and row.html_gz and row.story_id and row.title for row in rows)
    assert orphans == 0


def test_gzip_bomb_is_dropped_and_memory_stays_bounded(tmp_path: Path, sqlite_url: str) -> None:
    site = GeneratedSite(pages=3, bomb=True)
    with site.running():
        engine = open_database(sqlite_url)
        outcome = run_crawl(engine, config_for(site, tmp_path, sqlite_url), time_limit=120)
    figures = outcome.run.figures["Generated"]
    assert figures.stored == 3
    assert figures.drop_reasons.get("too large") == 1
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 400, f"a crawl process reached {peak_mb:.0f} MB"
    engine.dispose()


class PopenSpy:
    """subprocess.Popen that records the commands it starts."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self._popen = subprocess.Popen

    def __call__(self, command: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        self.commands.append(command)
        return self._popen(command, **kwargs)  # type: ignore[call-overload]


def start_crawl(engine, config: Path) -> tuple[int, subprocess.Popen[bytes]]:  # type: ignore[no-untyped-def]
    run_id = start_run(engine)
    child = subprocess.Popen(crawl_command(config, [], run_id, "WARNING"), start_new_session=True)
    return run_id, child


def wait_for_articles(engine, minimum: int, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while stored_count(engine) < minimum:
        assert time.monotonic() < deadline, f"fewer than {minimum} articles stored in {timeout}s"
        time.sleep(0.1)


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_interrupted_crawl_loses_nothing_and_the_next_one_completes(
    tmp_path: Path, database_url: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = GeneratedSite(pages=PAGES, hold_after=HELD_AFTER)
    with site.running():
        config = config_for(site, tmp_path, database_url, concurrent_requests_per_domain=2)
        engine = open_database(database_url)
        run_id, child = start_crawl(engine, config)
        wait_for_articles(engine, 2)
        if how == "SIGKILL":
            os.killpg(child.pid, signal.SIGKILL)  # the crawl and its extraction workers
        else:
            os.kill(child.pid, signal.SIGINT)  # what Ctrl-C sends: in-flight pages finish, queued ones wait
            site.release()
        child.wait(timeout=60)
        finish_run(engine, run_id, "failed", message="killed by the test")
        assert load_run(engine, run_id).status == ("failed" if how == "SIGKILL" else "interrupted")
        first = stored_count(engine)
        assert 2 <= first < PAGES and (first <= HELD_AFTER or how == "SIGINT")
        assert_articles_whole(engine)
        site.forget_requests()
        site.release()
        monkeypatch.setattr("pipeline.crawl.subprocess.Popen", spy := PopenSpy())
        outcome = run_crawl(engine, config, time_limit=120)
        assert "--full" in spy.commands[0], "after an interrupted crawl, feeds are read without validators"
        assert outcome.exit_code == 0
        assert stored_count(engine) == PAGES
        assert_articles_whole(engine)
        refetched = [path for path in site.requested if path.startswith("/a/")]
        assert len(refetched) == PAGES - first, "articles stored before the interruption are not fetched again"
        engine.dispose()
