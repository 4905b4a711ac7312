"""The article body: trafilatura's main text, checked against the page's own declarations.

Part of :mod:`pipeline.extract`. Four steps, the last one in :mod:`pipeline.extract_cleanup`:

1. trafilatura extracts from the page without its byline elements (see
   :func:`pipeline.extract_cleanup.byline_elements`), in precision mode with comments off: on the
   85 development pages of the Zyte benchmark each of these settings adds F1 (README there);
2. when the article's body container has later twins of the same class, their paragraphs are
   added (:func:`_with_continuations`);
3. a JSON-LD ``articleBody`` at least twice as long as that text replaces it: the visible page is a
   teaser, or its layout defeated trafilatura, while the publisher declared the whole article;
4. :func:`pipeline.extract_cleanup.clean_body` drops the boilerplate lines that survive.

Choosing trafilatura's mode page by page was measured and left out: after the cleanup, the better
of precision and default mode for every page (an oracle) adds only 0.002 F1 on the development
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


def main_text(
    tree: HtmlElement, bylines: list[HtmlElement], declared: Declared, url: str, favor_precision: bool
) -> str:
    """The page's main text, one paragraph a line, before cleanup; empty when there is none.

    It drops the ``bylines`` elements from ``tree`` (their tail text stays): read the metadata first.
    Pruning in place spares a copy of the page, 1.5 ms of the 40 a page takes.
    """
    for element in bylines:
        element.drop_tree()
    extracted = _with_continuations(tree, _extracted_text(tree, url, favor_precision).strip())
    return _preferred(extracted, _declared_body(declared))


def _extracted_text(tree: HtmlElement, url: str, favor_precision: bool) -> str:
    document = bare_extraction(
        tree,  # trafilatura works on a copy
        url=url,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        favor_precision=favor_precision,
    )
    return (document.text or "") if isinstance(document, Document) else ""


# a class naming the article's body: "body", "article-body", "story__body", "entry-content", "post_text"
_BODY_CLASS = re.compile(
    r"(?:^|\s)(?:body|(?:article|artikel|story|post|entry)[-_]*(?:body|content|text))(?:\s|$)", re.IGNORECASE
)
# class values that may name a body ("Body", "content", "Text"), picked in C before the regular expression
_BODYISH_CLASSES = XPath("//@class[contains(., 'ody') or contains(., 'ontent') or contains(., 'ext')]")
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
    known = {squash(line) for line in text.splitlines() if len(line) >= _MIN_PARAGRAPH}
    container = _container(tree, repeated, known) if repeated and known else None
    if container is None:
        return text
    later = [paragraph for element in _later_of_class(container) for paragraph in _paragraphs(element)]
    return "\n".join([text, *(paragraph for paragraph in later if squash(paragraph) not in known)])


def _repeated_body_classes(tree: HtmlElement) -> set[str]:
    counts = Counter(value for value in _BODYISH_CLASSES(tree) if _BODY_CLASS.search(value))
    return {value for value, count in counts.items() if count > 1}


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
    texts = {squashed for anchor in tree.iter("a") if len(squashed := squash(anchor.text_content())) >= 3}
    return tuple(sorted(texts, key=len, reverse=True))
