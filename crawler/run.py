"""One crawl in this process: what ``python -m crawler`` runs (``newsmon crawl`` starts it as a child).

A child process per crawl because Twisted's reactor cannot be restarted, and so that the parent can
record a crawl that died. Exit status: 0 the crawl ran, 2 the config or database is broken.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler.settings import apply_config
from crawler.spiders.news import NewsSpider
from pipeline.config import load_config
from pipeline.errors import ConfigError, NewsmonError
from storage.db import open_database
from storage.errors import StorageError

EXIT_BROKEN = 2
# Scrapy's start-up inventory (versions, settings, component lists) is for debugging, not for a nightly log.
STARTUP_LOGGERS = ("alembic", "scrapy.middleware", "scrapy.crawler", "scrapy.utils.log", "scrapy.addons")


def build_settings(config_path: Path | None, run_id: int | None, log_level: str) -> ScrapySettings:
    settings = ScrapySettings()
    settings.setmodule("crawler.settings", priority="project")
    config = load_config(config_path).settings
    open_database(config.database_url).dispose()  # fail early, with one line, if it cannot be opened
    apply_config(settings, config)
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if run_id is not None:
        settings.set("NEWSMON_RUN_ID", run_id, priority="cmdline")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    parser.add_argument("--config", type=Path, help="newsmon TOML config")
    parser.add_argument("--source", action="append", default=[], help="crawl only this source (repeatable)")
    parser.add_argument("--run-id", type=int, help="record figures under this existing crawl run")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--worker", action="store_true", help="take requests from the Redis frontier")
    parser.add_argument("--full", action="store_true", help="read feeds and sitemaps without conditional requests")
    parser.add_argument("--idle-exit", type=float, default=0, help="worker: exit after this many idle seconds")
    args = parser.parse_args(argv)
    try:
        settings = build_settings(args.config, args.run_id, args.log_level)
        config = settings["NEWSMON_SETTINGS"]
        for name in args.source:
            config.source(name)
        if args.worker and not config.cluster.redis_url:
            raise ConfigError("a worker needs cluster.redis_url in the config (and database_url on PostgreSQL)")
    except (NewsmonError, StorageError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_BROKEN
    spider: type[NewsSpider] = NewsSpider
    if args.worker:
        from crawler.distributed import WorkerSpider, apply_cluster_settings

        apply_cluster_settings(settings, config, args.idle_exit)
        spider = WorkerSpider
    # A shell starts background jobs with SIGINT ignored, and Scrapy only installs its graceful-shutdown
    # handler over Python's default one: restore it, so SIGINT (Ctrl-C) always stops a crawl cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    process = CrawlerProcess(settings)
    if args.log_level != "DEBUG":
        for name in STARTUP_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    process.crawl(spider, sources=args.source, full=args.full)
    process.start()
    return 1 if process.bootstrap_failed else 0

