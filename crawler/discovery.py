"""Reading feeds and sitemaps into article links (pure parsing: bytes in, links out).

Feeds: RSS 0.9x/1.0/2.0 and Atom, through feedparser, with relative links resolved against the
feed's URL. Sitemaps: urlsets (including Google News sitemaps, whose ``<news:news>`` children
Scrapy's own sitemap parser drops) and sitemap indexes. XML is parsed without entities or network
access, so a hostile sitemap cannot read files or expand into gigabytes.
"""

from __future__ import annotations

import calendar
import codecs
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.entities import name2codepoint

import feedparser
from lxml import etree

from pipeline.dates import parse_date


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
    """What one sitemap document holds: article links, or (an index) further sitemaps, and what was
    wrong with it when it was only partly readable."""

    links: list[Link]
    sitemaps: list[Link]
    problem: str | None = None


_HARMLESS = feedparser.ThingsNobodyCaresAboutButMe
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """Links of an RSS or Atom feed. A broken feed whose entries could partly be read keeps them,
    with the problem reported; one with nothing readable raises DiscoveryError. Bare ampersands and
    HTML entities are repaired first (:func:`_repair_xml`), except in UTF-16, which feedparser decodes."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    if not body.startswith(_UTF16_BOMS):
        body = _repair_xml(body)
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    error = parsed.get("bozo_exception")
    # feedparser also flags harmless things (a feed served as text/html, a charset it overrode)
    problem = f"malformed feed ({error})" if parsed.bozo and not isinstance(error, _HARMLESS) else None
    if not parsed.entries and (problem or not parsed.get("version")):  # an empty body has no version at all
        raise DiscoveryError(problem or "not an RSS/Atom feed (no feed elements found)")
    atom = parsed.get("version", "").startswith("atom")
    links = [link for entry in parsed.entries if (link := _feed_link(entry, atom)) is not None]
    return Feed(links, f"{problem}; {len(links)} entries recovered" if problem else None)


def _feed_link(entry: feedparser.FeedParserDict, atom: bool) -> Link | None:
    """The entry's link: an Atom entry's alternate link only (feedparser falls back on its <id>, a
    name rather than an address); an RSS item's <link>, else its permalink <guid>, as RSS says."""
    alternate = next((link.get("href") for link in entry.get("links", []) if link.get("rel") == "alternate"), None)
    href = alternate if atom else entry.get("link") or alternate
    if not href:
        return None
    published = entry.get("published_parsed") or (entry.get("updated_parsed") if "updated" in entry else None)
    return Link(url=href.strip(), published_at=_from_struct(published), title=entry.get("title"))


def _from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser normalizes every date it understands to a UTC struct_time."""
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


# No entities, no network: a hostile sitemap can neither read files nor expand into gigabytes.
_XML_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "recover": True, "remove_comments": True}
_SITEMAP_TAGS = ("{*}urlset", "{*}sitemapindex", "{*}url", "{*}sitemap")  # any namespace, or none


def parse_sitemap(body: bytes) -> Sitemap:
    """Links of a urlset (with Google News dates and titles) or the sitemaps of a sitemap index.

    A sitemap cut short (a dropped connection, a truncated file) keeps the entries whose end tag
    arrived, with the problem reported, rather than yielding half a URL: the parser's recovery closes
    what is open at the end, so only the end tags it read tell complete entries apart. Bare
    ampersands and HTML entities are repaired first (:func:`_repair_xml`).
    """
    parser = etree.XMLPullParser(events=("end",), tag=_SITEMAP_TAGS, **_XML_OPTIONS)
    try:
        parser.feed(_repair_xml(_utf8(body)))
        ended = [element for _, element in parser.read_events()]  # before close(), which ends what is open
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not a readable sitemap ({exc})") from None
    if root is None:
        raise DiscoveryError("not a readable sitemap (empty or not XML)")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap (root element <{kind}>)")
    entry = "url" if kind == "urlset" else "sitemap"  # a <url> in an index is no sitemap, and vice versa
    entries = list(_entries(e for e in ended if e.getparent() is root and etree.QName(e).localname == entry))
    cut = not ended or ended[-1] is not root  # the root's end tag is the last one read
    problem = f"sitemap cut short; {len(entries)} entries recovered" if cut else None
    if kind == "urlset":
        return Sitemap(links=entries, sitemaps=[], problem=problem)
    return Sitemap(links=[], sitemaps=entries, problem=problem)


def _utf8(body: bytes) -> bytes:
    """A UTF-16 sitemap (its byte-order mark says so) as UTF-8, for :func:`_repair_xml` to read it."""
    if not body.startswith(_UTF16_BOMS):
        return body
    return _XML_DECLARATION.sub("", body.decode("utf-16"), count=1).encode("utf-8")


_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")  # it names UTF-16, which the UTF-8 bytes no longer are
# CDATA (left as it is; an unclosed one runs to the end, as the parser reads it: searching for its end
# from every opener again would take quadratic time), or an & and the reference it may start.
_CDATA_OR_AMPERSAND = re.compile(
    rb"(<!\[CDATA\[.*?(?:\]\]>|\Z))|&(#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_][\w.-]*;)?", re.DOTALL
)
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def _repair_xml(body: bytes) -> bytes:
    """The two slips publishers' XML makes most, repaired as the author meant them: a bare ``&`` (an
    unescaped query string) becomes ``&amp;``, and an HTML entity XML does not define (``&nbsp;``,
    ``&eacute;``) becomes its character reference. Without this, the parser's recovery drops the
    ampersand and what follows it, and a feed that lost nothing is reported malformed every night."""
    return _CDATA_OR_AMPERSAND.sub(_repaired, body)


def _repaired(match: re.Match[bytes]) -> bytes:
    cdata, reference = match.groups()
    if cdata is not None:
        return cdata
    if reference is None:
        return b"&amp;"
    name = reference[:-1].decode("ascii", "replace")
    if name.startswith("#") or name in _XML_ENTITIES or name not in name2codepoint:
        return match.group(0)  # well-formed, or an entity the document may declare: the parser decides
    return b"&#%d;" % name2codepoint[name]


def _entries(elements: Iterable[etree._Element]) -> Iterator[Link]:
    for element in elements:
        fields = _child_texts(element)
        news = element.find("{*}news")
        if news is not None:  # Google News: its own date and title, never an image's or a video's
            fields.update({name: text for name, text in _child_texts(news).items() if name in _NEWS_FIELDS})
        if fields.get("loc"):
            published = parse_date(fields.get("publication_date")) or parse_date(fields.get("lastmod"))
            yield Link(url=fields["loc"], published_at=published, title=fields.get("title"))


_NEWS_FIELDS = ("publication_date", "title")


def _child_texts(element: etree._Element) -> dict[str, str]:
    """Local names to texts of the element's own children (loc and lastmod of an entry), the first of each."""
    texts: dict[str, str] = {}
    for child in element:
        if (name := _localname(child)) and (text := (child.text or "").strip()):
            texts.setdefault(name, text)
    return texts


def _localname(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""
