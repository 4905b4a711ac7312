"""Politeness and retries: the user agent, the per-site limits, backoff between retries, timeouts.

The settings are checked where they are made (``build_settings``, the ``scrapy crawl`` door) and the
behaviour in real crawls (``run_crawl``, a child process) against servers on 127.0.0.1 that record what
they receive and when. Times are only ever bounded from below: a slow machine must not fail these tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.test import get_crawler

from crawler import middlewares
from crawler.middlewares import MAX_BACKOFF_SECONDS, RetryBackoffMiddleware
from crawler.run import build_settings
from crawler.settings import apply_config
from crawler.spiders.news import NewsSpider
from demo.config import LOCAL_CRAWL, demo_config
from demo.server import RequestRecord, SampleSite
from pipeline.config import Settings, to_toml
from pipeline.crawl import run_crawl
from storage.db import open_database
from storage.runs import SourceFigures
from tests.generated_site import HANG, GeneratedSite, RecordingSite, Reply, Route, article_html

slow = pytest.mark.slow

EVERY_CRAWL_KEY = {
    "user_agent": "polite-test-bot/2.0 (+mailto:owner@example.org)", "obey_robots": False,
    "concurrent_requests": 5, "concurrent_requests_per_domain": 3, "download_delay": 2.5, "autothrottle": False,
    "download_timeout": 7, "retry_times": 4, "retry_backoff_seconds": 0.5, "max_page_bytes": 1_234_567,
}
EXPECTED_SCRAPY_SETTINGS = {
    "USER_AGENT": "polite-test-bot/2.0 (+mailto:owner@example.org)", "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 5, "CONCURRENT_REQUESTS_PER_DOMAIN": 3, "DOWNLOAD_DELAY": 2.5,
    "AUTOTHROTTLE_ENABLED": False, "AUTOTHROTTLE_START_DELAY": 2.5, "AUTOTHROTTLE_TARGET_CONCURRENCY": 3.0,
    "DOWNLOAD_TIMEOUT": 7, "RETRY_TIMES": 4, "RETRY_BACKOFF_SECONDS": 0.5, "DOWNLOAD_MAXSIZE": 1_234_567,
}


# --- Sites ------------------------------------------------------------------------------------------------

def news_site(pages: int, special: Mapping[str, Route] | None = None) -> GeneratedSite:
    """robots.txt, /feed.xml listing /a/0 to /a/<pages - 1>, and those articles; the ``special`` ones
    (path: route) answer in their own way."""
    site = GeneratedSite(pages)
    site.routes.update(special or {})
    return site


def unavailable_then_article(failures: int, number: int) -> Route:
    """503 for the first ``failures`` requests, then the article."""
    busy = Reply(503, b"busy, come back later", "text/plain")
    return lambda path, n: busy if n <= failures else Reply(200, article_html(number))


def slow_article(number: int, seconds: float) -> Route:
    """The article, after ``seconds``: requests overlap whenever the crawler allows it."""
    def route(path: str, n: int) -> Reply:
        time.sleep(seconds)
        return Reply(200, article_html(number))

    return route


# --- Configs and crawls ---------------------------------------------------------------------------------

def write_config(tmp_path: Path, database_url: str, feeds: Mapping[str, str], **crawl: Any) -> Path:
    """A config crawling one feed per source (name: feed URL), fast unless ``crawl`` says otherwise."""
    data = {"database_url": database_url, "crawl": {**LOCAL_CRAWL, **crawl},
            "sources": [{"name": name, "feeds": [url]} for name, url in feeds.items()]}
    path = tmp_path / "newsmon.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def crawl(config: Path, database_url: str, time_limit: float = 120) -> tuple[dict[str, SourceFigures], int]:
    """Run a crawl as ``newsmon crawl`` does; (figures per source, the child's exit status)."""
    engine = open_database(database_url)
    try:
        outcome = run_crawl(engine, config, time_limit=time_limit)
    finally:
        engine.dispose()
    return outcome.run.figures, outcome.exit_code


def at_least(seconds: float) -> float:
    """A lower bound on a gap between two arrivals: what the crawler waited, less a little for one request
    taking longer than the other to reach the server (a new connection, a busy event loop)."""
    return seconds - 0.05


def user_agent(request: RequestRecord) -> str | None:
    return next((value for name, value in request.headers.items() if name.lower() == "user-agent"), None)


# --- 1. The user agent --------------------------------------------------------------------------------

@slow
def test_the_configured_user_agent_is_sent_with_every_request(
    tmp_path: Path, sqlite_url: str, sample_site: SampleSite
) -> None:
    agent = "newsmon-politeness-check/9.9 (+mailto:crawler-owner@example.org)"
    config = tmp_path / "newsmon.toml"
    config.write_text(demo_config(sample_site.manifest, sample_site.base_url, sqlite_url, user_agent=agent))
    sample_site.clear_requests()
    figures, exit_code = crawl(config, sqlite_url, time_limit=240)
    requests = sample_site.requests
    assert exit_code == 0 and sum(f.stored for f in figures.values()) > 0
    paths = {request.path for request in requests}
    listings = {source["path"] for outlet in sample_site.manifest["outlets"] for source in outlet["sources"]}
    assert "/robots.txt" in paths and listings <= paths, "robots.txt, every feed and sitemap were requested"
    assert len(paths - listings - {"/robots.txt"}) >= 10, "and article pages"
    assert [(request.path, user_agent(request)) for request in requests if user_agent(request) != agent] == []
    assert [request.path for request in requests if "referer" in map(str.lower, request.headers)] == []  # none needed


# --- 2. Per-site limits, from the config --------------------------------------------------------------

def scrapy_settings_from_build_settings(config: Path, monkeypatch: pytest.MonkeyPatch) -> ScrapySettings:
    """What ``newsmon crawl`` (``python -m crawler``) crawls with."""
    return build_settings(config, None, "INFO")


def scrapy_settings_from_scrapy_crawl(config: Path, monkeypatch: pytest.MonkeyPatch) -> ScrapySettings:
    """What plain ``scrapy crawl news`` crawls with: the settings module, then the spider's own settings."""
    monkeypatch.setenv("NEWSMON_CONFIG", str(config))
    settings = ScrapySettings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("JOBDIR", str(config.parent / "queue"), priority="cmdline")  # no queue directory made in /tmp
    NewsSpider.update_settings(settings)
    return settings


def scrapy_settings_from_declared_defaults(config: Path, monkeypatch: pytest.MonkeyPatch) -> ScrapySettings:
    """The defaults declared with each key (``newsmon config --keys``), without the bundled config file."""
    settings = ScrapySettings()
    settings.setmodule("crawler.settings", priority="project")
    apply_config(settings, Settings(database_url="sqlite:///unused.db"))
    return settings


DOORS = {"newsmon crawl": scrapy_settings_from_build_settings, "scrapy crawl": scrapy_settings_from_scrapy_crawl}
DEFAULTS = {**DOORS, "declared defaults": scrapy_settings_from_declared_defaults}


def scrapy_settings(door: str, config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ScrapySettings:
    """The Scrapy settings a crawl through ``door`` gets from this newsmon ``config``."""
    monkeypatch.delenv("NEWSMON_DATABASE_URL", raising=False)
    path = tmp_path / "newsmon.toml"
    path.write_text(to_toml(config), encoding="utf-8")
    return DEFAULTS[door](path, monkeypatch)


@pytest.mark.parametrize("door", DOORS)
def test_every_crawl_key_in_the_config_becomes_its_scrapy_setting(
    door: str, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = scrapy_settings(door, {"database_url": sqlite_url, "crawl": EVERY_CRAWL_KEY}, tmp_path, monkeypatch)
    assert {name: settings[name] for name in EXPECTED_SCRAPY_SETTINGS} == EXPECTED_SCRAPY_SETTINGS
    assert settings["NEWSMON_SETTINGS"].database_url == sqlite_url


@pytest.mark.parametrize("door", DEFAULTS)
def test_by_default_the_crawl_is_polite(
    door: str, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AutoThrottle on, two requests at a time per site a second apart, robots.txt obeyed, bounded pages."""
    settings = scrapy_settings(door, {"database_url": sqlite_url}, tmp_path, monkeypatch)
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert settings.getfloat("DOWNLOAD_DELAY") == 1.0
    assert settings.getfloat("AUTOTHROTTLE_START_DELAY") >= 1.0
    assert settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") <= 2.0
    assert settings.getint("DOWNLOAD_TIMEOUT") == 30
    assert settings.getint("RETRY_TIMES") == 2
    assert settings.getfloat("RETRY_BACKOFF_SECONDS") == 2.0
    assert 1_000_000 <= settings.getint("DOWNLOAD_MAXSIZE") <= 20_000_000, "a few MB, not Scrapy's 1 GiB"
    agent = settings["USER_AGENT"]
    assert agent.startswith("newsmon/") and ("http" in agent or "@" in agent), "says who we are and how to reach us"


@slow
@pytest.mark.parametrize("download_delay", [0.05, 0.0], ids=["with_download_delay", "without_download_delay"])
def test_no_more_requests_in_flight_to_a_site_than_the_per_domain_limit(
    download_delay: float, tmp_path: Path, sqlite_url: str
) -> None:
    site = news_site(8, {f"/a/{n}": slow_article(n, 0.3) for n in range(8)})
    with site.running():
        config = write_config(tmp_path, sqlite_url, {"Slow": site.base_url + "/feed.xml"},
                              download_delay=download_delay, concurrent_requests=16, concurrent_requests_per_domain=3)
        figures, exit_code = crawl(config, sqlite_url)
    assert exit_code == 0 and figures["Slow"].stored == 8, figures
    assert site.most_in_flight == 3, "the limit is reached (the pages are slow) and never passed"


@slow
def test_requests_to_a_site_are_spaced_by_the_download_delay(tmp_path: Path, sqlite_url: str) -> None:
    site = news_site(4)
    with site.running():
        config = write_config(tmp_path, sqlite_url, {"News": site.base_url + "/feed.xml"}, download_delay=0.4)
        figures, exit_code = crawl(config, sqlite_url)
    assert exit_code == 0 and figures["News"].stored == 4, figures
    arrivals = sorted(hit.at for hit in site.hits)
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    assert len(arrivals) == 6, site.hits  # robots.txt, the feed, 4 articles
    # Scrapy draws each wait between 0.5 and 1.5 times DOWNLOAD_DELAY
    assert min(gaps) >= at_least(0.4 * 0.5), [round(gap, 3) for gap in gaps]


# --- 3. Retries with backoff ----------------------------------------------------------------------------

@pytest.mark.parametrize("attempt", [1, 2, 3, 4, 5])
def test_backoff_doubles_with_each_retry_within_25_percent_jitter(
    attempt: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    backoff = RetryBackoffMiddleware(base_seconds=0.2)
    nominal = 0.2 * 2 ** (attempt - 1)
    monkeypatch.setattr(middlewares.random, "uniform", lambda low, high: low)
    shortest = backoff.delay(attempt)
    monkeypatch.setattr(middlewares.random, "uniform", lambda low, high: high)
    longest = backoff.delay(attempt)
    assert shortest == pytest.approx(0.75 * nominal) and longest == pytest.approx(1.25 * nominal)


def test_backoff_jitter_spreads_retries_around_the_nominal_wait() -> None:
    backoff = RetryBackoffMiddleware(base_seconds=2.0)
    waits = [backoff.delay(2) for _ in range(200)]
    assert all(3.0 <= wait <= 5.0 for wait in waits)
    assert min(waits) < 4.0 < max(waits), "some retries wait less than 2 x base, some more"


def test_backoff_stops_growing_at_its_ceiling() -> None:
    backoff = RetryBackoffMiddleware(base_seconds=2.0)
    assert all(0.75 * MAX_BACKOFF_SECONDS <= backoff.delay(attempt) <= 1.25 * MAX_BACKOFF_SECONDS
               for attempt in (8, 12, 40))


def test_backoff_base_comes_from_retry_backoff_seconds_and_zero_switches_it_off() -> None:
    crawler = get_crawler(settings_dict={"RETRY_BACKOFF_SECONDS": 0.7})
    assert RetryBackoffMiddleware.from_crawler(crawler).base_seconds == 0.7
    with pytest.raises(NotConfigured):
        RetryBackoffMiddleware.from_crawler(get_crawler(settings_dict={"RETRY_BACKOFF_SECONDS": 0}))


def test_only_a_retried_request_waits_and_for_its_own_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(middlewares.random, "uniform", lambda low, high: 1.0)
    monkeypatch.setattr(middlewares.asyncio, "sleep", sleep)
    backoff = RetryBackoffMiddleware(base_seconds=0.5)
    first = Request("https://news.example.eu/a")
    requests = [first, first.replace(meta={"retry_times": 1}), first.replace(meta={"retry_times": 3})]

    async def send_all() -> None:
        for request in requests:
            await backoff.process_request(request)

    asyncio.run(send_all())
    assert waited == [0.5, 2.0]


@slow
def test_a_page_that_is_unavailable_twice_is_retried_with_growing_pauses_then_stored(
    tmp_path: Path, sqlite_url: str
) -> None:
    """retry_times = 3 in the config: a page answering 503 twice is stored, one always down is tried 4 times."""
    site = news_site(3, {"/a/1": unavailable_then_article(2, 1), "/a/2": unavailable_then_article(99, 2)})
    with site.running():
        config = write_config(tmp_path, sqlite_url, {"News": site.base_url + "/feed.xml"},
                              retry_times=3, retry_backoff_seconds=0.2)
        figures, exit_code = crawl(config, sqlite_url)
    news = figures["News"]
    assert exit_code == 0 and news.stored == 2, news
    assert news.failed == 1 and news.errors == [f"page {site.base_url}/a/2: HTTP 503"]
    flaky, down = site.times("/a/1"), site.times("/a/2")
    assert len(flaky) == 3 and len(down) == 4 and len(site.times("/a/0")) == 1
    for times in (flaky, down):
        pauses = [later - earlier for earlier, later in zip(times, times[1:])]
        for retry, pause in enumerate(pauses, start=1):  # base, 2 x base, 4 x base, each at least 75 %
            assert pause >= at_least(0.75 * 0.2 * 2 ** (retry - 1)), pauses


# --- 4. Timeouts ------------------------------------------------------------------------------------------

@slow
def test_a_feed_that_never_answers_times_out_after_download_timeout_and_the_other_sources_go_on(
    tmp_path: Path, sqlite_url: str
) -> None:
    healthy = news_site(3)
    silent = RecordingSite(fallback=lambda path, n: HANG)  # accepts every connection, never answers, robots.txt too
    with healthy.running(), silent.running():
        config = write_config(tmp_path, sqlite_url, {"Healthy": healthy.base_url + "/feed.xml",
                                                      "Silent": silent.base_url + "/feed.xml"},
                              download_timeout=2, retry_times=0)
        figures, exit_code = crawl(config, sqlite_url, time_limit=30)
    assert exit_code == 0
    assert figures["Healthy"].stored == 3 and figures["Healthy"].failed == 0, figures
    silent_figures = figures["Silent"]
    assert silent_figures.failed == 1 and silent_figures.stored == 0
    (error,) = silent_figures.errors
    assert error.startswith(f"feed {silent.base_url}/feed.xml: timed out")
    assert "took longer than 2.0 seconds" in error, "the configured timeout, not Scrapy's or newsmon's default"
    robots, feed = silent.hits
    assert (robots.path, feed.path) == ("/robots.txt", "/feed.xml"), "no retry with retry_times = 0"
    # Scrapy holds the feed until robots.txt has answered or timed out: a silent site costs two timeouts.
    assert feed.at - robots.at >= at_least(2.0)

