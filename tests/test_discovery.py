"""Feed and sitemap discovery: every feed format, Google News sitemaps, gzipped and hostile sitemaps,
what is kept from broken listings, and which entries are fresh enough to crawl (``max_age_days``)."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.test import get_crawler

from crawler.discovery import DiscoveryError, Link, Sitemap, parse_feed, parse_sitemap
from crawler.figures import CrawlFigures
from crawler.settings import apply_config
from crawler.spiders.news import NewsSpider
from pipeline.config import Settings
from tests.generated_site import RecordingSite, Reply

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


# Feeds ------------------------------------------------------------------------------------------------

FEED_IN_FOLDER = "https://news.example.eu/feeds/main.xml"  # a path-relative link resolves under /feeds/
RSS_09X = """<?xml version="1.0"?>
<rss version="{version}"><channel><title>Old</title><link>https://news.example.eu/</link><description>d</description>
<item><title>Old one</title><link>https://news.example.eu/old/one</link><description>x</description></item>
<item><title>Old two</title><link>/old/two</link><description>x</description></item>
</channel></rss>"""
RSS_10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example.eu/"><title>RDF</title><link>https://news.example.eu/</link>
<description>d</description><items><rdf:Seq><rdf:li rdf:resource="https://news.example.eu/rdf/one"/></rdf:Seq></items>
</channel>
<item rdf:about="https://news.example.eu/rdf/one"><title>RDF one</title><link>/rdf/one</link>
<dc:date>2026-11-24T09:30:00+01:00</dc:date></item>
</rdf:RDF>"""
RSS_20 = """<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>News</title>
<item><title>Rules &amp; fines</title><link>
  https://news.example.eu/2026/rules
</link><pubDate>Tue, 24 Nov 2026 10:00:00 +0100</pubDate></item>
<item><title>Dublin Core</title><link>https://news.example.eu/2026/dc</link>
<dc:date>2026-11-24T10:00:00-05:00</dc:date></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:feed</id><updated>2026-11-25T10:00:00Z</updated>
<entry><title>Both dates</title><id>urn:1</id><link rel="alternate" href="https://news.example.eu/a/1"/>
<published>2026-11-24T10:00:00+02:00</published><updated>2026-11-25T10:00:00Z</updated></entry>
<entry><title>Updated only</title><id>urn:2</id><link href="https://news.example.eu/a/2"/>
<updated>2026-11-23T10:00:00-05:00</updated></entry>
<entry><title>Podcast</title><id>urn:3</id>
<link rel="enclosure" type="audio/mpeg" href="https://cdn.example.eu/3.mp3"/>
<link rel="alternate" type="text/html" href="https://news.example.eu/a/3"/>
<updated>2026-11-23T10:00:00Z</updated></entry>
</feed>"""


def urls(links: list[Link]) -> list[str]:
    return [link.url for link in links]


OLD_ONES = [Link("https://news.example.eu/old/one", None, "Old one"), Link("https://news.example.eu/old/two", None, "Old two")]


@pytest.mark.parametrize(
    ("body", "content_type", "links"),
    [
        # 0.9x items carry no date
        (RSS_09X.format(version="0.91"), "application/rss+xml", OLD_ONES),
        (RSS_09X.format(version="0.92"), "application/rss+xml", OLD_ONES),
        # RSS 1.0 (RDF) with its dc:date
        (RSS_10, "application/rdf+xml",
         [Link("https://news.example.eu/rdf/one", datetime(2026, 11, 24, 8, 30, tzinfo=UTC), "RDF one")]),
        # RSS 2.0: pubDate or dc:date, links and titles cleaned
        (RSS_20, "application/rss+xml",
         [Link("https://news.example.eu/2026/rules", datetime(2026, 11, 24, 9, tzinfo=UTC), "Rules & fines"),
          Link("https://news.example.eu/2026/dc", datetime(2026, 11, 24, 15, tzinfo=UTC), "Dublin Core")]),
        # Atom: published preferred to updated, alternate links preferred to enclosures
        (ATOM, "application/atom+xml",
         [Link("https://news.example.eu/a/1", datetime(2026, 11, 24, 8, tzinfo=UTC), "Both dates"),
          Link("https://news.example.eu/a/2", datetime(2026, 11, 23, 15, tzinfo=UTC), "Updated only"),
          Link("https://news.example.eu/a/3", datetime(2026, 11, 23, 10, tzinfo=UTC), "Podcast")]),
    ],
    ids=["rss0.91", "rss0.92", "rss1.0", "rss2.0", "atom"],
)
def test_every_feed_format_gives_its_links_with_their_dates_and_titles(body: str, content_type: str, links: list[Link]) -> None:
    feed = parse_feed(body.encode(), URL, content_type)
    assert feed.problem is None
    assert feed.links == links
    assert all(link.published_at is None or link.published_at.tzinfo is UTC for link in feed.links)  # comparable with the crawl's aware cutoff


def test_relative_feed_links_are_resolved_against_the_feed_url() -> None:
    body = """<rss version="2.0"><channel><title>N</title>
    <item><title>Path</title><link>2026/path</link></item>
    <item><title>Root</title><link>/2026/root</link></item>
    <item><title>Scheme</title><link>//cdn.example.eu/2026/scheme</link></item>
    <item><title>Absolute</title><link>https://other.example.eu/2026/absolute</link></item>
    </channel></rss>"""
    assert urls(parse_feed(body.encode(), FEED_IN_FOLDER).links) == [
        "https://news.example.eu/feeds/2026/path",
        "https://news.example.eu/2026/root",
        "https://cdn.example.eu/2026/scheme",
        "https://other.example.eu/2026/absolute",
    ]


def test_atom_links_are_resolved_against_the_xml_base_of_the_feed_and_of_the_entry() -> None:
    body = """<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://cdn.example.eu/base/"><title>A</title>
    <entry><title>Feed base</title><id>urn:1</id><link href="one.html"/></entry>
    <entry xml:base="/entry/"><title>Entry base</title><id>urn:2</id><link href="two.html"/></entry>
    </feed>"""
    assert urls(parse_feed(body.encode(), FEED_IN_FOLDER).links) == [
        "https://cdn.example.eu/base/one.html",
        "https://cdn.example.eu/entry/two.html",
    ]


def test_feed_links_are_stripped_of_surrounding_whitespace() -> None:
    body = """<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <entry><title>Padded</title><id>urn:1</id><link href=" https://news.example.eu/padded "/></entry></feed>"""
    assert urls(parse_feed(body.encode(), URL).links) == ["https://news.example.eu/padded"]


def test_an_unreadable_entry_date_leaves_the_link_undated() -> None:
    """Without a warning too: feedparser warns when updated_parsed is read from an entry without <updated>."""
    body = """<rss version="2.0"><channel><title>N</title>
    <item><title>Bad date</title><link>https://news.example.eu/bad</link><pubDate>yesterday-ish</pubDate></item>
    </channel></rss>"""
    assert parse_feed(body.encode(), URL).links == [Link("https://news.example.eu/bad", None, "Bad date")]


def test_rss_items_without_a_link_are_skipped() -> None:
    body = """<rss version="2.0"><channel><title>N</title>
    <item><title>No link</title><description>Only text</description></item>
    <item><title>Empty link</title><link></link></item>
    <item><title>Guid is no permalink</title><guid isPermaLink="false">post-123</guid></item>
    <item><title>Kept</title><link>https://news.example.eu/kept</link></item>
    </channel></rss>"""
    feed = parse_feed(body.encode(), URL)
    assert feed.problem is None
    assert urls(feed.links) == ["https://news.example.eu/kept"]


def test_an_rss_guid_that_is_a_permalink_stands_in_for_a_missing_link() -> None:
    # RSS 2.0: a <guid> without isPermaLink="false" is the item's URL (feedparser's reading, kept as is)
    body = """<rss version="2.0"><channel><title>N</title>
    <item><title>Guid</title><guid>https://news.example.eu/by-guid</guid></item></channel></rss>"""
    assert urls(parse_feed(body.encode(), URL).links) == ["https://news.example.eu/by-guid"]


@pytest.mark.parametrize(
    "links",
    [
        pytest.param("", id="no-link"),
        pytest.param('<link rel="enclosure" href="https://cdn.example.eu/1.mp3"/>', id="only-an-enclosure"),
    ],
)
def test_an_atom_entry_without_an_alternate_link_is_skipped(links: str) -> None:
    # An Atom <id> is a name, not an address: it must not become the entry's link
    body = f"""<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <entry><title>Linkless</title><id>tag:news.example.eu,2026:1</id>{links}</entry>
    <entry><title>Kept</title><id>tag:news.example.eu,2026:2</id><link href="https://news.example.eu/kept"/></entry>
    </feed>"""
    assert urls(parse_feed(body.encode(), URL).links) == ["https://news.example.eu/kept"]


def test_a_truncated_atom_feed_keeps_the_entries_it_could_read_and_says_what_is_wrong() -> None:
    cut = '<entry><title>Cut</title><link href="https://news.ex'
    truncated = ATOM[: ATOM.index("<entry><title>Updated only")] + cut
    feed = parse_feed(truncated.encode(), URL, "application/atom+xml")
    assert urls(feed.links) == ["https://news.example.eu/a/1"]
    assert feed.problem is not None and feed.problem.startswith("malformed feed (")
    assert feed.problem.endswith("; 1 entries recovered")


def test_a_valid_feed_without_entries_yet_is_empty_not_an_error() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet news</title></channel></rss>', URL)
    assert feed == parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet</title></feed>', URL)
    assert feed.links == [] and feed.problem is None


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        pytest.param(b"<html><body><p>Hello</p></body></html>", None, "not an RSS/Atom feed", id="html-untyped"),
        pytest.param(
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example.eu/a</loc>'
            b"</url></urlset>",
            "application/xml",
            "not an RSS/Atom feed",
            id="a-sitemap",
        ),
        pytest.param(b'{"items": []}', "application/json", r"malformed feed \(.*not well-formed", id="json"),
        pytest.param(b"Service unavailable", "text/plain", r"malformed feed \(.*syntax error", id="plain-text"),
        pytest.param(b"<?xml version='1.0'?><rss><channel>", "application/rss+xml", "malformed feed", id="cut-early"),
    ],
)
def test_documents_that_are_no_readable_feed_are_errors_that_say_why(
    body: bytes, content_type: str | None, message: str
) -> None:
    with pytest.raises(DiscoveryError, match=message):
        parse_feed(body, URL, content_type)


def test_an_empty_feed_response_is_a_discovery_error() -> None:
    # The spider reports a listing it cannot read only when parse_feed raises DiscoveryError
    with pytest.raises(DiscoveryError):
        parse_feed(b"", URL, "application/rss+xml")


# Sitemaps ---------------------------------------------------------------------------------------------

URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<!-- generated by a CMS -->
<url><loc>https://news.example.eu/2026/one</loc><lastmod>2026-11-24T10:00:00+01:00</lastmod>
<changefreq>daily</changefreq></url>
<url><loc> https://news.example.eu/2026/two </loc><lastmod>2026-11-20</lastmod></url>
<url><loc>https://news.example.eu/2026/three</loc></url>
<url><loc>https://news.example.eu/2026/four</loc><lastmod>sometime</lastmod></url>
<url><lastmod>2026-11-20</lastmod></url>
</urlset>"""
INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example.eu/sitemap-2026-11.xml.gz</loc><lastmod>2026-11-24T10:00:00Z</lastmod></sitemap>
<sitemap><loc>https://news.example.eu/sitemap-news.xml</loc></sitemap>
</sitemapindex>"""
NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:{prefix}="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example.eu/2026/ai-act</loc><lastmod>2026-11-26T00:00:00Z</lastmod>
<{prefix}:news><{prefix}:publication><{prefix}:name>Example News</{prefix}:name>
<{prefix}:language>en</{prefix}:language></{prefix}:publication>
<{prefix}:publication_date>2026-11-24T10:00:00+01:00</{prefix}:publication_date>
<{prefix}:title><![CDATA[AI Act: what changes & when]]></{prefix}:title></{prefix}:news></url>
</urlset>"""


def test_a_urlset_gives_each_loc_with_its_lastmod_as_a_utc_date() -> None:
    sitemap = parse_sitemap(URLSET.encode())
    assert sitemap.sitemaps == []
    assert sitemap.links == [
        Link("https://news.example.eu/2026/one", datetime(2026, 11, 24, 9, tzinfo=UTC)),
        Link("https://news.example.eu/2026/two", datetime(2026, 11, 20, tzinfo=UTC)),  # a bare date: UTC midnight
        Link("https://news.example.eu/2026/three"),  # no lastmod: undated
        Link("https://news.example.eu/2026/four"),  # unreadable lastmod: undated
    ]  # and the <url> without <loc> is skipped
    assert all(link.published_at is None or link.published_at.tzinfo is UTC for link in sitemap.links)


def test_a_sitemap_index_gives_its_child_sitemaps_to_follow() -> None:
    sitemap = parse_sitemap(INDEX.encode())
    assert sitemap.links == []
    assert sitemap.sitemaps == [
        Link("https://news.example.eu/sitemap-2026-11.xml.gz", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        Link("https://news.example.eu/sitemap-news.xml"),
    ]


@pytest.mark.parametrize("prefix", ["news", "n"])
def test_a_google_news_sitemap_gives_the_publication_date_over_lastmod_and_the_news_title(prefix: str) -> None:
    sitemap = parse_sitemap(NEWS.format(prefix=prefix).encode())
    assert sitemap.links == [
        Link(
            "https://news.example.eu/2026/ai-act", datetime(2026, 11, 24, 9, tzinfo=UTC), "AI Act: what changes & when"
        )
    ]


def test_a_google_news_title_is_not_taken_from_an_image_title() -> None:
    # Image extensions may come before <news:news> (the schema allows any order after lastmod)
    body = NEWS.format(prefix="news").replace(
        "<news:news>",
        '<image:image xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        "<image:loc>https://cdn.example.eu/ai-act.jpg</image:loc><image:title>Photo: the Berlaymont</image:title>"
        "</image:image><news:news>",
    )
    [link] = parse_sitemap(body.encode()).links
    assert link.url == "https://news.example.eu/2026/ai-act"
    assert link.title == "AI Act: what changes & when"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"", "not a readable sitemap", id="empty"),
        pytest.param(b"Service unavailable", r"not a readable sitemap \(empty or not XML\)", id="plain-text"),
        pytest.param(b'{"urls": []}', "not a readable sitemap", id="json"),
        pytest.param(gzip.compress(URLSET.encode()), "not a readable sitemap", id="still-gzipped"),
        pytest.param(
            b"<!DOCTYPE html><html><body>Not found</body></html>", r"not a sitemap \(root element <html>\)", id="html"
        ),
        pytest.param(RSS.encode(), r"not a sitemap \(root element <rss>\)", id="a-feed"),
    ],
)
def test_documents_that_are_no_sitemap_are_errors_that_say_why(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=message):
        parse_sitemap(body)


def test_a_truncated_sitemap_keeps_its_complete_entries_and_says_it_was_cut() -> None:
    truncated = URLSET[: URLSET.index("https://news.example.eu/2026/two") + len("https://news.ex")]
    sitemap = parse_sitemap(truncated.encode())
    assert urls(sitemap.links) == ["https://news.example.eu/2026/one"]
    assert sitemap.problem == "sitemap cut short; 1 entries recovered"


def test_a_sitemap_cut_between_two_entries_keeps_both_and_says_it_was_cut() -> None:
    cut = URLSET[: URLSET.index("<url><loc>https://news.example.eu/2026/three")]
    sitemap = parse_sitemap(cut.encode())
    assert urls(sitemap.links) == ["https://news.example.eu/2026/one", "https://news.example.eu/2026/two"]
    assert sitemap.problem == "sitemap cut short; 2 entries recovered"


def test_comments_after_the_end_of_a_sitemap_are_not_a_cut() -> None:
    """WordPress caching plugins append their timing comments to every response, sitemaps included."""
    cached = URLSET + "\n<!-- Dynamic page generated in 0.210 seconds. -->\n<!-- Cached by WP-Super-Cache -->\n"
    cached += "<!-- " + "debug " * 1000 + "-->\n"  # however long
    sitemap = parse_sitemap(cached.encode())
    assert sitemap.problem is None and len(sitemap.links) == 4


def test_a_bare_ampersand_in_a_sitemap_url_is_read_as_meant() -> None:
    """Invalid XML, yet common: sitemap generators that forget to escape query strings."""
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
            b"<loc>https://news.example.eu/p?id=1&page=2&amp;lang=en&#38;x=&#x26;</loc></url></urlset>")
    assert urls(parse_sitemap(body).links) == ["https://news.example.eu/p?id=1&page=2&lang=en&x=&"]


def test_html_entities_and_bare_ampersands_in_a_feed_are_read_as_meant_and_not_a_problem() -> None:
    """Both are invalid XML that feeds often hold; every entry is read, so the source has not failed."""
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf&eacute;&nbsp;News</title>'
            "<item><title>AI&nbsp;Act: l&rsquo;&eacute;t&eacute; &amp; after</title>"
            "<link>https://news.example.eu/p?id=1&page=2</link></item>"
            "<item><title><![CDATA[R&D &nbsp; kept as written]]></title><link>https://news.example.eu/2</link></item>"
            "</channel></rss>").encode()
    feed = parse_feed(body, URL, "application/rss+xml")
    assert feed.problem is None
    assert [(link.url, link.title) for link in feed.links] == [
        ("https://news.example.eu/p?id=1&page=2", "AI\u00a0Act: l\u2019\u00e9t\u00e9 & after"),
        ("https://news.example.eu/2", "R&amp;D &nbsp; kept as written"),  # CDATA untouched (feedparser escapes it)
    ]


def test_an_html_entity_in_a_news_sitemap_title_is_read_as_meant() -> None:
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example.eu/1</loc>'
            b"<news:news><news:title>Gigafactory&nbsp;: l&eacute;gislation</news:title></news:news></url></urlset>")
    assert [link.title for link in parse_sitemap(body).links] == ["Gigafactory\u00a0: l\u00e9gislation"]


def test_a_utf16_sitemap_is_read_whole() -> None:
    body = ('<?xml version="1.0" encoding="UTF-16"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>https://news.example.eu/caf\u00e9?a=1&amp;b=2</loc></url>"
            "<url><loc>https://news.example.eu/two</loc></url></urlset>").encode("utf-16")
    sitemap = parse_sitemap(body)
    assert urls(sitemap.links) == ["https://news.example.eu/caf\u00e9?a=1&b=2", "https://news.example.eu/two"]
    assert sitemap.problem is None


def test_a_utf16_feed_is_read_whole_and_unrepaired() -> None:
    """feedparser decodes UTF-16 itself: ASCII repairs written into its bytes would garble the text."""
    body = ('<?xml version="1.0" encoding="UTF-16"?>\n<rss version="2.0"><channel><title>T</title>'
            "<item><title>AI &amp; compute</title><link>https://news.example.eu/p?a=1&amp;b=2</link></item>"
            "</channel></rss>").encode("utf-16")
    feed = parse_feed(body, "https://news.example.eu/feed")
    assert feed.links == [Link("https://news.example.eu/p?a=1&b=2", None, "AI & compute")]
    assert feed.problem is None


def test_an_unclosed_cdata_section_runs_to_the_end_as_the_parser_reads_it() -> None:
    """Its ampersands are CDATA's, untouched; a feed made of a million bytes of unclosed openers is
    read in one pass (searching for each opener's end again and again took minutes per megabyte)."""
    item = b"<item><title>T</title><link>https://news.example.eu/1</link></item>"
    body = b'<rss version="2.0"><channel>' + item + b"<description><![CDATA[R&D " + b"<![CDATA[x & y " * 70_000
    feed = parse_feed(body, "https://news.example.eu/feed")
    assert urls(feed.links) == ["https://news.example.eu/1"] and feed.problem is not None


def test_each_kind_of_sitemap_gives_only_its_own_kind_of_entry() -> None:
    """A <url> in an index is no sitemap to follow, and a <sitemap> in a urlset no article."""
    index = parse_sitemap(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                          b"<sitemap><loc>https://news.example.eu/s1.xml</loc></sitemap>"
                          b"<url><loc>https://news.example.eu/article</loc></url></sitemapindex>")
    urlset = parse_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                           b"<url><loc>https://news.example.eu/article</loc></url>"
                           b"<sitemap><loc>https://news.example.eu/s1.xml</loc></sitemap></urlset>")
    assert urls(index.sitemaps) == ["https://news.example.eu/s1.xml"] and index.links == []
    assert urls(urlset.links) == ["https://news.example.eu/article"] and urlset.sitemaps == []


def test_an_empty_self_closed_sitemap_is_not_a_cut() -> None:
    sitemap = parse_sitemap(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    assert sitemap == Sitemap(links=[], sitemaps=[], problem=None)


def test_the_spider_reports_a_cut_sitemap_as_a_problem_of_its_source() -> None:
    spider = news_spider(newsmon_settings())
    cut = URLSET[: URLSET.index("</urlset>") - 10].encode()
    links, _, problem = spider.read_listing(Response(SITEMAP_URL, body=gzip.compress(cut)), "sitemap")
    assert len(links) == 4 and problem == "sitemap cut short; 4 entries recovered"  # the cut went through a loc-less <url>


def read_with_doctype(doctype: str, path: str) -> str:
    """Every URL and title read from a one-URL sitemap with this DOCTYPE, as one string (empty: rejected)."""
    url = f"<url><loc>https://news.example.eu/{path}</loc></url>"
    body = f'<?xml version="1.0"?>{doctype}\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{url}</urlset>'
    try:
        sitemap = parse_sitemap(body.encode())
    except DiscoveryError:
        return ""
    return " ".join(f"{link.url} {link.title}" for link in sitemap.links + sitemap.sitemaps)


@pytest.mark.parametrize(
    "doctype",
    [
        pytest.param('<!DOCTYPE urlset [<!ENTITY secret SYSTEM "{file}">]>', id="external-entity"),
        pytest.param('<!DOCTYPE urlset [<!ENTITY % dtd SYSTEM "{dtd}"> %dtd;]>', id="parameter-entity"),
        pytest.param('<!DOCTYPE urlset SYSTEM "{dtd}">', id="external-dtd"),
    ],
)
def test_a_sitemap_cannot_read_local_files_through_entities(doctype: str, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOPSECRET")
    (tmp_path / "evil.dtd").write_text('<!ENTITY secret "TOPSECRET">')
    head = doctype.format(file=(tmp_path / "secret.txt").as_uri(), dtd=(tmp_path / "evil.dtd").as_uri())
    assert "TOPSECRET" not in read_with_doctype(head, "&secret;")


def test_internal_entities_are_not_expanded() -> None:
    laughs = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 9))
    assert "lol" not in read_with_doctype(f'<!DOCTYPE urlset [<!ENTITY lol0 "lol">{laughs}]>', "&lol8;")


def test_a_sitemap_never_makes_the_parser_fetch_anything() -> None:
    site = RecordingSite(fallback=lambda path, n: Reply(200, b'<!ENTITY remote "FETCHED">', "application/xml-dtd"))
    with site.running():
        for doctype in (
            f'<!DOCTYPE urlset SYSTEM "{site.base_url}/external.dtd">',
            f'<!DOCTYPE urlset [<!ENTITY % dtd SYSTEM "{site.base_url}/parameter.dtd"> %dtd;]>',
            f'<!DOCTYPE urlset [<!ENTITY remote SYSTEM "{site.base_url}/entity.txt">]>',
        ):
            assert "FETCHED" not in read_with_doctype(doctype, "&remote;")
    assert site.requested == []


@pytest.fixture
def machine_in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set far from UTC, as on a server that is not on UTC."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_listing_dates_do_not_depend_on_the_machine_time_zone(machine_in_tokyo: None) -> None:
    assert [link.published_at for link in parse_feed(RSS_20.encode(), URL).links] == [
        datetime(2026, 11, 24, 9, tzinfo=UTC),
        datetime(2026, 11, 24, 15, tzinfo=UTC),
    ]
    assert parse_sitemap(URLSET.encode()).links[1].published_at == datetime(2026, 11, 20, tzinfo=UTC)


# The spider: gzipped sitemaps, and which entries are fresh ----------------------------------------------

SITEMAP_URL = "https://news.example.eu/sitemap.xml.gz"


def newsmon_settings(max_age_days: int | None = None, source_max_age_days: int | None = None, **crawl: int) -> Settings:
    if max_age_days is not None:
        crawl["max_age_days"] = max_age_days
    source = {"name": "News", "feeds": [URL], "sitemaps": [SITEMAP_URL], "max_age_days": source_max_age_days}
    return Settings(crawl=crawl, sources=[source])


def news_spider(config: Settings) -> NewsSpider:
    """The news spider with what read_listing and fresh use: newsmon's settings, and Scrapy's as a crawl
    applies them. (A crawler and from_crawler would also make a queue directory and open the archive's
    database, neither used here.)"""
    settings = ScrapySettings()
    apply_config(settings, config)
    spider = NewsSpider()
    spider.settings = settings
    spider.config = config
    return spider


@pytest.mark.parametrize(("plain", "links", "sitemaps"), [(URLSET, 4, 0), (INDEX, 0, 2)])
def test_a_gzipped_sitemap_file_is_read_like_a_plain_one(plain: str, links: int, sitemaps: int) -> None:
    spider = news_spider(newsmon_settings())
    expected = spider.read_listing(Response(SITEMAP_URL, body=plain.encode()), "sitemap")
    assert spider.read_listing(Response(SITEMAP_URL, body=gzip.compress(plain.encode())), "sitemap") == expected
    assert (len(expected[0]), len(expected[1]), expected[2]) == (links, sitemaps, None)


def test_a_gzipped_sitemap_that_unpacks_beyond_max_page_bytes_is_an_error() -> None:
    spider = news_spider(newsmon_settings(max_page_bytes=10_000))
    bomb = gzip.compress(URLSET.replace("<!--", " " * 20_000 + "<!--").encode())
    with pytest.raises(DiscoveryError, match=r"cannot decompress gzipped sitemap \(.*exceeded"):
        spider.read_listing(Response(SITEMAP_URL, body=bomb), "sitemap")


def test_a_corrupt_gzipped_sitemap_is_an_error() -> None:
    spider = news_spider(newsmon_settings())
    with pytest.raises(DiscoveryError, match="cannot decompress gzipped sitemap"):
        spider.read_listing(Response(SITEMAP_URL, body=b"\x1f\x8b" + b"not gzip at all" * 4), "sitemap")


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def fresh_ages(config: Settings, ages: list[float | None]) -> list[float | None]:
    """The ages in days (None: undated) of the links NewsSpider.fresh keeps, out of links of those ages."""
    links = [Link(f"https://news.example.eu/{n}", None if age is None else days_ago(age)) for n, age in enumerate(ages)]
    kept = set(urls(list(news_spider(config).fresh(links, config.sources[0]))))
    return [age for age, link in zip(ages, links) if link.url in kept]


def test_entries_older_than_the_default_30_days_are_skipped() -> None:
    assert fresh_ages(newsmon_settings(), [0, 1, 29.9, 30.1, 365]) == [0, 1, 29.9]


def test_the_global_max_age_days_applies_to_a_source_without_its_own() -> None:
    assert fresh_ages(newsmon_settings(max_age_days=3), [2, 4, 29]) == [2]


def test_a_source_max_age_days_overrides_the_global_one_either_way() -> None:
    assert fresh_ages(newsmon_settings(max_age_days=30, source_max_age_days=7), [6, 8, 29]) == [6]
    assert fresh_ages(newsmon_settings(max_age_days=7, source_max_age_days=60), [6, 8, 59, 61]) == [6, 8, 59]


def test_entries_without_a_date_are_kept_since_the_page_itself_has_one() -> None:
    assert fresh_ages(newsmon_settings(max_age_days=1, source_max_age_days=1), [None, 2, None]) == [None, None]


def test_a_feed_read_by_the_spider_keeps_only_its_fresh_and_undated_entries() -> None:
    def item(path: str, age: float | None) -> str:
        date = "" if age is None else f"<pubDate>{format_datetime(days_ago(age), usegmt=True)}</pubDate>"
        return f"<item><title>{path}</title><link>/{path}</link>{date}</item>"

    body = f"""<rss version="2.0"><channel><title>News</title>
    {item("fresh", 2)}{item("stale", 40)}{item("undated", None)}</channel></rss>"""
    config = newsmon_settings()
    spider = news_spider(config)
    redirected = "https://www.news.example.eu/rss/"  # links resolve against where the feed really is
    response = Response(redirected, body=body.encode(), headers={"Content-Type": "application/rss+xml"})
    links, sitemaps, problem = spider.read_listing(response, "feed")
    assert (sitemaps, problem) == ([], None)
    assert urls(list(spider.fresh(links, config.sources[0]))) == [
        "https://www.news.example.eu/fresh",
        "https://www.news.example.eu/undated",
    ]


class SlowArchive:
    """An archive that knows nothing and answers after other coroutines have run, as a database thread does."""

    async def known(self, urls: object) -> set[str]:
        await asyncio.sleep(0.01)
        return set()


def test_a_link_in_both_a_feed_and_a_sitemap_read_at_once_is_found_and_requested_once() -> None:
    config = newsmon_settings()
    spider = news_spider(config)
    spider.figures = CrawlFigures(get_crawler())
    spider.archive = SlowArchive()
    links = [Link("https://news.example.eu/2026/one"), Link("https://news.example.eu/2026/two?utm_source=rss")]

    async def read_both() -> list[list[Request]]:
        async def requests(found: list[Link]) -> list[Request]:
            return [request async for request in spider.article_requests(found, config.sources[0])]

        return await asyncio.gather(requests(links), requests(links[::-1]))

    from_feed, from_sitemap = asyncio.run(read_both())
    assert len(from_feed) + len(from_sitemap) == 2
    assert spider.figures.collect()["News"].links_found == 2
