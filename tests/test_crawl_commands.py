"""The crawl through its other doors: plain `scrapy crawl news`, and `newsmon reextract` afterwards."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from pipeline.cli import cli
from pipeline.config import to_toml
from storage.db import open_database
from storage.models import Article, ArticleTag

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def test_scrapy_crawl_news_from_the_root_shows_progress_then_reextract(site_config: Path, database_url: str, sample_site) -> None:  # type: ignore[no-untyped-def]
    scrapy = Path(sys.executable).with_name("scrapy")
    env = {**os.environ, "NEWSMON_CONFIG": str(site_config)}
    result = subprocess.run(
        [str(scrapy), "crawl", "news", "-a", "sources=Brussels Byte", "-s", "PROGRESS_INTERVAL=0.1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"INFO crawler.extensions: progress: \d+ feeds/sitemaps read, \d+ links, .* \d+ stored", result.stderr)
    pdf = sample_site.url(sample_site.manifest["non_html"][0]["path"])
    assert f"INFO scrapy.core.scraper: dropped {pdf}: not HTML (application/pdf)" in result.stderr  # one line: URL, reason
    engine = open_database(database_url)
    with engine.connect() as connection:
        rows = {row.url: row for row in connection.execute(select(Article.id, Article.url, Article.title, Article.source))}
        tagged = connection.execute(select(ArticleTag.article_id, ArticleTag.topic)).all()
    brussels = [a for a in sample_site.manifest["articles"] if a["outlet"] == "brussels-byte"]
    assert rows and {row.source for row in rows.values()} == {"Brussels Byte"}
    assert len(rows) >= len(brussels) - 3  # less the disallowed, withdrawn and old ones
    # Damage the extracted fields and tags; reextract must rebuild them from the stored pages.
    with engine.begin() as connection:
        connection.execute(update(Article).values(title="damaged", text="damaged"))
        connection.execute(delete(ArticleTag))
    outcome = CliRunner().invoke(cli, ["--config", str(site_config), "reextract"], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    assert f"re-extracted {len(rows)} articles" in outcome.output and f"{len(rows)} updated" in outcome.output
    with engine.connect() as connection:
        titles = {row.url: row.title for row in connection.execute(select(Article.url, Article.title))}
        retagged = connection.execute(select(ArticleTag.article_id, ArticleTag.topic)).all()
    assert titles == {url: row.title for url, row in rows.items()}
    assert sorted(retagged) == sorted(tagged)
    engine.dispose()


REMOTE_ACCESS = """
import sys
from pathlib import Path
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.core.spidermw import SpiderMiddlewareManager
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from crawler.run import build_settings
from crawler.spiders.news import NewsSpider
door = sys.argv[1]
settings = build_settings(Path(sys.argv[2]), None, "WARNING") if door == "newsmon" else get_project_settings()
crawler = CrawlerProcess(settings).create_crawler(NewsSpider)
crawler._apply_settings()  # what crawling starts with: the extensions are built
print(sorted(type(extension).__name__ for extension in crawler.extensions.middlewares))
DownloaderMiddlewareManager.from_crawler(crawler)
# Scrapy imports every listed component, even one disabled: the remote-control extension loads aiohttp
print(["aiohttp" in sys.modules, "scrapy.downloadermiddlewares.cookies" in sys.modules])
print(sorted(type(middleware).__name__ for middleware in SpiderMiddlewareManager.from_crawler(crawler).middlewares))
"""


@pytest.mark.parametrize("door", ["newsmon", "scrapy"])
def test_no_remote_access_to_a_running_crawl(door: str, sqlite_url: str, tmp_path: Path) -> None:
    """Scrapy's telnet console and remote-control server (on by default since 2.19) are never started,
    and the remote-control extension is not even loaded (it loads aiohttp: 0.14 s of start-up), nor the
    unused cookies middleware, and the unused spider middlewares are left out. Only the crawl's settings
    are built: no site and one database suffice."""
    config = tmp_path / "newsmon.toml"
    config.write_text(to_toml({"database_url": sqlite_url}), encoding="utf-8")
    env = {**os.environ, "NEWSMON_CONFIG": str(config), "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", REMOTE_ACCESS, door, str(config)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    extensions, loaded, spider_middlewares = result.stdout.split("\n")[:3]
    assert "CrawlRunRecorder" in extensions  # the list is the crawl's
    assert "TelnetConsole" not in extensions and "RemoteControl" not in extensions
    assert loaded == "[False, False]"  # neither aiohttp nor the cookies middleware, which are not used
    # nor the spider middlewares newsmon has no use for (crawler/settings.py), which every request passes
    assert "HttpErrorMiddleware" in spider_middlewares and "UrlLengthMiddleware" in spider_middlewares
    for unused in ("RefererMiddleware", "DepthMiddleware", "MetaCopyDetectionMiddleware"):
        assert unused not in spider_middlewares


FROZEN_AT_EXIT = """
import atexit, gc, runpy, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))  # the last handler to run
sys.argv = sys.argv[1:]
if sys.argv[0] == "newsmon":
    from pipeline.cli import main
    main()
else:
    runpy.run_module("crawler", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("door", ["newsmon", "crawler"])
def test_both_commands_exit_without_a_last_collection_of_every_object(door: str) -> None:
    """The interpreter's final garbage collections walk every object the imports made (0.2 s for each
    of the crawl's two processes, after its last page): both entry points freeze them first."""
    result = subprocess.run([sys.executable, "-c", FROZEN_AT_EXIT, door, "--help"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.rstrip().endswith("frozen at exit: True")
