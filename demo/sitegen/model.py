"""The few types the sample-site generator is built from, and the placeholder helpers.

Pages are written with placeholders (see `demo/site/README.md`) that the server fills in at serve
time, so the site always looks fresh and carries the server's real port.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

TOPICS = ("Gigafactory", "Stargate", "AI Act", "AI factories", "InvestAI", "GPAI code of practice")

DateMode = Literal["meta", "jsonld", "visible"]
SourceKind = Literal["rss", "atom", "news_sitemap", "sitemap", "sitemap_index"]


def iso(days_ago: float) -> str:
    """ISO-8601 timestamp placeholder (meta tags, JSON-LD, Atom, sitemaps)."""
    return _placeholder("DATE", days_ago)


def day(days_ago: float) -> str:
    """YYYY-MM-DD placeholder (sitemap lastmod, visible dates)."""
    return _placeholder("DAY", days_ago)


def rfc822(days_ago: float) -> str:
    """RFC 822 placeholder, the only date format RSS 2.0 allows."""
    return _placeholder("RFC822", days_ago)


def human(days_ago: float) -> str:
    """'23 November 2025' placeholder for English bylines."""
    return _placeholder("HUMAN", days_ago)


def dmy(days_ago: float) -> str:
    """'23.11.2025' placeholder for German bylines."""
    return _placeholder("DMY", days_ago)


def _placeholder(kind: str, days_ago: float) -> str:
    """'{{KIND-N}}', with 3.0 written as '3' and 0.25 as '0.25' so templates stay readable."""
    if days_ago < 0:
        raise ValueError(f"days_ago must not be negative, got {days_ago}")
    return "{{" + f"{kind}-{days_ago:g}" + "}}"


@dataclass(frozen=True, kw_only=True)
class Article:
    """One article page, with what a crawl of it is expected to produce (the manifest row)."""

    path: str
    title: str
    description: str
    author: str
    section: str
    days_ago: float
    paragraphs: tuple[str, ...]
    body_phrase: str
    topics: tuple[str, ...] = ()
    date_mode: DateMode = "meta"
    trap: str | None = None
    syndicated_of: str | None = None
    disallowed: bool = False
    redirect_from: tuple[str, ...] = ()
    tracking_query: str | None = None
    encoding: str = "utf-8"

    @property
    def file(self) -> str:
        """File under www/ that holds the page; extensionless URLs are stored as .html."""
        return self.path if self.path.rsplit("/", 1)[-1].count(".") else self.path + ".html"


@dataclass(frozen=True)
class Page:
    """What a template needs beyond the article: the boxes around it."""

    article: Article
    most_read: Sequence[Article]
    related: Sequence[Article]


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One item of a feed or sitemap; `href` is written as is (relative, or with tracking)."""

    href: str
    title: str
    days_ago: float
    author: str = ""
    summary: str = ""

    @classmethod
    def of(cls, article: Article, href: str | None = None) -> Entry:
        return cls(
            href=href or article.path,
            title=article.title,
            days_ago=article.days_ago,
            author=article.author,
            summary=article.description,
        )


@dataclass(frozen=True, kw_only=True)
class Source:
    """A feed or sitemap file of an outlet."""

    kind: SourceKind
    path: str
    entries: tuple[Entry, ...] = ()
    children: tuple[str, ...] = ()
    relative_links: bool = False
    broken: str | None = None  # why the file is malformed, for the "broken source" test


@dataclass(frozen=True, kw_only=True)
class Outlet:
    """A fictional publication: its template, articles and discovery files."""

    id: str
    name: str
    language: str
    articles: tuple[Article, ...]
    render: Callable[[Outlet, Page], str]
    sources: tuple[Source, ...] = field(default=())
