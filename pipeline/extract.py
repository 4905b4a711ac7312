"""Turn a fetched page into an :class:`Article`, or say why it is not one.

Pure functions, no Scrapy: the crawler's item pipeline calls :func:`extract_article` and logs the
:class:`NotAnArticle` reason with the URL. The page is parsed once (trafilatura's ``load_html``); the
metadata is read from that tree and the tree is handed to trafilatura for the body, which works on a
copy.

Each field trusts what the publisher declares for machines over what heuristics guess:

- date: JSON-LD ``datePublished`` > ``article:published_time`` and similar meta > the caller's
  ``fallback_date`` (feed or sitemap) > htmldate's search of the page;
- authors: JSON-LD ``author`` > author meta tags > trafilatura's byline search;
- title: ``og:title`` > JSON-LD ``headline`` > trafilatura's title (h1, ``<title>``), without the
  outlet's name;
- language: ``<html lang>`` > ``og:locale`` > Content-Language > stop words in the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.metadata import extract_author, extract_title
from trafilatura.settings import Document
from trafilatura.utils import load_html
from w3lib.encoding import html_to_unicode

__all__ = [
    "Article",
    "ExtractionOptions",
    "NotAnArticle",
    "clean_authors",
    "decode_html",
    "detect_language",
    "extract_article",
    "parse_date",
    "strip_site_name",
]


@dataclass(frozen=True, slots=True)
class Article:
    """What the archive keeps of one page."""

    url: str  # the page's canonical URL when it declares a plausible one, else the URL fetched
    title: str | None
    text: str  # paragraphs separated by "\n"
    authors: list[str]
    published_at: datetime | None  # timezone-aware, UTC
    language: str | None  # ISO 639-1, lower-case
    description: str | None
    sitename: str | None


@dataclass(frozen=True, slots=True)
class ExtractionOptions:
    """How strict extraction is; build one per crawl and pass it to every call."""

    min_text_chars: int = 400  # a shorter body is a teaser, a paywall stub or an error page
    fallback_date: datetime | None = None  # from the feed or sitemap entry, trusted over guessing
    favor_precision: bool = True  # trafilatura's precision mode: less sidebar and teaser text
    guess_date: bool = True  # let htmldate search the page when nothing declares a date
    max_link_share: float = 0.5  # a body made mostly of link texts is a listing, not an article
    min_language_hits: int = 10  # stop words needed before the detector names a language


class NotAnArticle(Exception):
    """The page holds no article worth archiving; ``reason`` says why, for the crawl log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- decoding and parsing ---------------------------------------------------------------------

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"PK\x03\x04")
_TEXT_MAGIC = tuple(magic.decode("latin-1") for magic in _BINARY_MAGIC)


def decode_html(body: bytes, content_type_header: str | None = None) -> str:
    """Decode a response body the way browsers do, via w3lib's ``html_to_unicode``.

    Order: byte-order mark, Content-Type charset, ``<meta charset>``/http-equiv, else UTF-8 when the
    bytes are valid UTF-8 and cp1252 otherwise. A BOM wins over the header, as in the HTML standard:
    it is written by the tool that wrote the bytes. Latin-1 labels decode as cp1252, a superset that
    also maps the curly quotes and euro sign such pages really contain.
    """
    return html_to_unicode(content_type_header, body, auto_detect_fun=_utf8_or_cp1252)[1]


def _utf8_or_cp1252(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _parse(html: str | bytes) -> HtmlElement:
    """Parse the page once; raise NotAnArticle when it is not HTML at all."""
    if not _looks_like_html(html[:1024]):
        raise NotAnArticle("not HTML")
    tree = load_html(decode_html(html) if isinstance(html, bytes) else html)
    if tree is None:
        raise NotAnArticle("not HTML")
    return tree


def _looks_like_html(start: str | bytes) -> bool:
    """No file signature of a PDF, image or archive, and some markup in the first kilobyte."""
    if isinstance(start, bytes):
        return not start.lstrip().startswith(_BINARY_MAGIC) and b"<" in start
    return not start.lstrip().startswith(_TEXT_MAGIC) and "<" in start


# --- what the page declares: meta tags and JSON-LD ---------------------------------------------

_ARTICLE_TYPES = frozenset(
    "Article NewsArticle BlogPosting LiveBlogPosting Report ScholarlyArticle TechArticle SocialMediaPosting"
    " AnalysisNewsArticle BackgroundNewsArticle OpinionNewsArticle ReportageNewsArticle ReviewNewsArticle"
    " AskPublicNewsArticle".split()
)
_LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage"})


@dataclass(frozen=True, slots=True)
class _Declared:
    """Metadata the page declares for machines, read once from the tree."""

    meta: dict[str, str]  # lower-cased name/property/itemprop/http-equiv -> first non-empty content
    article: dict[str, Any]  # the first article-typed JSON-LD object, {} if none
    declares_listing: bool  # some JSON-LD object says the page is a collection or search results
    by_id: dict[str, dict[str, Any]]  # JSON-LD objects by "@id", to resolve references in a @graph

    def values(self, key: str) -> list[Any]:
        """The article's values for ``key`` as a list, {"@id": ...} references resolved."""
        values = self.article.get(key)
        return [self._resolve(value) for value in (values if isinstance(values, list) else [values])]

    def text(self, key: str) -> str | None:
        """The article's first text value for ``key``, or the name of the object it refers to."""
        return next(filter(None, map(_ld_text, self.values(key))), None)

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and "name" not in value and isinstance(value.get("@id"), str):
            return self.by_id.get(value["@id"], value)
        return value


def _read_declared(tree: HtmlElement) -> _Declared:
    nodes = list(_json_ld_nodes(tree))
    return _Declared(
        meta=_meta_tags(tree),
        article=next((node for node in nodes if _node_types(node) & _ARTICLE_TYPES), {}),
        declares_listing=any(_node_types(node) & _LISTING_TYPES for node in nodes),
        by_id={node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)},
    )


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
        content = (element.get("content") or "").strip()
        if key and content:
            meta.setdefault(key.strip().lower(), content)
    return meta


def _json_ld_nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            try:
                yield from _flatten(json.loads(script.text, strict=False))
            except ValueError:  # broken JSON-LD is common and says nothing about the article
                continue


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph"))
        yield from _flatten(data.get("mainEntity"))


def _node_types(node: dict[str, Any]) -> set[str]:
    """Schema.org type names, without a "schema:" or "https://schema.org/" prefix."""
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return {re.split(r"[/:]", name)[-1] for name in names if isinstance(name, str)}


def _ld_text(value: Any) -> str | None:
    """A JSON-LD string or the name of a JSON-LD object, unescaped and whitespace-collapsed."""
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str):
        return None
    return " ".join(unescape(value).split()) or None


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)


# --- dates ------------------------------------------------------------------------------------

_DATE_META = tuple(
    "article:published_time og:article:published_time datepublished article.published published_time"
    " parsely-pub-date sailthru.date pubdate publishdate publish-date publish_date dc.date.issued dcterms.issued"
    " dc.date dcterms.date dcterms.created date".split()
)
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)  # older means a CMS placeholder such as 0001-01-01


def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 2822 to an aware UTC datetime (naive means UTC); None when implausible."""
    if not value:
        return None
    try:
        moment = _as_utc(_parse_timestamp(value.strip()))
    except (TypeError, ValueError, OverflowError):
        return None
    return moment if moment >= _EARLIEST else None


def _parse_timestamp(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return parsedate_to_datetime(value)


def _as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _published_at(tree: HtmlElement, declared: _Declared, url: str, options: ExtractionOptions) -> datetime | None:
    return (
        parse_date(declared.text("datePublished"))
        or _meta_date(tree, declared.meta)
        or (_as_utc(options.fallback_date) if options.fallback_date else None)
        or (_guessed_date(tree, url) if options.guess_date else None)
    )


def _meta_date(tree: HtmlElement, meta: dict[str, str]) -> datetime | None:
    for key in _DATE_META:
        if moment := parse_date(meta.get(key)):
            return moment
    for element in tree.xpath('//*[@itemprop="datePublished"]'):  # <time itemprop datetime=...>
        if moment := parse_date(element.get("datetime") or element.get("content")):
            return moment
    return None


def _guessed_date(tree: HtmlElement, url: str) -> datetime | None:
    """htmldate's guess from the URL, markup and text patterns. Its extensive search (free-text
    date parsing) found one more date on the 85 development pages but took up to 300 ms a page."""
    return parse_date(find_date(tree, extensive_search=False, original_date=True, url=url))


# --- names: outlet, title, authors -----------------------------------------------------------

_GENERIC_LABELS = frozenset({"www", "m", "amp", "co", "com", "org", "net", "gov", "ac", "edu"})
_SUFFIX_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ")
_PREFIX_SEPARATORS = (*_SUFFIX_SEPARATORS, ": ")


def _host_label(url: str) -> str | None:
    """The outlet part of a host name: "euractiv" for www.euractiv.com, "bbc" for news.bbc.co.uk."""
    labels = (urlsplit(url).hostname or "").split(".")[:-1]
    return next((label for label in reversed(labels) if label not in _GENERIC_LABELS), None)


def _squash(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


def _outlet_names(names: Iterable[str | None]) -> list[str]:
    """Squashed outlet names long enough to be matched inside a title or byline without accidents."""
    return [squashed for name in names if name and len(squashed := _squash(name)) >= 3]


def _names_outlet(part: str, outlets: list[str]) -> bool:
    squashed = _squash(part)
    return bool(squashed) and any(outlet in squashed for outlet in outlets)


def strip_site_name(title: str, site_names: Iterable[str | None]) -> str:
    """Remove " | Outlet", " - Outlet", "Outlet: " and the like, keeping at least two words."""
    outlets = _outlet_names(site_names)
    for separator in _SUFFIX_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and _names_outlet(tail, outlets) and len(head.split()) >= 2:
            return head.strip()
    for separator in _PREFIX_SEPARATORS:
        head, found, tail = title.partition(separator)
        if found and _names_outlet(head, outlets) and len(tail.split()) >= 2:
            return tail.strip()
    return title


def _sitename(declared: _Declared) -> str | None:
    """og:site_name, else the JSON-LD publisher; a Twitter handle loses its "@", a URL is no name."""
    for candidate in (declared.meta.get("og:site_name"), declared.text("publisher")):
        if candidate and not candidate.startswith(("http://", "https://")):
            return candidate.lstrip("@")
    return None


def _title(tree: HtmlElement, declared: _Declared, outlets: Iterable[str | None]) -> str | None:
    title = _first(declared.meta.get("og:title"), declared.text("headline"))
    title = " ".join((title or extract_title(tree) or "").split())
    return strip_site_name(title, outlets) if title else None


def _description(declared: _Declared) -> str | None:
    return _first(
        declared.meta.get("og:description"),
        declared.meta.get("description"),
        declared.meta.get("twitter:description"),
        declared.text("description"),
    )


_BYLINE_PREFIX = re.compile(r"^(?:(?:written|posted|reported)\s+)?(?:by|von|par|por)\b[\s:]*", re.IGNORECASE)
# "(Reuters)", e-mails, handles, links
_AUTHOR_NOISE = re.compile(r"\([^)]*\)|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+|https?://\S+")
_AUTHOR_SEPARATORS = re.compile(r"[,;|&]|\s(?:and|und|et|e|y)\s", re.IGNORECASE)
_MAX_NAME_WORDS = 6  # "José María Álvarez del Manzano" has five; longer is a sentence, not a name


def clean_authors(raw: Iterable[str], outlet_names: Iterable[str | None] = ()) -> list[str]:
    """Person names from bylines: no "By"/"Von"/"Par"/"Por", outlets, emails or handles, no repeats."""
    outlets = _outlet_names(outlet_names)
    names: dict[str, str] = {}
    for byline in raw:
        for part in _AUTHOR_SEPARATORS.split(_AUTHOR_NOISE.sub(" ", byline)):
            name = _clean_name(part)
            if name and not _names_outlet(name, outlets):
                names.setdefault(name.casefold(), name)
    return list(names.values())


def _clean_name(part: str) -> str | None:
    name = " ".join(_BYLINE_PREFIX.sub("", part.strip()).split()).strip(" .:-–—")
    if not any(char.isalpha() for char in name) or len(name.split()) > _MAX_NAME_WORDS:
        return None
    return name


_AUTHOR_META = tuple("author article:author parsely-author sailthru.author dc.creator dcterms.creator byl".split())


def _raw_authors(tree: HtmlElement, declared: _Declared) -> list[str]:
    from_json_ld = [name for name in map(_ld_text, declared.values("author")) if name]
    if from_json_ld:
        return from_json_ld
    from_meta = [declared.meta[key] for key in _AUTHOR_META if key in declared.meta]
    from_meta = [value for value in from_meta if not value.startswith(("http://", "https://"))]
    if from_meta:
        return from_meta
    byline = extract_author(tree)  # searches the whole page: only when nothing is declared
    return [byline] if byline else []


# --- language ---------------------------------------------------------------------------------

_LANGUAGE_CODE = re.compile(r"([a-z]{2})(?:[-_][a-z0-9]+)*", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_STOP_WORDS = {
    "en": "the and of to is that for with was on are be this by have from it which not has were will would their they"
    " been or said its at",
    "de": "der die und das ist nicht mit den von zu sich des auf für ein eine dem auch es im wird werden sind wurde bei"
    " nach aus als oder über hat",
    "fr": "de le la les des et est une du dans que pour qui pas sur au sont par avec ce il elle aux mais ont cette été"
    " plus leur ses nous",
    "es": "de el los las del que en por con para una es se lo su como más pero sus fue ha está este entre cuando"
    " también sobre sin hay desde muy",
    "it": "il di che della per con non una sono del gli le nel alla anche come più dei delle questo essere ha ma ed"
    " stato sulla dal tra loro nella",
    "nl": "de het een van en is dat niet op te zijn voor met die aan ook er maar wordt om bij nog dan worden naar deze"
    " hebben heeft werd kan",
    "pl": "i w nie na się z do że jest to o jak ale co od po czy tak tylko dla przez jego są już może być był oraz"
    " także które",
    "pt": "de o os as do da dos das não um uma em que para com é se na no mais por ao foi são pela pelo também seu sua"
    " como entre",
}
_STOP_SETS = {language: frozenset(words.split()) for language, words in _STOP_WORDS.items()}
_DETECTION_SAMPLE = 4000  # characters: plenty to tell eight languages apart, cheap on long articles


def _language_code(value: str | None) -> str | None:
    """Two lower-case letters from "en-GB", "de_DE" or "fr"; None for anything else."""
    match = _LANGUAGE_CODE.fullmatch((value or "").split(",")[0].strip())
    return match[1].lower() if match else None


def _declared_language(tree: HtmlElement, declared: _Declared) -> str | None:
    candidates = (
        tree.get("lang"),
        tree.get("xml:lang"),
        declared.meta.get("og:locale"),
        declared.meta.get("content-language"),
        declared.text("inLanguage"),
    )
    return next(filter(None, map(_language_code, candidates)), None)


def detect_language(text: str, min_hits: int = 10) -> str | None:
    """Guess en, de, fr, es, it, nl, pl or pt from stop words; None if unsure or too short."""
    words = _WORD.findall(text[:_DETECTION_SAMPLE].lower())
    hits = sorted(((sum(word in stops for word in words), lang) for lang, stops in _STOP_SETS.items()), reverse=True)
    (best, language), (runner_up, _) = hits[:2]
    return language if best >= min_hits and best > runner_up else None


# --- canonical URL ----------------------------------------------------------------------------

_NOT_IN_URLS = re.compile(r"[\s{}<>\"]")  # template placeholders and pasted markup


def _canonical_url(tree: HtmlElement, url: str) -> str:
    """The declared canonical URL when plausible: http(s), not garbage, not the home page."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return _plausible_canonical(link.get("href") or "", url) or url
    return url


def _plausible_canonical(href: str, url: str) -> str | None:
    href = href.strip()
    if not href or _NOT_IN_URLS.search(href):
        return None
    canonical = urljoin(url, href)
    parts = urlsplit(canonical)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path in ("", "/") and urlsplit(url).path not in ("", "/"):
        return None  # sites that point every page at their home page
    return canonical


# --- body -------------------------------------------------------------------------------------

_BULLETS = "-*•| \t"  # list and table markers trafilatura puts before a line of text


def _body_text(tree: HtmlElement, url: str, options: ExtractionOptions) -> str:
    document = bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        favor_precision=options.favor_precision,
    )
    text = document.text if isinstance(document, Document) else None
    if not text or not text.strip():
        raise NotAnArticle("no article body")
    return text.strip()


def _check_article(tree: HtmlElement, declared: _Declared, text: str, url: str, options: ExtractionOptions) -> None:
    """Raise NotAnArticle for listings and short bodies; a page that declares an article is one."""
    declares_article = bool(declared.article) or declared.meta.get("og:type") == "article"
    if not declares_article and _looks_like_index(tree, declared, text, url, options.max_link_share):
        raise NotAnArticle("index page")
    if len(text) < options.min_text_chars:
        raise NotAnArticle(f"too short ({len(text)} chars)")


def _looks_like_index(tree: HtmlElement, declared: _Declared, text: str, url: str, max_link_share: float) -> bool:
    return (
        declared.declares_listing or _listing_path(urlsplit(url).path) or _link_text_share(tree, text) >= max_link_share
    )


_LISTING_SEGMENTS = frozenset(
    "tag tags topic topics category categories section author authors archive archives search dossier"  # en
    " thema themen schlagwort autor rubrique theme auteur tema etiqueta argomenti categoria autore onderwerp"
    " categorie".split()
)


def _listing_path(path: str) -> bool:
    """Home, tag, topic, author, date-archive and pagination paths: /, /tag/ai, /2024/03, /news/page/2."""
    segments = [segment for segment in path.lower().split("/") if segment]
    if all(segment.isdigit() for segment in segments):  # also true for the home page
        return True
    if len(segments) >= 2 and segments[-2] == "page" and segments[-1].isdigit():
        return True
    return len(segments) <= 2 and segments[0] in _LISTING_SEGMENTS


def _link_text_share(tree: HtmlElement, text: str) -> float:
    """Share of body lines that are the text of a link: headlines on a listing, rare in articles."""
    lines = [stripped for line in text.splitlines() if (stripped := line.strip(_BULLETS))]
    links = {" ".join(anchor.text_content().split()) for anchor in tree.iter("a")}
    return sum(line in links for line in lines) / max(len(lines), 1)


# --- the whole page ---------------------------------------------------------------------------


def extract_article(html: str | bytes, url: str, options: ExtractionOptions = ExtractionOptions()) -> Article:
    """Extract the article of one page, or raise NotAnArticle saying why there is none.

    ``html`` as bytes is decoded with :func:`decode_html` without a header; callers that have the
    Content-Type header decode first and pass the text.
    """
    tree = _parse(html)
    declared = _read_declared(tree)
    text = _body_text(tree, url, options)
    _check_article(tree, declared, text, url, options)
    outlets = (_sitename(declared), declared.text("publisher"), _host_label(url))
    return Article(
        url=_canonical_url(tree, url),
        title=_title(tree, declared, outlets),
        text=text,
        authors=clean_authors(_raw_authors(tree, declared), outlets),
        published_at=_published_at(tree, declared, url, options),
        language=_declared_language(tree, declared) or detect_language(text, options.min_language_hits),
        description=_description(declared),
        sitename=_sitename(declared),
    )
