"""Scrapy settings: the project's fixed choices here, the user's from newsmon's config.

``scrapy crawl news`` reads this module through ``scrapy.cfg``; the spider then loads newsmon's
validated config (``$NEWSMON_CONFIG`` or ``./newsmon.toml`` or the bundled default) and applies it
with :func:`apply_config`, so both ``scrapy crawl`` and ``newsmon crawl`` crawl with the same settings.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings, default_settings

from pipeline.config import Settings

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"


def _without(components: dict[str, int], *unused: str) -> dict[str, int]:
    """One of Scrapy's base component lists without ``unused``. Left out of the list rather than set to
    None: Scrapy imports every listed component, even a disabled one. Derived from Scrapy's defaults,
    so built-ins that later versions add still come."""
    return {path: order for path, order in components.items() if path not in unused}


# Remote access to a running crawl is a risk we do not need; the remote-control extension would also
# load aiohttp, 0.14 s of every crawl's start-up.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = _without(
    default_settings.EXTENSIONS_BASE,
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
)

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False  # news pages do not need them, and cookie walls are not followed
DOWNLOADER_MIDDLEWARES_BASE = _without(
    default_settings.DOWNLOADER_MIDDLEWARES_BASE, "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
)
# Spider middlewares newsmon has no use for, each a layer every request and page passes through: the
# Referer header (a news page needs none), depth tracking (a crawl goes no deeper than sitemap index,
# sitemap, article) and a warning for spider authors who copy Scrapy's internal meta keys.
SPIDER_MIDDLEWARES_BASE = _without(
    default_settings.SPIDER_MIDDLEWARES_BASE,
    "scrapy.spidermiddlewares.referer.RefererMiddleware",
    "scrapy.spidermiddlewares.depth.DepthMiddleware",
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
)
AUTOTHROTTLE_ENABLED = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
# Scrapy's default of 1 GiB lets one gzip bomb eat the machine's memory.
DOWNLOAD_MAXSIZE = 5_000_000
DOWNLOAD_WARNSIZE = 0
RETRY_TIMES = 2
RETRY_BACKOFF_SECONDS = 2.0
METAREFRESH_ENABLED = False
# A response yields at most one item (its page), so Scrapy's default of 100 only costs 100 idle asyncio
# tasks per response; requests from a feed are scheduled one after the other either way.
CONCURRENT_ITEMS = 1

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ConditionalListingMiddleware": 530,
    "crawler.middlewares.RetryBackoffMiddleware": 540,
}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,  # replaced by Progress, which knows what was stored
    "crawler.extensions.CrawlRunRecorder": 100,
    "crawler.extensions.Progress": 110,
}
PROGRESS_INTERVAL = 15.0

LOG_LEVEL = "INFO"
LOG_VERSIONS: list[str] = []
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATTER = "crawler.logformatter.NewsmonLogFormatter"
STATS_DUMP = False


# Scrapy 2.19's downloader starts every queued request of a site at once when DOWNLOAD_DELAY is 0,
# whatever CONCURRENT_REQUESTS_PER_DOMAIN says (tests/test_politeness.py); any positive delay keeps
# the limit, and a millisecond costs nothing.
MIN_DOWNLOAD_DELAY = 0.001


def apply_config(settings: BaseSettings, config: Settings, priority: str = "project") -> None:
    """Copy the user's crawl settings (and the settings object itself) into Scrapy's settings."""
    crawl = config.crawl
    values = {
        "NEWSMON_SETTINGS": config,
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "CONCURRENT_REQUESTS": crawl.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": max(crawl.download_delay, MIN_DOWNLOAD_DELAY),
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrent_requests_per_domain),
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "RETRY_TIMES": crawl.retry_times,
        "RETRY_BACKOFF_SECONDS": crawl.retry_backoff_seconds,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
    }
    for name, value in values.items():
        settings.set(name, value, priority=priority)
