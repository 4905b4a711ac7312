"""The sample news site and its server: what the crawler's end-to-end tests rely on.

Everything is fetched over real HTTP from one `SampleSite` per module; every response is closed
(filterwarnings=error turns a leaked socket into a failure).
"""

from __future__ import annotations

import gzip
import http.client
import json
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, ProxyHandler, Request, build_opener

import feedparser
import pytest
import trafilatura

from demo.server import DEFAULT_ROOT, SampleSite, fill_placeholders, is_not_modified
from demo.sitegen.build import check

MANIFEST: dict[str, Any] = json.loads((DEFAULT_ROOT / "manifest.json").read_text(encoding="utf-8"))
ARTICLES: list[dict[str, Any]] = MANIFEST["articles"]
SOURCES: list[dict[str, Any]] = [s for o in MANIFEST["outlets"] for s in o["sources"]]
FEEDS = [s for s in SOURCES if s["kind"] in ("rss", "atom") and not s["broken"]]
SITEMAPS = [s for s in SOURCES if "sitemap" in s["kind"]]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as running:
        yield running
    assert running.errors == []


# --- fetching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: Message
    body: bytes
    url: str


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # makes urllib hand the 301 itself back as an HTTPError


_FOLLOW = build_opener(ProxyHandler({}))
_STAY = build_opener(ProxyHandler({}), _NoRedirect())


def fetch(url: str, headers: Mapping[str, str] | None = None, *, method: str = "GET", follow: bool = True) -> Fetched:
    """GET (or HEAD) a URL, returning error statuses instead of raising, and closing everything."""
    request = Request(url, headers=dict(headers or {}), method=method)
    try:
        with (_FOLLOW if follow else _STAY).open(request, timeout=10) as response:
            return Fetched(response.status, response.headers, response.read(), response.url)
    except HTTPError as error:
        with error:
            return Fetched(error.code, error.headers, error.read(), error.url)


def parse_feed(site: SampleSite, path: str) -> Any:
    fetched = fetch(site.url(path))
    headers = {"content-type": fetched.headers["Content-Type"], "content-location": site.url(path)}
    return feedparser.parse(fetched.body, response_headers=headers)


def sitemap_xml(site: SampleSite, path: str) -> ET.Element:
    fetched = fetch(site.url(path))
    assert fetched.status == 200
    body = gzip.decompress(fetched.body) if path.endswith(".gz") else fetched.body
    return ET.fromstring(body)


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- the generated files and the manifest -------------------------------------------------------


def test_generated_site_is_up_to_date() -> None:
    assert check() == [], "run `python -m demo.sitegen` to regenerate demo/site"


def test_manifest_covers_the_required_cases() -> None:
    traps = {a["trap"] for a in ARTICLES}
    kinds = {s["kind"] for s in SOURCES}
    assert 24 <= len(ARTICLES) <= 36
    assert len(MANIFEST["outlets"]) in (3, 4)
    assert {"battery_gigafactory", "stargate_tv"} <= traps
    assert {"rss", "atom", "news_sitemap", "sitemap_index", "sitemap"} <= kinds
    assert any(s["gzipped"] for s in SOURCES) and any(s["relative_links"] for s in SOURCES)
    assert [a for a in ARTICLES if a["syndicated_of"]] and [a for a in ARTICLES if a["tracking_url"]]
    assert [a for a in ARTICLES if a["encoding"] == "iso-8859-1"] and [a for a in ARTICLES if a["disallowed"]]
    assert MANIFEST["redirects"] and MANIFEST["missing"] and MANIFEST["non_html"] and MANIFEST["broken_sources"]
    assert sum(a["published_days_ago"] > 30 for a in ARTICLES) >= 2


def test_some_articles_are_in_both_a_feed_and_a_sitemap() -> None:
    in_feeds = {link for s in FEEDS for link in s["links"]}
    in_sitemaps = {link for s in SITEMAPS for link in s["links"]}
    assert len(in_feeds & in_sitemaps) >= 3


def test_every_outlet_has_a_working_source() -> None:
    for outlet in MANIFEST["outlets"]:
        assert any(not s["broken"] for s in outlet["sources"]), outlet["id"]


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("article", ARTICLES, ids=[a["path"] for a in ARTICLES])
def test_article_page_is_served_with_placeholders_filled(site: SampleSite, article: dict[str, Any]) -> None:
    fetched = fetch(site.url(article["path"]))
    text = fetched.body.decode(article["encoding"])
    assert fetched.status == 200
    assert fetched.headers["Content-Type"] == f"text/html; charset={article['encoding']}"
    assert "{{" not in text
    assert f'<link rel="canonical" href="{site.url(article["path"])}">' in text
    assert f"<title>{article['title']} | " in text.replace("&#x27;", "'")


@pytest.mark.parametrize("article", ARTICLES, ids=[a["path"] for a in ARTICLES])
def test_manifest_expectations_hold_for_trafilatura(site: SampleSite, article: dict[str, Any]) -> None:
    """The golden data is only useful if true: body phrase kept, sidebar dropped, title and date found."""
    html = fetch(site.url(article["path"])).body
    doc = trafilatura.bare_extraction(html, url=site.url(article["path"]), with_metadata=True)
    expected_day = (site.now - timedelta(days=article["published_days_ago"])).date().isoformat()
    assert doc is not None and not isinstance(doc, dict)
    text = doc.text or ""
    assert article["body_phrase"] in text
    assert not [title for title in article["most_read"] if title in text]
    assert (doc.title, doc.date) == (article["title"], expected_day)


def test_trap_pages_mention_their_false_friend() -> None:
    words = {"battery_gigafactory": "gigafactory", "stargate_tv": "Stargate", "us_state_ai_act": "AI Act"}
    for article in (a for a in ARTICLES if a["trap"]):
        html = (DEFAULT_ROOT / article["file"]).read_text(encoding=article["encoding"])
        assert words[article["trap"]] in html and article["topics"] == []


def test_syndicated_copy_repeats_the_original_body(site: SampleSite) -> None:
    copy = next(a for a in ARTICLES if a["syndicated_of"])
    original = next(a for a in ARTICLES if a["path"] == copy["syndicated_of"])
    copy_text = trafilatura.extract(fetch(site.url(copy["path"])).body) or ""
    original_text = trafilatura.extract(fetch(site.url(original["path"])).body) or ""
    assert copy["title"] != original["title"] and copy["outlet"] != original["outlet"]
    assert original["body_phrase"] in copy_text and "first appeared in Brussels Byte" in copy_text
    assert "first appeared" not in original_text


def test_latin1_page_is_stored_and_served_as_latin1(site: SampleSite) -> None:
    article = next(a for a in ARTICLES if a["encoding"] == "iso-8859-1")
    fetched = fetch(site.url(article["path"]))
    assert fetched.headers.get_content_charset() == "iso-8859-1"
    assert b'<meta charset="iso-8859-1">' in fetched.body
    assert "réglementaires" in fetched.body.decode("iso-8859-1")
    with pytest.raises(UnicodeDecodeError):
        fetched.body.decode("utf-8")


def test_extensionless_and_directory_urls(site: SampleSite) -> None:
    assert fetch(site.url("/compute-courier/a/2107-stargate-new-us-sites")).status == 200
    assert fetch(site.url("/compute-courier/a/2107-stargate-new-us-sites.html")).status == 200
    assert b"sample news site" in fetch(site.url("/")).body


# --- feeds and sitemaps -------------------------------------------------------------------------


@pytest.mark.parametrize("source", FEEDS, ids=[s["path"] for s in FEEDS])
def test_feed_parses_and_links_resolve_to_this_server(site: SampleSite, source: dict[str, Any]) -> None:
    feed = parse_feed(site, source["path"])
    links = [entry.link for entry in feed.entries]
    assert not feed.bozo, feed.get("bozo_exception")
    assert all(link.startswith(site.base_url + "/") for link in links)
    assert [path_and_query(link) for link in links] == source["links"]
    assert all(entry.get("published_parsed") for entry in feed.entries)


def test_relative_feed_really_is_relative(site: SampleSite) -> None:
    source = next(s for s in SOURCES if s["relative_links"])
    items = ET.fromstring(fetch(site.url(source["path"])).body).iter("item")
    assert not [item.findtext("link") for item in items if "://" in (item.findtext("link") or "")]


def test_feed_content_types(site: SampleSite) -> None:
    expected = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
    for source in FEEDS:
        assert fetch(site.url(source["path"])).headers.get_content_type() == expected[source["kind"]]


@pytest.mark.parametrize("source", SITEMAPS, ids=[s["path"] for s in SITEMAPS])
def test_sitemap_is_valid_xml_with_absolute_locs(site: SampleSite, source: dict[str, Any]) -> None:
    root = sitemap_xml(site, source["path"])
    locs = [loc.text or "" for loc in root.iter(f"{SM}loc")]
    expected_root = "sitemapindex" if source["kind"] == "sitemap_index" else "urlset"
    assert root.tag == SM + expected_root
    assert all(loc.startswith(site.base_url + "/") for loc in locs)
    assert [path_and_query(loc) for loc in locs] == (source["children"] or source["links"])


def test_news_sitemap_has_publication_fields(site: SampleSite) -> None:
    source = next(s for s in SITEMAPS if s["kind"] == "news_sitemap")
    news = sitemap_xml(site, source["path"]).find(f"{SM}url/{NEWS}news")
    assert news is not None
    assert news.findtext(f"{NEWS}publication/{NEWS}name")
    assert news.findtext(f"{NEWS}title")
    assert datetime.fromisoformat(news.findtext(f"{NEWS}publication_date") or "").tzinfo is not None


def test_gzipped_sitemap_is_served_as_gzip(site: SampleSite) -> None:
    source = next(s for s in SOURCES if s["gzipped"])
    fetched = fetch(site.url(source["path"]))
    assert fetched.headers["Content-Type"] == "application/x-gzip"
    assert fetched.headers["Content-Encoding"] is None
    assert fetched.body[:2] == b"\x1f\x8b"
    assert site.base_url.encode() in gzip.decompress(fetched.body)


def test_broken_feed_is_malformed(site: SampleSite) -> None:
    broken = MANIFEST["broken_sources"][0]
    fetched = fetch(site.url(broken["path"]))
    assert fetched.status == 200
    with pytest.raises(ET.ParseError):
        ET.fromstring(fetched.body)
    assert parse_feed(site, broken["path"]).bozo


# --- HTTP behaviour -----------------------------------------------------------------------------


def test_conditional_requests_get_304(site: SampleSite) -> None:
    url = site.url("/brussels-byte/feed.rss")
    first = fetch(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and last_modified
    assert fetch(url, {"If-None-Match": etag}).status == 304
    assert fetch(url, {"If-Modified-Since": last_modified}).status == 304
    assert fetch(url, {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}).status == 200
    earlier = format_datetime(site.now - timedelta(hours=1), usegmt=True)
    assert fetch(url, {"If-Modified-Since": earlier}).status == 200


def test_redirect_is_a_301_to_the_final_url(site: SampleSite) -> None:
    old, new = next(iter(MANIFEST["redirects"].items()))
    moved = fetch(site.url(old), follow=False)
    followed = fetch(site.url(old))
    assert (moved.status, moved.headers["Location"]) == (301, site.url(new))
    assert (followed.status, followed.url) == (200, site.url(new))


def test_missing_page_is_a_404_linked_from_a_feed(site: SampleSite) -> None:
    missing = MANIFEST["missing"][0]
    assert missing["linked_from"]
    assert fetch(site.url(missing["path"])).status == 404
    assert fetch(site.url("/no/such/page")).status == 404
    assert fetch(site.url("/../../etc/passwd")).status == 404


def test_robots_txt_disallows_the_private_page(site: SampleSite) -> None:
    fetched = fetch(site.url("/robots.txt"))
    text = fetched.body.decode()
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    private = next(a for a in ARTICLES if a["disallowed"])
    assert fetched.headers.get_content_type() == "text/plain"
    assert "Disallow: /private/" in text and f"Sitemap: {site.base_url}/" in text
    assert not robots.can_fetch("newsmon", site.url(private["path"]))
    assert all(robots.can_fetch("newsmon", site.url(a["path"])) for a in ARTICLES if not a["disallowed"])
    assert fetch(site.url(private["path"])).status == 200  # robots.txt is advice; the page exists


def test_tracking_url_serves_the_canonical_article(site: SampleSite) -> None:
    article = next(a for a in ARTICLES if a["tracking_url"])
    fetched = fetch(site.url(article["tracking_url"]))
    assert fetched.status == 200
    assert f'<link rel="canonical" href="{site.url(article["path"])}">'.encode() in fetched.body


def test_oversized_page_is_streamed(site: SampleSite) -> None:
    url = site.url(MANIFEST["oversized"]["path"])
    head = fetch(url, method="HEAD")
    with _FOLLOW.open(url, timeout=30) as response:
        size = sum(len(chunk) for chunk in iter(lambda: response.read(1 << 20), b""))
    assert (head.body, int(head.headers["Content-Length"])) == (b"", size)
    assert size >= 10_000_000


def test_pdf_link_is_a_pdf(site: SampleSite) -> None:
    entry = MANIFEST["non_html"][0]
    fetched = fetch(site.url(entry["path"]))
    assert fetched.headers["Content-Type"] == entry["content_type"] == "application/pdf"
    assert fetched.body.startswith(b"%PDF-") and fetched.body.rstrip().endswith(b"%%EOF")


def test_requests_are_recorded(site: SampleSite) -> None:
    site.clear_requests()
    fetch(site.url("/robots.txt?probe=1"), {"User-Agent": "newsmon-test"})
    fetch(site.url("/nowhere"), method="HEAD")
    first, second = site.requests
    assert (first.method, first.path, first.status) == ("GET", "/robots.txt?probe=1", 200)
    assert first.headers["User-Agent"] == "newsmon-test"
    assert (second.method, second.path, second.status) == ("HEAD", "/nowhere", 404)
    assert site.requested_paths() == ["/robots.txt?probe=1", "/nowhere"]


def test_keep_alive_serves_several_requests_on_one_connection(site: SampleSite) -> None:
    host, port = urlsplit(site.base_url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for path in ("/robots.txt", "/brussels-byte/feed.rss", "/nowhere"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.version == 11 and not response.will_close
    finally:
        connection.close()


def test_stop_ends_idle_keep_alive_connections() -> None:
    """A crawler that leaves a connection open must not make stop() hang."""
    with SampleSite() as other:
        connection = http.client.HTTPConnection(urlsplit(other.base_url).netloc, timeout=10)
        connection.request("GET", "/robots.txt")
        connection.getresponse().read()
    connection.close()
    with pytest.raises(RuntimeError):
        _ = other.base_url


# --- pure helpers -------------------------------------------------------------------------------


def test_fill_placeholders_formats_and_keeps_other_bytes() -> None:
    now = datetime(2025, 11, 23, 7, 23, tzinfo=UTC)
    template = "{{BASE}}/a {{DATE-1}} {{DAY-0.5}} {{RFC822-2}} {{HUMAN-0}} {{DMY-10}} {{OTHER}} é".encode("latin-1")
    filled = fill_placeholders(template, "http://127.0.0.1:1", now).decode("latin-1")
    assert filled == (
        "http://127.0.0.1:1/a 2025-11-22T07:23:00+00:00 2025-11-22 Fri, 21 Nov 2025 07:23:00 +0000 "
        "23 November 2025 13.11.2025 {{OTHER}} é"
    )


def test_is_not_modified_follows_the_rfc_precedence() -> None:
    stamp = datetime(2025, 11, 23, 7, 23, tzinfo=UTC)
    http_date = format_datetime(stamp, usegmt=True)
    assert is_not_modified({"If-None-Match": 'W/"a", "b"'}, '"a"', stamp)
    assert not is_not_modified({"If-None-Match": '"x"', "If-Modified-Since": http_date}, '"a"', stamp)
    assert is_not_modified({"If-Modified-Since": http_date}, '"a"', stamp)
    assert not is_not_modified({"If-Modified-Since": "yesterday"}, '"a"', stamp)
    assert not is_not_modified({}, '"a"', stamp)
