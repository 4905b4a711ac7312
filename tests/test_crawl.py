"""End to end: the real spider, through Scrapy, against the sample site, into SQLite and PostgreSQL.

Each crawl runs as `newsmon crawl` runs it: a child process (`python -m crawler`), with its figures
stored as a crawl run. The sample site records every request it receives.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crawler import queue_dir
from pipeline.cli import CRAWL_COLUMNS, cli
from pipeline.crawl import run_crawl
from pipeline.urls import normalize_url
from storage.db import open_database
from storage.models import Article, ArticleTag, SeenUrl
from storage.runs import load_run

pytestmark = pytest.mark.slow

MAX_AGE_DAYS = 30


def expected_articles(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in manifest["articles"] if not a["disallowed"] and a["published_days_ago"] <= MAX_AGE_DAYS]


def stored(engine) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        rows = {row.url: row._asdict() for row in connection.execute(select(Article.__table__))}
        for article_id, topic in connection.execute(select(ArticleTag.article_id, ArticleTag.topic)):
            row = next(r for r in rows.values() if r["id"] == article_id)
            row.setdefault("topics", set()).add(topic)
    return rows


def article_paths(site, manifest: dict[str, Any]) -> list[str]:  # type: ignore[no-untyped-def]
    """Requested paths that are article pages (not robots.txt, feeds or sitemaps)."""
    listings = {s["path"] for o in manifest["outlets"] for s in o["sources"]}
    listings |= {c for o in manifest["outlets"] for s in o["sources"] for c in s["children"]}
    return [p for p in site.requested_paths() if p != "/robots.txt" and p not in listings]


@pytest.fixture
def first_crawl(site_config: Path, database_url: str, sample_site):  # type: ignore[no-untyped-def]
    engine = open_database(database_url)
    outcome = run_crawl(engine, site_config, time_limit=240)
    yield engine, outcome
    engine.dispose()


def test_first_crawl_stores_every_article_once_with_its_fields(first_crawl, sample_site) -> None:  # type: ignore[no-untyped-def]
    engine, outcome = first_crawl
    manifest = sample_site.manifest
    assert outcome.exit_code == 0 and outcome.run.status == "finished"
    rows = stored(engine)
    expected = expected_articles(manifest)
    expected_urls = {normalize_url(sample_site.url(a["path"])) for a in expected}
    assert set(rows) == expected_urls
    for article in expected:
        row = rows[normalize_url(sample_site.url(article["path"]))]
        assert row["title"] == article["title"], article["path"]
        assert article["body_phrase"] in row["text"], article["path"]
        for headline in article["most_read"]:
            assert headline not in row["text"], f"sidebar leaked into {article['path']}"
        assert row.get("topics", set()) == set(article["topics"]), article["path"]
        assert row["language"] == article["language"]
        assert row["published_at"] is not None and row["html_gz"]
    stories = Counter(row["story_id"] for row in rows.values())
    copies = [(a["path"], a["syndicated_of"]) for a in expected if a["syndicated_of"]]
    assert copies, "the sample site republishes a story"
    for copy, original in copies:
        copy_row, original_row = (rows[normalize_url(sample_site.url(path))] for path in (copy, original))
        assert copy_row["story_id"] == original_row["story_id"], f"{copy} is a copy of {original}"
    assert sorted(n for n in stories.values() if n > 1) == [2] * len(copies), "no other articles share a story"


def test_first_crawl_requests_each_page_once_and_never_the_disallowed_one(first_crawl, sample_site) -> None:  # type: ignore[no-untyped-def]
    manifest = sample_site.manifest
    requested = article_paths(sample_site, manifest)
    assert not [path for path, n in Counter(requested).items() if n > 1], "a page was requested twice"
    assert not any(path.startswith("/private/") for path in requested)
    assert not any("utm_" in path for path in requested), "tracking parameters are stripped before requesting"
    old = [a["path"] for a in manifest["articles"] if a["published_days_ago"] > MAX_AGE_DAYS]
    assert old and not set(old) & set(requested), "entries older than max_age_days are not fetched"


def test_first_crawl_figures_and_traps(first_crawl, sample_site) -> None:  # type: ignore[no-untyped-def]
    engine, outcome = first_crawl
    figures = outcome.run.figures
    manifest = sample_site.manifest
    assert set(figures) == {outlet["name"] for outlet in manifest["outlets"]}
    assert sum(f.stored for f in figures.values()) == len(expected_articles(manifest))
    reasons = Counter()
    for f in figures.values():
        reasons.update(f.drop_reasons)
    assert reasons["too large"] == 1
    assert reasons["not HTML (application/pdf)"] == 1
    assert reasons["disallowed by robots.txt"] == 1
    errors = [e for f in figures.values() for e in f.errors]
    assert any("HTTP 404" in e for e in errors)
    broken = figures["Tech Tagesblatt"]
    assert broken.failed >= 1 and any("malformed feed" in e for e in broken.errors)
    assert broken.stored >= 1, "the outlet's sitemap still works when its feed is broken"
    with engine.connect() as connection:
        seen = dict(connection.execute(select(SeenUrl.url, SeenUrl.outcome)).all())
    assert seen[normalize_url(sample_site.url(manifest["oversized"]["path"]))] == "too large"


def test_redirect_tracking_and_latin1(first_crawl, sample_site) -> None:  # type: ignore[no-untyped-def]
    engine, _ = first_crawl
    rows = stored(engine)
    manifest = sample_site.manifest
    (old, final), = manifest["redirects"].items()
    assert normalize_url(sample_site.url(final)) in rows and normalize_url(sample_site.url(old)) not in rows
    latin1 = next(a for a in manifest["articles"] if a["encoding"] and a["encoding"].lower() != "utf-8")
    text = rows[normalize_url(sample_site.url(latin1["path"]))]["text"]
    assert latin1["body_phrase"] in text and "Ã" not in text


def test_second_crawl_requests_no_article_page(first_crawl, site_config: Path, sample_site) -> None:  # type: ignore[no-untyped-def]
    engine, first = first_crawl
    before = stored(engine)
    sample_site.clear_requests()
    second = run_crawl(engine, site_config, time_limit=240)
    assert second.exit_code == 0
    assert article_paths(sample_site, sample_site.manifest) == []
    assert stored(engine).keys() == before.keys()
    figures = second.run.figures.values()
    assert sum(f.stored for f in figures) == 0 and sum(f.fetched for f in figures) == 0
    assert sum(f.not_modified for f in figures) >= 4, "feeds and sitemaps answer 304 to conditional requests"
    conditional = [r for r in sample_site.requests if "If-None-Match" in r.headers or "if-none-match" in r.headers]
    assert conditional


def test_a_dead_source_does_not_stop_the_others_and_newsmon_crawl_reports_each(tmp_path: Path, sqlite_url: str, sample_site) -> None:  # type: ignore[no-untyped-def]
    from demo.config import demo_config

    text = demo_config(sample_site.manifest, sample_site.base_url, sqlite_url, retry_times=0)
    text += '\n[[sources]]\nname = "Dead"\nfeeds = ["http://127.0.0.1:9/feed.xml"]\n'
    text += '\n[[sources]]\nname = "Not a feed"\nfeeds = ["' + sample_site.url("/robots.txt") + '"]\n'
    config = tmp_path / "newsmon.toml"
    config.write_text(text)
    sources = ["Dead", "Not a feed", "Brussels Byte"]
    result = CliRunner().invoke(cli, ["--config", str(config), "crawl", *(f"--source={name}" for name in sources)])
    assert result.exit_code == 0, result.output
    title, header, _rule, *lines = result.output.splitlines()
    run_id = int(re.fullmatch(r"crawl run (\d+): finished", title).group(1))  # type: ignore[union-attr]
    assert header.split() == " ".join(CRAWL_COLUMNS).split()
    assert sorted(line.split("  ")[0] for line in lines[: len(sources)]) == sorted(sources)
    assert "errors:" in lines and any(line.startswith("  Dead: feed http://127.0.0.1:9/feed.xml: connection refused")
                                      for line in lines)
    engine = open_database(sqlite_url)
    figures = load_run(engine, run_id).figures
    engine.dispose()
    assert figures["Dead"].failed == 1 and "connection refused" in figures["Dead"].errors[0]
    assert figures["Not a feed"].failed == 1 and "feed" in figures["Not a feed"].errors[0]
    assert figures["Brussels Byte"].stored > 0
    stored_row = next(line for line in lines if line.startswith("Brussels Byte"))
    assert str(figures["Brussels Byte"].stored) in stored_row.split()
    stats = CliRunner().invoke(cli, ["--config", str(config), "stats"])
    assert stats.exit_code == 0 and "Last crawl per source" in stats.output and "connection refused" in stats.output


def test_pending_requests_wait_in_a_directory_of_their_own_removed_after_the_crawl(  # type: ignore[no-untyped-def]
    tmp_path: Path, sqlite_url: str, sample_site, monkeypatch, capfd
) -> None:
    from demo.config import demo_config

    config = tmp_path / "newsmon.toml"
    config.write_text(demo_config(sample_site.manifest, sample_site.base_url, sqlite_url))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # the crawler child's temporary directory
    ended = subprocess.Popen(["true"])
    ended.wait()
    killed_crawl = temp / f"{queue_dir.PREFIX}{ended.pid}-abc"  # left by a crawl that was killed
    (killed_crawl / "requests.queue").mkdir(parents=True)
    engine = open_database(sqlite_url)
    outcome = run_crawl(engine, config, sources=["Brussels Byte"], time_limit=240)
    engine.dispose()
    assert outcome.exit_code == 0 and outcome.run.figures["Brussels Byte"].stored > 0
    assert list(temp.iterdir()) == []
    # a request Scrapy cannot pickle would silently wait in memory instead (its log says so)
    assert "Unable to serialize request" not in capfd.readouterr().err


def test_the_news_spider_queues_requests_on_disk_and_a_cluster_worker_in_redis(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from scrapy.settings import Settings as ScrapySettings

    from crawler.distributed import WorkerSpider
    from crawler.spiders.news import NewsSpider
    from pipeline.config import load_config

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    settings = ScrapySettings({"NEWSMON_SETTINGS": load_config(env={}).settings})
    NewsSpider.update_settings(settings)
    assert Path(settings["JOBDIR"]).is_dir() and Path(settings["JOBDIR"]).parent == tmp_path
    worker_settings = ScrapySettings({"NEWSMON_SETTINGS": load_config(env={}).settings})
    WorkerSpider.update_settings(worker_settings)
    assert not worker_settings.get("JOBDIR")
    user_settings = ScrapySettings({"NEWSMON_SETTINGS": load_config(env={}).settings, "JOBDIR": str(tmp_path / "mine")})
    NewsSpider.update_settings(user_settings)
    assert user_settings["JOBDIR"] == str(tmp_path / "mine")  # a user's own JOBDIR is theirs: kept


def test_queue_directories_of_running_crawls_are_kept(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    running = tmp_path / f"{queue_dir.PREFIX}{os.getppid()}-abc"
    running.mkdir()
    made = Path(queue_dir.make_queue_dir())
    assert running.is_dir() and made.is_dir() and made.name.startswith(f"{queue_dir.PREFIX}{os.getpid()}-")
    queue_dir.remove_queue_dir(str(made))
    assert not made.exists()


def test_without_a_writable_temporary_directory_requests_wait_in_memory(tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from scrapy.settings import Settings as ScrapySettings

    from crawler.spiders.news import NewsSpider
    from pipeline.config import load_config

    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_directory))
    settings = ScrapySettings({"NEWSMON_SETTINGS": load_config(env={}).settings})
    NewsSpider.update_settings(settings)
    assert not settings.get("JOBDIR")
    assert "pending requests stay in memory: cannot create their directory" in caplog.text
