"""The article body: trafilatura's main text, checked against the page's own declarations.

Part of :mod:`pipeline.extract`. Four steps, the last one in :mod:`pipeline.extract_cleanup`:

1. trafilatura extracts from the page without its byline elements (see
   :func:`pipeline.extract_cleanup.byline_elements`), in precision mode with comments off: on the
   85 development pages of the Zyte benchmark each of these settings adds F1 (README there). It
   runs in fast mode, and again with its comparison against readability and jusText only when the
   fast text is weak (:func:`_extracted_text`);
2. when the article's body container has later twins of the same class, their paragraphs are
   added (:func:`_with_continuations`);
3. a JSON-LD ``articleBody`` at least twice as long as that text replaces it: the visible page is a
   teaser, or its layout defeated trafilatura, while the publisher declared the whole article;
4. :func:`pipeline.extract_cleanup.clean_body` drops the boilerplate lines that survive.

Choosing between precision and default mode page by page was measured and left out: after the
cleanup, the better of the two for every page (an oracle) adds only 0.002 F1 on the development
pages, and a second extraction would cost as much time as the first.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

from lxml.etree import XPath
from lxml.html import HtmlElement, fragment_fromstring
from trafilatura import bare_extraction
from trafilatura.settings import Document

from pipeline.extract_cleanup import BodyContext, squash
from pipeline.extract_declared import Declared

__all__ = ["body_context", "main_text"]

_DECLARED_BODY_FACTOR = 2  # how much longer a declared articleBody must be to beat the extraction
_MARKUP = re.compile(r"<[a-zA-Z/]")
_CONFIDENT_CHARS = 1000  # about 150 words: a shorter extraction may be a lead or a teaser only


def main_text(
    tree: HtmlElement, bylines: list[HtmlElement], declared: Declared, url: str, favor_precision: bool
) -> str:
    """The page's main text, one paragraph a line, before cleanup; empty when there is none.

    It drops the ``bylines`` elements from ``tree`` (their tail text stays): read the metadata first.
    Pruning in place spares a copy of the page, about 1 ms of the 14 a development page takes.
    """
    for element in bylines:
        element.drop_tree()
    extracted = _with_continuations(tree, _extracted_text(tree, url, favor_precision).strip())
    return _preferred(extracted, _declared_body(declared))


def _extracted_text(tree: HtmlElement, url: str, favor_precision: bool) -> str:
    """trafilatura's text in fast mode, or with its comparison when the fast text is weak (:func:`_weak`).

    The comparison with readability and jusText takes over 40 % of trafilatura's time (1.7 of 4.2 ms
    a page on the crawl benchmark's generated pages, 6 of 13 on the development pages) and changed
    the text of one development page in 85. Extracting weak texts again keeps that page: 8 pages of
    85 are extracted twice, and F1 is unchanged.
    """
    document = _trafilatura(tree, url, favor_precision, fast=True)
    if _weak(document):
        document = _trafilatura(tree, url, favor_precision, fast=False)
    return (document.text or "") if document is not None else ""


def _trafilatura(tree: HtmlElement, url: str, favor_precision: bool, fast: bool) -> Document | None:
    document = bare_extraction(
        tree,  # trafilatura works on a copy
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        favor_precision=favor_precision,
    )
    return document if isinstance(document, Document) else None


def _weak(document: Document | None) -> bool:
    """Short, or without paragraphs: a text the comparison may replace by the article.

    In precision mode trafilatura takes readability's text over its own when its own has no
    paragraph text, fewer paragraphs than tables or half readability's length, and tries jusText
    on one under 250 characters. On the development pages only an extraction of 119 characters
    was replaced (readability found 2,495); on every other page readability's text was at most
    1.5 times as long as trafilatura's."""
    if document is None or document.body is None or len(document.text or "") < _CONFIDENT_CHARS:
        return True
    paragraphs = len(document.body.findall(".//p"))
    return paragraphs == 0 or len(document.body.findall(".//table")) > paragraphs


# a class naming the article's body: "body", "article-body", "story__body", "entry-content", "post_text"
_BODY_CLASS = re.compile(
    r"(?:^|\s)(?:body|(?:article|artikel|story|post|entry)[-_]*(?:body|content|text))(?:\s|$)", re.IGNORECASE
)
# plain strings: lxml's default "smart" ones each build the element holding them, at a Python call each
_CLASSES = XPath("//@class", smart_strings=False)
_FOLLOWING_OF_CLASS = XPath("following::*[name()=$tag and @class=$cls]")
_MIN_PARAGRAPH = 80  # characters: prose, not a caption, a button or a teaser headline


def _with_continuations(tree: HtmlElement, text: str) -> str:
    """Add the paragraphs of the article's later body containers, when it has several.

    Some CMSs cut a long article into containers of one class (``div.article__body`` twice, an ad
    or a sign-up box between them), and trafilatura keeps only the first. The container holding
    the extracted paragraphs is found by its text; containers of exactly its class that follow it
    contribute their paragraphs of prose that the text lacks.
    """
    repeated = _repeated_body_classes(tree)
    if not repeated:  # most pages: spare squashing every line of the text
        return text
    known = {squash(line) for line in text.splitlines() if len(line) >= _MIN_PARAGRAPH}
    container = _container(tree, repeated, known) if known else None
    if container is None:
        return text
    later = [paragraph for element in _later_of_class(container) for paragraph in _paragraphs(element)]
    return "\n".join([text, *(paragraph for paragraph in later if squash(paragraph) not in known)])


def _repeated_body_classes(tree: HtmlElement) -> set[str]:
    counts = Counter(_CLASSES(tree))
    return {value for value, count in counts.items() if count > 1 and _BODY_CLASS.search(value)}


def _container(tree: HtmlElement, classes: set[str], known: set[str]) -> HtmlElement | None:
    """The element of one of ``classes`` holding most of the extracted paragraphs."""
    holders: Counter[HtmlElement] = Counter()
    for paragraph in tree.iter("p"):
        holder = next((a for a in paragraph.iterancestors() if a.get("class") in classes), None)
        if holder is not None and squash(paragraph.text_content()) in known:
            holders[holder] += 1
    return holders.most_common(1)[0][0] if holders else None


def _later_of_class(container: HtmlElement) -> list[HtmlElement]:
    """Elements after ``container`` in the page, not inside it, with exactly its tag and class."""
    return list(_FOLLOWING_OF_CLASS(container, tag=container.tag, cls=container.get("class")))


def _paragraphs(element: HtmlElement) -> list[str]:
    texts = (" ".join(paragraph.text_content().split()) for paragraph in element.iter("p"))
    return [text for text in texts if len(text) >= _MIN_PARAGRAPH]


def _declared_body(declared: Declared) -> str:
    """JSON-LD ``articleBody`` as plain text, one paragraph a line ("" when not declared)."""
    body = declared.article.get("articleBody")
    if not isinstance(body, str):
        return ""
    body = unescape(body)
    if _MARKUP.search(body):  # some CMSs put the HTML of the article there
        body = _markup_text(body)
    return "\n".join(" ".join(line.split()) for line in body.splitlines() if line.strip())


def _markup_text(html: str) -> str:
    """The text of an HTML fragment, a line break after each block."""
    fragment = fragment_fromstring(html, create_parent="div")
    for block in fragment.iter("p", "div", "li", "br", "h2", "h3", "h4", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    return str(fragment.text_content())


def _preferred(extracted: str, declared_body: str) -> str:
    """The declared body when it is much longer than what trafilatura found, else the extraction."""
    if declared_body and len(declared_body) >= _DECLARED_BODY_FACTOR * len(extracted):
        return declared_body
    return extracted


def body_context(tree: HtmlElement, declared: Declared, title: str | None) -> BodyContext:
    """Headline variants and link texts of the page, for telling boilerplate lines apart."""
    headlines = [title, declared.meta.get("og:title"), declared.text("headline"), tree.findtext(".//title")]
    headlines += [h1.text_content() for h1 in tree.iter("h1")]
    return BodyContext(
        titles=frozenset(squashed for headline in headlines if headline and (squashed := squash(headline))),
        link_texts=_link_texts(tree),
    )


def _link_texts(tree: HtmlElement) -> tuple[str, ...]:
    """Squashed link texts of three characters or more, longest first, without repeats."""
    raw = {_text(anchor) for anchor in tree.iter("a")}  # menus repeat links: squash each text once
    return tuple(sorted({squashed for text in raw if len(squashed := squash(text)) >= 3}, key=len, reverse=True))


def _text(element: HtmlElement) -> str:
    """``text_content()``, without its XPath call for the usual element holding only text."""
    return (element.text or "") if len(element) == 0 else element.text_content()
