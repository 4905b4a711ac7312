"""Turn a fetched page into an :class:`Article`, or say why it is not one.

Pure functions, no Scrapy: the crawler's item pipeline calls :func:`extract_article` and logs the
:class:`NotAnArticle` reason with the URL; ``newsmon extract`` calls it on local files. The page is
parsed once (:func:`parse_html`) and its declarations (meta tags, JSON-LD) are read once;
the work is split into modules, this one being the public entry:

- :mod:`pipeline.extract_declared`: meta tags and JSON-LD;
- :mod:`pipeline.extract_metadata`: date, title, authors, outlet, language, canonical URL, each
  trusting what the publisher declares over what heuristics guess;
- :mod:`pipeline.extract_body`: the main text (trafilatura, the declared ``articleBody``);
- :mod:`pipeline.extract_cleanup`: bylines, prompts and calls to action that survive extraction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, repair_faulty_html
from w3lib.encoding import html_to_unicode

from pipeline.extract_body import body_context, main_text
from pipeline.extract_cleanup import byline_elements, clean_body, squash
from pipeline.extract_declared import Declared, read_declared
from pipeline.extract_metadata import (
    authors,
    canonical_url,
    clean_authors,
    declared_language,
    description,
    detect_language,
    outlet_names,
    published_at,
    sitename,
    strip_site_name,
    title,
)
from pipeline.extract_options import ExtractionOptions, extraction_options

__all__ = [
    "Article",
    "ExtractionOptions",
    "NotAnArticle",
    "clean_authors",
    "decode_html",
    "detect_language",
    "extract_article",
    "extraction_options",
    "parse_html",
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


class NotAnArticle(Exception):
    """The page holds no article worth archiving; ``reason`` says why, for the crawl log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- decoding and parsing ---------------------------------------------------------------------

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"PK\x03\x04")


def decode_html(body: bytes, content_type_header: str | None = None) -> str:
    """Decode a response body the way browsers do, via w3lib's ``html_to_unicode``; raise NotAnArticle
    for a PDF, image or archive (its file signature), which no charset turns into a page.

    Order: byte-order mark, Content-Type charset, ``<meta charset>``/http-equiv, else UTF-8 when the
    bytes are valid UTF-8 and cp1252 otherwise. A BOM wins over the header, as in the HTML standard:
    it is written by the tool that wrote the bytes. Latin-1 labels decode as cp1252, a superset that
    also maps the curly quotes and euro sign such pages really contain.
    """
    if body[:1024].lstrip().startswith(_BINARY_MAGIC):
        raise NotAnArticle("not HTML")
    return html_to_unicode(content_type_header, body, auto_detect_fun=_utf8_or_cp1252)[1]


def _utf8_or_cp1252(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _html_parser() -> etree.HTMLParser:
    """trafilatura's parser settings, with every element an HtmlElement chosen in C.

    lxml.html's own parser asks a Python method for the class of each element it hands to Python code:
    about 1,400 times in one page's extraction on the crawl benchmark, a third of a microsecond each. Its
    only other classes are for form controls, which extraction never uses.
    """
    parser = etree.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    lookup = etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
    parser.set_element_class_lookup(lookup)
    return parser


_HTML_PARSER = _html_parser()


def parse_html(text: str) -> HtmlElement | None:
    """The page's tree as trafilatura's ``load_html`` builds it (same repairs, same parser settings), or
    None when it is not HTML; parsed with :data:`_HTML_PARSER`, so extracting from it is faster."""
    beginning = text[:50].lower()
    text, utf8 = _repaired(text, beginning)
    tree = None
    # trafilatura parses the str, then its UTF-8 if lxml refused the str (it declares an encoding) or
    # the tree came out empty. Both give the same tree, and from a str lxml hands libxml2 the string's
    # internal encoding, which it converts again: the UTF-8 comes first (0.2 ms less a benchmark page).
    for markup in (utf8, text):
        try:
            tree = lxml.html.fromstring(markup, parser=_HTML_PARSER)
        except (ValueError, etree.ParserError):
            continue
        if len(tree):
            break
    if tree is None or (is_dubious_html(beginning) and len(tree) < 2):
        return None
    return tree


# The characters XML forbids (trafilatura's INVALID_XML_CHARS): control characters, found in the UTF-8,
# where no other character has their bytes, and the noncharacters U+FFFE and U+FFFF.
_FORBIDDEN_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _repaired(text: str, beginning: str) -> tuple[str, bytes]:
    """The page after trafilatura's ``repair_faulty_html``, as str and as UTF-8.

    That function first removes the characters XML forbids with a regex, which scans the whole page in
    Python's ``re``: 0.55 ms of the crawl benchmark's 1.4 ms of parsing a page. Here they are looked for
    with C string methods (0.08 ms), and ``repair_faulty_html`` runs only on a page that has one; on the
    others its two remaining repairs, at the top of the page, are made by :func:`_repaired_top`.
    """
    utf8 = text.encode("utf-8", "surrogatepass")
    if len(utf8.translate(None, _FORBIDDEN_CONTROLS)) < len(utf8) or "\ufffe" in text or "\uffff" in text:
        repaired = repair_faulty_html(text, beginning)
    else:
        repaired = _repaired_top(text, beginning)
        if repaired == text:
            return text, utf8
    return repaired, repaired.encode("utf-8", "surrogatepass")


def _repaired_top(text: str, beginning: str) -> str:
    """``repair_faulty_html`` on a page without forbidden characters: a doctype that libxml2 chokes on
    (https://bugs.launchpad.net/lxml/+bug/1955915) and a self-closing ``<html/>``, in the first lines."""
    if "doctype" in beginning:
        firstline, _, rest = text.partition("\n")
        text = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in text[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", text, count=1)
    return text


def _parse(html: str | bytes) -> HtmlElement:
    """Parse the page once; raise NotAnArticle when it is not HTML at all (no markup in its first kilobyte)."""
    text = decode_html(html) if isinstance(html, bytes) else html
    tree = parse_html(text) if "<" in text[:1024] else None
    if tree is None:
        raise NotAnArticle("not HTML")
    return tree


# --- is it an article? ------------------------------------------------------------------------


def _check_not_index(
    declared: Declared, text: str, url: str, links: frozenset[str], options: ExtractionOptions
) -> None:
    """Raise NotAnArticle for a page without main text or for a listing; a declared article is none.

    Runs before the cleanup, which would remove the very link lines that make a listing."""
    if not text:
        raise NotAnArticle("no article body")
    if not declared.declares_article and _looks_like_index(declared, text, url, links, options.max_link_share):
        raise NotAnArticle("index page")


def _check_length(text: str, options: ExtractionOptions) -> None:
    if len(text) < options.min_text_chars:
        raise NotAnArticle(f"too short ({len(text)} chars)")


def _looks_like_index(declared: Declared, text: str, url: str, links: frozenset[str], max_link_share: float) -> bool:
    return declared.declares_listing or _listing_path(urlsplit(url).path) or _link_share(text, links) >= max_link_share


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


def _link_share(text: str, links: frozenset[str]) -> float:
    """Share of body lines that are the text of a link: headlines on a listing, rare in articles."""
    lines = [squashed for line in text.splitlines() if (squashed := squash(line))]
    return sum(line in links for line in lines) / max(len(lines), 1)


# --- the whole page ---------------------------------------------------------------------------


def extract_article(html: str | bytes, url: str, options: ExtractionOptions = ExtractionOptions()) -> Article:
    """Extract the article of one page, or raise NotAnArticle saying why there is none.

    ``html`` as bytes is decoded with :func:`decode_html` without a header; callers that have the
    Content-Type header decode first and pass the text.
    """
    tree = _parse(html)
    declared = read_declared(tree)
    bylines = byline_elements(tree)
    article = _metadata(tree, declared, bylines, url, options)
    context = body_context(tree, declared, article.title)
    main = main_text(tree, bylines, declared, url, options.favor_precision)  # last to read: drops the bylines
    _check_not_index(declared, main, url, frozenset(context.link_texts), options)
    text = clean_body(main, context)
    _check_length(text, options)
    return replace(article, text=text, language=article.language or detect_language(text, options.min_language_hits))


def _metadata(
    tree: HtmlElement, declared: Declared, bylines: list[HtmlElement], url: str, options: ExtractionOptions
) -> Article:
    """The article without its text, and without a language unless the page declares one."""
    outlets = outlet_names(declared, url)
    return Article(
        url=canonical_url(tree, url),
        title=title(tree, declared, outlets),
        text="",
        authors=authors(tree, declared, bylines, outlets),
        published_at=published_at(tree, declared, url, options.fallback_date, options.guess_date),
        language=declared_language(tree, declared),
        description=description(declared),
        sitename=sitename(declared),
    )
