"""HTML snippets every outlet template shares: escaping, dates in their three styles, link lists.

The three date styles exist because real pages differ, and date extraction must cope with each:
`meta` pages carry `article:published_time` and a `<time datetime>`, `jsonld` pages only a
schema.org NewsArticle, `visible` pages only a date in the text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable

from demo.sitegen.model import Article, iso

BASE = "{{BASE}}"


def esc(text: str) -> str:
    """Escape text content (quotes stay readable)."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """Escape an attribute value."""
    return html.escape(text, quote=True)


def absolute(path: str) -> str:
    """Absolute URL of a path on the sample site, filled in by the server."""
    return BASE + path


def paragraphs(article: Article, indent: str) -> str:
    """The article body as <p> elements."""
    return "\n".join(f"{indent}<p>{esc(p)}</p>" for p in article.paragraphs)


def link_items(articles: Iterable[Article], indent: str) -> str:
    """<li><a> items for the most-read and related boxes (site-relative links, as most CMSs emit)."""
    return "\n".join(f'{indent}<li><a href="{attr(a.path)}">{esc(a.title)}</a></li>' for a in articles)


def date_meta(article: Article) -> str:
    """The Open Graph publication date, on `meta` pages only."""
    if article.date_mode != "meta":
        return ""
    return f'<meta property="article:published_time" content="{iso(article.days_ago)}">\n'


def json_ld(article: Article, publisher: str) -> str:
    """A schema.org NewsArticle block, on `jsonld` pages only."""
    if article.date_mode != "jsonld":
        return ""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso(article.days_ago),
        "dateModified": iso(article.days_ago),
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": publisher},
        "mainEntityOfPage": absolute(article.path),
    }
    text = json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


def visible_date(article: Article, fmt: Callable[[float], str], prefix: str = "") -> str:
    """The date shown to readers: a <time datetime> on meta pages, bare text on visible-only
    pages, nothing on JSON-LD-only pages."""
    shown = fmt(article.days_ago)
    if article.date_mode == "meta":
        return f'{prefix}<time datetime="{iso(article.days_ago)}">{shown}</time>'
    if article.date_mode == "visible":
        return f'{prefix}<span class="date">{shown}</span>'
    return ""
