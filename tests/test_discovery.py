"""Feed parsing: what is kept from broken feeds, and what is not called broken."""

from __future__ import annotations

import pytest

from crawler.discovery import DiscoveryError, parse_feed

URL = "https://news.example.eu/feed.xml"
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title>
<item><title>One</title><link>/2026/one</link><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Two</title><link>https://news.example.eu/2026/two</link></item>
</channel></rss>"""


def test_a_well_formed_feed_served_as_html_is_not_a_problem() -> None:
    feed = parse_feed(RSS.encode(), URL, "text/html; charset=utf-8")
    assert feed.problem is None
    assert [link.url for link in feed.links] == ["https://news.example.eu/2026/one", "https://news.example.eu/2026/two"]
    assert feed.links[0].published_at is not None and feed.links[0].published_at.isoformat() == "2026-11-24T08:00:00+00:00"


def test_a_truncated_feed_keeps_the_entries_it_could_read_and_says_what_is_wrong() -> None:
    truncated = RSS[: RSS.index("<item><title>Two")] + "<item><title>Two</title><link>https://news.exa"
    feed = parse_feed(truncated.encode(), URL, "application/rss+xml")
    assert [link.url for link in feed.links] == ["https://news.example.eu/2026/one"]
    assert feed.problem is not None and feed.problem.startswith("malformed feed (") and "1 entries recovered" in feed.problem


def test_a_page_that_is_no_feed_at_all_is_an_error() -> None:
    with pytest.raises(DiscoveryError, match="not an RSS/Atom feed"):
        parse_feed(b"<html><body><p>Hello</p></body></html>", URL, "text/html")
