"""What a page declares for machines: its meta tags and its JSON-LD, read once per page.

Part of :mod:`pipeline.extract`; the metadata and the body both trust these declarations over
what heuristics guess from the visible page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any

from lxml.html import HtmlElement

__all__ = ["Declared", "first", "ld_text", "read_declared"]

_ARTICLE_TYPES = frozenset(
    "Article NewsArticle BlogPosting LiveBlogPosting Report ScholarlyArticle TechArticle SocialMediaPosting"
    " AnalysisNewsArticle BackgroundNewsArticle OpinionNewsArticle ReportageNewsArticle ReviewNewsArticle"
    " AskPublicNewsArticle".split()
)
_LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage"})


@dataclass(frozen=True, slots=True)
class Declared:
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
        return next(filter(None, map(ld_text, self.values(key))), None)

    @property
    def declares_article(self) -> bool:
        """JSON-LD or Open Graph says the page is an article (and so not an index page)."""
        return bool(self.article) or self.meta.get("og:type") == "article"

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and "name" not in value and isinstance(value.get("@id"), str):
            return self.by_id.get(value["@id"], value)
        return value


def read_declared(tree: HtmlElement) -> Declared:
    """The page's meta tags and JSON-LD; broken JSON-LD is skipped, it is common and says nothing."""
    nodes = list(_json_ld_nodes(tree))
    return Declared(
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
            except ValueError:
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


def ld_text(value: Any) -> str | None:
    """A JSON-LD string or the name of a JSON-LD object, unescaped and whitespace-collapsed."""
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str):
        return None
    return " ".join(unescape(value).split()) or None


def first(*values: str | None) -> str | None:
    """The first non-empty value."""
    return next((value for value in values if value), None)
