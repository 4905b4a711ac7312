"""What digests and topic feeds read, and what digests remember having sent.

A digest lists *stories*, not articles: syndicated copies of one report share a ``story_id`` and are
shown once, linked to the story's representative (its earliest article by publication date, else fetch
date, then id) with the other outlets as "also covered by". A story is recorded as delivered to a
recipient only after the mail server accepted the message (the caller's job); the unique constraint on
(digest, recipient, story) makes recording idempotent, so a retried run never counts a story twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select, type_coerce

from storage.articles import topic_in
from storage.chunks import chunks
from storage.models import ARTICLE_TIME, Article, ArticleTag, DigestDelivery, UTCDateTime
from storage.records import utcnow
from storage.stories import other_outlets, story_members
from storage.upserts import conflict_insert


@dataclass(frozen=True, slots=True)
class OtherOutlet:
    """Another outlet that ran the story, and where."""

    source: str
    url: str


@dataclass(frozen=True, slots=True)
class StoryItem:
    """One story as a digest shows it: its representative article, the matched sentence, other outlets."""

    story_id: int
    article_id: int
    url: str
    title: str | None
    source: str
    published_at: datetime | None
    fetched_at: datetime
    sentence: str
    also: tuple[OtherOutlet, ...] = ()

    @property
    def when(self) -> datetime:
        return self.published_at or self.fetched_at


@dataclass(frozen=True, slots=True)
class TopicStories:
    """The stories of one topic, newest first."""

    topic: str
    stories: tuple[StoryItem, ...]


@dataclass(frozen=True, slots=True)
class TopicArticle:
    """An article carrying a topic, for the topic's Atom feed."""

    id: int
    url: str
    title: str | None
    source: str
    published_at: datetime | None
    fetched_at: datetime
    description: str | None
    sentence: str


def last_delivery(engine: Engine, digest: str, recipient: str) -> datetime | None:
    """When ``digest`` last reached ``recipient`` (None: never)."""
    # type_coerce: an aggregate loses the column type, and SQLite would hand back a plain string.
    latest = type_coerce(func.max(DigestDelivery.sent_at), UTCDateTime)
    statement = select(latest).where(DigestDelivery.digest == digest, DigestDelivery.recipient == recipient)
    with engine.connect() as connection:
        return connection.scalar(statement)


def new_stories(
    engine: Engine, digest: str, recipient: str, topics: Sequence[str], since: datetime
) -> list[TopicStories]:
    """Stories with an article tagged with one of ``topics`` and fetched after ``since``, not yet sent.

    Topics match case-insensitively; the result follows the order of ``topics`` and leaves out empty
    ones. A story carrying several topics is listed once, under the first of them.
    """
    with engine.connect() as connection:
        topic_of = _story_topics(connection, digest, recipient, topics, since)
        members = story_members(
            connection, list(topic_of), Article.id, Article.url, Article.title, Article.source,
            Article.published_at, Article.fetched_at,
        )
        sentences = _sentences(connection, [article.id for group in members.values() for article in group], topics)
    items = {story_id: _item(group, sentences, topic_of[story_id]) for story_id, group in members.items()}
    return _sections(topics, topic_of, items)


def _story_topics(
    connection: Connection, digest: str, recipient: str, topics: Sequence[str], since: datetime
) -> dict[int, str]:
    """{story id: the first of ``topics`` one of its new articles carries}, for stories not yet sent."""
    delivered = select(DigestDelivery.story_id).where(
        DigestDelivery.digest == digest, DigestDelivery.recipient == recipient
    )
    rows = connection.execute(
        select(Article.story_id, ArticleTag.topic)
        .join(ArticleTag, ArticleTag.article_id == Article.id)
        .where(
            topic_in(topics),
            Article.fetched_at > since,
            Article.story_id.is_not(None),
            Article.story_id.not_in(delivered),
        )
        .distinct()
    )
    rank = {topic.lower(): index for index, topic in enumerate(topics)}
    best: dict[int, int] = {}
    for story_id, topic in rows:
        if topic.lower() in rank:  # PostgreSQL's lower() may fold some letter Python's does not
            best[story_id] = min(best.get(story_id, len(topics)), rank[topic.lower()])
    return {story_id: topics[index] for story_id, index in best.items()}


def _sentences(connection: Connection, article_ids: list[int], topics: Sequence[str]) -> dict[tuple[int, str], str]:
    """{(article id, lower-cased topic): the sentence that matched}."""
    out: dict[tuple[int, str], str] = {}
    for chunk in chunks(article_ids):
        rows = connection.execute(
            select(ArticleTag.article_id, ArticleTag.topic, ArticleTag.sentence).where(
                ArticleTag.article_id.in_(chunk), topic_in(topics)
            )
        )
        out.update({(row.article_id, row.topic.lower()): row.sentence for row in rows})
    return out


def _item(group: list[Row[Any]], sentences: dict[tuple[int, str], str], topic: str) -> StoryItem:
    """The representative with the topic's sentence (its own, else the earliest copy's that has one)."""
    lead = group[0]
    sentence = next((sentences[(a.id, topic.lower())] for a in group if (a.id, topic.lower()) in sentences), "")
    return StoryItem(
        story_id=lead.story_id,
        article_id=lead.id,
        url=lead.url,
        title=lead.title,
        source=lead.source,
        published_at=lead.published_at,
        fetched_at=lead.fetched_at,
        sentence=sentence,
        also=tuple(OtherOutlet(article.source, article.url) for article in other_outlets(group)),
    )


def _sections(topics: Sequence[str], topic_of: dict[int, str], items: dict[int, StoryItem]) -> list[TopicStories]:
    sections = []
    for topic in topics:
        stories = sorted((items[s] for s, t in topic_of.items() if t == topic), key=lambda i: (i.when, i.story_id))
        if stories:
            sections.append(TopicStories(topic, tuple(reversed(stories))))
    return sections


def record_deliveries(
    engine: Engine, digest: str, recipient: str, items: Iterable[StoryItem], sent_at: datetime | None = None
) -> None:
    """Remember, in one transaction, that these stories reached ``recipient``; already recorded ones are kept."""
    sent_at = sent_at or utcnow()
    rows = [
        {"digest": digest, "recipient": recipient, "story_id": item.story_id,
         "article_id": item.article_id, "sent_at": sent_at}
        for item in items
    ]
    if not rows:
        return
    with engine.begin() as connection:
        insert = conflict_insert(connection.dialect.name, DigestDelivery)
        connection.execute(insert.on_conflict_do_nothing(index_elements=["digest", "recipient", "story_id"]), rows)


def newest_on_topic(engine: Engine, topic: str, limit: int) -> list[TopicArticle]:
    """The newest ``limit`` articles tagged ``topic`` (case-insensitive), by publication else fetch date."""
    statement = (
        select(Article.id, Article.url, Article.title, Article.source, Article.published_at,
               Article.fetched_at, Article.description, ArticleTag.sentence)
        .join(ArticleTag, ArticleTag.article_id == Article.id)
        .where(topic_in([topic]))
        .order_by(ARTICLE_TIME.desc(), Article.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [TopicArticle(*row) for row in connection.execute(statement)]
