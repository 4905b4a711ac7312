"""Reading feeds and sitemaps into article links (pure parsing: bytes in, links out).

Feeds: RSS 0.9x/1.0/2.0 and Atom, through feedparser, with relative links resolved against the
feed's URL. Sitemaps: urlsets (including Google News sitemaps, whose ``<news:news>`` children
Scrapy's own sitemap parser drops) and sitemap indexes. XML is parsed without entities or network
access, so a hostile sitemap cannot read files or expand into gigabytes.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
from lxml import etree

from pipeline.extract import parse_date


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be read; the message says why in a few words."""


@dataclass(frozen=True, slots=True)
class Link:
    """An article link found in a feed or sitemap, with what the listing says about it."""

    url: str
    published_at: datetime | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """The links of a feed, and what was wrong with it when it was only partly readable."""

    links: list[Link]
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """What one sitemap document holds: article links, or (an index) further sitemaps."""

    links: list[Link]
    sitemaps: list[Link]


_HARMLESS = feedparser.ThingsNobodyCaresAboutButMe


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """Links of an RSS or Atom feed. A broken feed whose entries could partly be read keeps them,
    with the problem reported; one with nothing readable raises DiscoveryError."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    error = parsed.get("bozo_exception")
    # feedparser also flags harmless things (a feed served as text/html, a charset it overrode)
    problem = f"malformed feed ({error})" if parsed.bozo and not isinstance(error, _HARMLESS) else None
    if not parsed.entries and (problem or not parsed.version):
        raise DiscoveryError(problem or "not an RSS/Atom feed (no feed elements found)")
    links = [link for entry in parsed.entries if (link := _feed_link(entry)) is not None]
    return Feed(links, f"{problem}; {len(links)} entries recovered" if problem else None)


def _feed_link(entry: feedparser.FeedParserDict) -> Link | None:
    href = entry.get("link") or next(
        (link.get("href") for link in entry.get("links", []) if link.get("rel") == "alternate"), None
    )
    if not href:
        return None
    parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
    return Link(url=href.strip(), published_at=_from_struct(parsed_time), title=entry.get("title"))


def _from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser normalizes every date it understands to a UTC struct_time."""
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_comments=True
)


def parse_sitemap(body: bytes) -> Sitemap:
    """Links of a urlset (with Google News dates and titles) or the sitemaps of a sitemap index."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not a readable sitemap ({exc})") from None
    if root is None:
        raise DiscoveryError("not a readable sitemap (empty or not XML)")
    kind = etree.QName(root).localname
    if kind == "urlset":
        return Sitemap(links=list(_entries(root, "url")), sitemaps=[])
    if kind == "sitemapindex":
        return Sitemap(links=[], sitemaps=list(_entries(root, "sitemap")))
    raise DiscoveryError(f"not a sitemap (root element <{kind}>)")


def _entries(root: etree._Element, tag: str) -> Iterator[Link]:
    for element in root:
        if not isinstance(element.tag, str) or etree.QName(element).localname != tag:
            continue
        fields = _child_texts(element)
        if fields.get("loc"):
            published = parse_date(fields.get("publication_date")) or parse_date(fields.get("lastmod"))
            yield Link(url=fields["loc"], published_at=published, title=fields.get("title"))


def _child_texts(element: etree._Element) -> dict[str, str]:
    """Local names to text for loc/lastmod and the <news:news> descendants (publication_date, title)."""
    out: dict[str, str] = {}
    for child in element.iter():
        if child is element or not isinstance(child.tag, str):
            continue
        text = (child.text or "").strip()
        if text:
            out.setdefault(etree.QName(child).localname, text)
    return out
