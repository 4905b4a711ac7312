"""The newsmon config for the sample site: its outlets as sources, crawled fast and politely enough.

Used by ``make demo`` and by the crawler's end-to-end tests, so both crawl the site the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.config import to_toml

FEED_KINDS = {"rss", "atom"}


def site_sources(manifest: Mapping[str, Any], base_url: str) -> list[dict[str, Any]]:
    """One source per outlet: its feeds, and its top-level sitemaps (an index's children are found by crawling)."""
    sources = []
    for outlet in manifest["outlets"]:
        children = {child for listing in outlet["sources"] for child in listing["children"]}
        feeds = [base_url + s["path"] for s in outlet["sources"] if s["kind"] in FEED_KINDS]
        sitemaps = [
            base_url + s["path"]
            for s in outlet["sources"]
            if s["kind"] not in FEED_KINDS and s["path"] not in children
        ]
        sources.append({"name": outlet["name"], "feeds": feeds, "sitemaps": sitemaps})
    return sources


# A crawl of a site on this machine: no delays, no throttling, quick retries.
LOCAL_CRAWL: Mapping[str, Any] = {
    "download_delay": 0.0,
    "autothrottle": False,
    "concurrent_requests_per_domain": 8,
    "retry_backoff_seconds": 0.2,
    "download_timeout": 20,
}


def demo_config(manifest: Mapping[str, Any], base_url: str, database_url: str, **crawl: Any) -> str:
    """TOML text: the sample site's sources, the bundled topics, a local crawl without delays."""
    settings = {"user_agent": "newsmon-demo/0.1 (+https://example.org/newsmon)", **LOCAL_CRAWL, **crawl}
    return to_toml({"database_url": database_url, "crawl": settings, "sources": site_sources(manifest, base_url)})
