"""An Atom 1.0 feed of a topic's newest articles, for people who read their news in a feed reader.

The feed is built with ElementTree, so whatever an article holds (``&``, ``<script>``, quotes) is
escaped and the document is always well-formed; characters XML 1.0 forbids (control characters from
broken pages) are dropped first, since ElementTree would write them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, tostring

from sqlalchemy import Engine

from pipeline.config import Settings, named
from pipeline.errors import UsageError
from storage.digests import TopicArticle, newest_on_topic
from storage.records import utcnow

ATOM_NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def topic_feed(settings: Settings, engine: Engine, tag: str, limit: int = 50) -> bytes:
    """The Atom document of the newest ``limit`` articles tagged ``tag``."""
    topic = named(settings.topics, tag, "topic", UsageError).name  # case-insensitive; UsageError lists them
    return render_atom(topic, newest_on_topic(engine, topic, limit), utcnow())


def render_atom(topic: str, articles: Sequence[TopicArticle], now: datetime) -> bytes:
    """UTF-8 Atom XML; entries in the order given (newest first). ``now`` dates an empty feed."""
    feed = Element("feed", xmlns=ATOM_NS)
    _text(feed, "id", f"tag:newsmon,2025:topic/{quote(topic)}")
    _text(feed, "title", f"newsmon: {topic}")
    _text(feed, "subtitle", f"The newest articles tagged {topic}")
    _text(feed, "updated", _iso(max((_updated(a) for a in articles), default=now)))
    _text(SubElement(feed, "author"), "name", "newsmon")
    _text(feed, "generator", "newsmon")
    for article in articles:
        feed.append(_entry(article, topic))
    return tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(article: TopicArticle, topic: str) -> Element:
    entry = Element("entry")
    _text(entry, "id", article.url)
    _text(entry, "title", article.title or article.url)
    SubElement(entry, "link", rel="alternate", type="text/html", href=_clean(article.url))
    if article.published_at is not None:
        _text(entry, "published", _iso(article.published_at))
    _text(entry, "updated", _iso(_updated(article)))
    _text(SubElement(entry, "author"), "name", article.source)
    SubElement(entry, "category", term=_clean(topic))
    summary = article.description or article.sentence
    if summary:
        _text(entry, "summary", summary)
    return entry


def _text(parent: Element, tag: str, value: str) -> None:
    SubElement(parent, tag).text = _clean(value)


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _updated(article: TopicArticle) -> datetime:
    return article.published_at or article.fetched_at


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
