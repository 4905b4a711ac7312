"""An article's metadata: date, title, authors, outlet, description, language and canonical URL.

Part of :mod:`pipeline.extract`. Each field trusts what the publisher declares for machines over
what heuristics guess:

- date: JSON-LD ``datePublished`` > ``article:published_time`` and similar meta > the caller's
  ``fallback_date`` (feed or sitemap) > htmldate's search of the page;
- authors: JSON-LD ``author`` > author meta tags > the page's first byline element (class or
  itemprop "byline", "author", ...) that reads "By ..." > trafilatura's byline search, the visible
  bylines cut before their dateline ("Par Claire Dubois, le 14 mars" names Claire Dubois);
- title: ``og:title`` > JSON-LD ``headline`` > trafilatura's title (h1, ``<title>``), without the
  outlet's name;
- language: ``<html lang>`` > ``og:locale`` > Content-Language > stop words in the text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author, extract_title

from pipeline.dates import as_utc, parse_date
from pipeline.extract_cleanup import BYLINE_WORD, first_byline, squash
from pipeline.extract_declared import Declared, first, ld_text
from pipeline.urls import normalize_url

__all__ = [
    "authors",
    "canonical_url",
    "clean_authors",
    "declared_language",
    "description",
    "detect_language",
    "outlet_names",
    "published_at",
    "sitename",
    "strip_site_name",
    "title",
]

# --- dates ------------------------------------------------------------------------------------

_DATE_META = tuple(
    "article:published_time og:article:published_time datepublished article.published published_time"
    " parsely-pub-date sailthru.date pubdate publishdate publish-date publish_date dc.date.issued dcterms.issued"
    " dc.date dcterms.date dcterms.created date".split()
)
def published_at(
    tree: HtmlElement, declared: Declared, url: str, fallback: datetime | None, guess: bool
) -> datetime | None:
    """The publication date in order of trust; ``fallback`` comes from the feed or sitemap entry."""
    return (
        parse_date(declared.text("datePublished"))
        or _meta_date(tree, declared.meta)
        or (as_utc(fallback) if fallback else None)
        or (_guessed_date(tree, url) if guess else None)
    )


_DATE_PUBLISHED = XPath('//*[@itemprop="datePublished"]')


def _meta_date(tree: HtmlElement, meta: dict[str, str]) -> datetime | None:
    for key in _DATE_META:
        if moment := parse_date(meta.get(key)):
            return moment
    for element in _DATE_PUBLISHED(tree):  # <time itemprop datetime=...>
        if moment := parse_date(element.get("datetime") or element.get("content")):
            return moment
    return None


def _guessed_date(tree: HtmlElement, url: str) -> datetime | None:
    """htmldate's guess from the URL, markup and text patterns. Its extensive search (free-text
    date parsing) found one more date on the 85 development pages but took up to 300 ms a page."""
    return parse_date(find_date(tree, extensive_search=False, original_date=True, url=url))


# --- names: outlet, title, description --------------------------------------------------------

_GENERIC_LABELS = frozenset({"www", "m", "amp", "co", "com", "org", "net", "gov", "ac", "edu"})
_SUFFIX_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ")
_PREFIX_SEPARATORS = (*_SUFFIX_SEPARATORS, ": ")


def _host_label(url: str) -> str | None:
    """The outlet part of a host name: "euractiv" for www.euractiv.com, "bbc" for news.bbc.co.uk."""
    labels = (urlsplit(url).hostname or "").split(".")[:-1]
    return next((label for label in reversed(labels) if label not in _GENERIC_LABELS), None)


def outlet_names(declared: Declared, url: str) -> tuple[str | None, ...]:
    """Every name the outlet goes by on this page: site name, publisher, host label."""
    return (sitename(declared), declared.text("publisher"), _host_label(url))


def _outlet_keys(names: Iterable[str | None]) -> list[str]:
    """Squashed outlet names long enough to be matched inside a title or byline without accidents."""
    return [squashed for name in names if name and len(squashed := squash(name)) >= 3]


def _names_outlet(part: str, outlets: list[str]) -> bool:
    squashed = squash(part)
    return bool(squashed) and any(outlet in squashed for outlet in outlets)


def strip_site_name(title: str, site_names: Iterable[str | None]) -> str:
    """Remove " | Outlet", " - Outlet", "Outlet: " and the like, keeping at least two words."""
    outlets = _outlet_keys(site_names)
    for separator in _SUFFIX_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and _names_outlet(tail, outlets) and len(head.split()) >= 2:
            return head.strip()
    for separator in _PREFIX_SEPARATORS:
        head, found, tail = title.partition(separator)
        if found and _names_outlet(head, outlets) and len(tail.split()) >= 2:
            return tail.strip()
    return title


def sitename(declared: Declared) -> str | None:
    """og:site_name, else the JSON-LD publisher; a Twitter handle loses its "@", a URL is no name."""
    for candidate in (declared.meta.get("og:site_name"), declared.text("publisher")):
        if candidate and not candidate.startswith(("http://", "https://")):
            return candidate.lstrip("@")
    return None


def title(tree: HtmlElement, declared: Declared, outlets: Iterable[str | None]) -> str | None:
    """The headline as declared, else as trafilatura finds it, without the outlet's name."""
    found = first(declared.meta.get("og:title"), declared.text("headline"))
    found = " ".join((found or extract_title(tree) or "").split())
    return strip_site_name(found, outlets) if found else None


def description(declared: Declared) -> str | None:
    """The declared summary: Open Graph, then the description meta tag, Twitter card, JSON-LD."""
    return first(
        declared.meta.get("og:description"),
        declared.meta.get("description"),
        declared.meta.get("twitter:description"),
        declared.text("description"),
    )


# --- authors ----------------------------------------------------------------------------------

_BYLINE_PREFIX = re.compile(rf"^(?:{BYLINE_WORD})[\s:]*", re.IGNORECASE)
# "(Reuters)", e-mails, handles, links
_AUTHOR_NOISE = re.compile(r"\([^)]*\)|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+|https?://\S+")
_AUTHOR_SEPARATORS = re.compile(r"[,;|&]|\s(?:and|und|et|e|y|en|i)\s", re.IGNORECASE)
_MAX_NAME_WORDS = 6  # "José María Álvarez del Manzano" has five; longer is a sentence, not a name
# Where the names of a visible byline end and its dateline begins: "Par Claire Dubois, le 14 mars",
# "Von Anna Becker, Stand: 18.11.", "By Tom Baker | 5 March", "By Eva Lind — Updated 2 hours ago".
_DATELINE_START = re.compile(
    r"\s*(?:[|·•]|\s[–—-]\s|\d|,?\s+(?-i:le|am|on|el|il|op|em|dnia)(?:\s|$)|,?\s*\b(?:published|updated|posted|publié"
    r"|mis à jour|stand|aktualisiert|veröffentlicht|pubblicato|aggiornato|publicado|actualizado|gepubliceerd"
    r"|bijgewerkt|opublikowano)\b).*",
    re.IGNORECASE | re.DOTALL,
)
_AUTHOR_META = tuple("author article:author parsely-author sailthru.author dc.creator dcterms.creator byl".split())


def clean_authors(raw: Iterable[str], outlet_names: Iterable[str | None] = ()) -> list[str]:
    """Person names from bylines: no "By"/"Von"/"Par"/"Por", outlets, emails or handles, no repeats."""
    outlets = _outlet_keys(outlet_names)
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


def authors(
    tree: HtmlElement, declared: Declared, bylines: list[HtmlElement], outlets: Iterable[str | None]
) -> list[str]:
    """The article's authors as person names, from the most trusted source that names any;
    ``bylines`` are the page's byline elements (:func:`pipeline.extract_cleanup.byline_elements`)."""
    return clean_authors(_raw_authors(tree, declared, bylines), outlets)


def _raw_authors(tree: HtmlElement, declared: Declared, bylines: list[HtmlElement]) -> list[str]:
    from_json_ld = [name for name in map(ld_text, declared.values("author")) if name]
    if from_json_ld:
        return from_json_ld
    from_meta = [declared.meta[key] for key in _AUTHOR_META if key in declared.meta]
    from_meta = [value for value in from_meta if not value.startswith(("http://", "https://"))]
    if from_meta:
        return from_meta
    return _visible_bylines(tree, bylines)


def _visible_bylines(tree: HtmlElement, bylines: list[HtmlElement]) -> list[str]:
    """The page's byline as shown to readers, searched only when nothing is declared: the first
    element marked as a byline that reads "By ...", else trafilatura's (slower) search."""
    byline = first_byline(bylines) or extract_author(tree)
    names = _DATELINE_START.sub("", byline) if byline else ""
    return [names] if names else []


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


def declared_language(tree: HtmlElement, declared: Declared) -> str | None:
    """The language the page declares: ``<html lang>``, og:locale, Content-Language, JSON-LD."""
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
    counts = Counter(_WORD.findall(text[:_DETECTION_SAMPLE].lower()))  # then 30 look-ups a language, not 600
    hits = sorted(((sum(counts[word] for word in stops), lang) for lang, stops in _STOP_SETS.items()), reverse=True)
    (best, language), (runner_up, _) = hits[:2]
    return language if best >= min_hits and best > runner_up else None


# --- canonical URL ----------------------------------------------------------------------------

_NOT_IN_URLS = re.compile(r"[\s{}<>\"]")  # template placeholders and pasted markup


def canonical_url(tree: HtmlElement, url: str) -> str:
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
    try:
        normalize_url(canonical)  # what the archive will store: a URL it cannot store is no canonical
    except ValueError:
        return None
    return canonical
