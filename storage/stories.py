"""Story clusters: at ingest, an article joins the story of a recent near-duplicate or starts its own.

Candidates are the articles sharing at least one LSH bucket with the new one (``storage/minhash.py``)
and dated, by publication or else fetch time, within ``window_days`` of it; the candidate with the
highest estimated similarity at or above ``similarity`` gives its story. Clustering runs in the
transaction that stores the articles, so a batch is stored and clustered whole or not at all.

Concurrency: two workers storing copies of one story at the same time must not both miss the other
and start two stories. On PostgreSQL, clustering takes a transaction-level advisory lock after the
articles are written: a second worker waits until the first commits, and then (READ COMMITTED) sees
its articles and buckets. The lock is taken after the batch's own writes and clustering only writes
the batch's own rows, so waiting on it never closes a cycle with row locks. On SQLite the first write
takes the database's single write lock for the whole transaction, which already serializes workers.

A story is represented by its earliest article (publication or else fetch time, then lowest id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, text, update

from storage.minhash import band_buckets, estimated_similarity
from storage.models import Article, Story, StoryBucket, utcnow

_LOCK_KEY = 0x7374_6F72  # "stor": serializes clustering across PostgreSQL workers
_IN_CHUNK = 500  # bound parameters per IN (...), as in storage/articles.py


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """How near-duplicates join one story (the ``[stories]`` settings; the defaults match them)."""

    window_days: float = 3.0
    similarity: float = 0.45


@dataclass(frozen=True, slots=True)
class Clusterable:
    """What clustering needs of a stored article."""

    article_id: int
    story_id: int | None  # its story before this write: None for a new article
    when: datetime  # publication time, else fetch time
    signature: bytes | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """A story as shown to readers: its representative article and the other outlets that ran it."""

    representative: int  # article id
    also: list[str]  # the other sources, earliest first


def lock_stories(connection: Connection) -> None:
    """Serialize clustering with other PostgreSQL transactions until this one ends (no-op on SQLite)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def assign_story(connection: Connection, article: Clusterable, options: StoryOptions) -> int:
    """Put the article in its story and replace its buckets; returns the story id.

    It stays in its current story while a member is still a near-duplicate (re-extraction never
    splits a story for nothing), else joins the best near-duplicate's story, else keeps a story of
    its own: the current one if nobody else is in it, a new one otherwise.
    """
    connection.execute(delete(StoryBucket).where(StoryBucket.article_id == article.article_id))
    matches = _near_duplicates(connection, article, options) if article.signature else []
    story_id = _chosen_story(connection, article, matches)
    if story_id != article.story_id:
        connection.execute(update(Article).where(Article.id == article.article_id).values(story_id=story_id))
    if article.signature:
        rows = [{"article_id": article.article_id, "band": b, "bucket": k} for b, k in band_buckets(article.signature)]
        connection.execute(insert(StoryBucket), rows)
    return story_id


def _near_duplicates(connection: Connection, article: Clusterable, options: StoryOptions) -> list[tuple[float, int]]:
    """(estimated similarity, story id) of the recent articles similar enough, best first."""
    assert article.signature is not None
    window = timedelta(days=options.window_days)
    when = func.coalesce(Article.published_at, Article.fetched_at)
    # OR of (band, bucket) pairs, not a row-value IN: SQLite answers only the OR from the index.
    pairs = [and_(StoryBucket.band == b, StoryBucket.bucket == k) for b, k in band_buckets(article.signature)]
    shared = select(StoryBucket.article_id).where(or_(*pairs))
    rows = connection.execute(
        select(Article.id, Article.story_id, Article.minhash).where(
            Article.id.in_(shared),
            Article.id != article.article_id,
            when.between(article.when - window, article.when + window),
        )
    )
    scored = [(estimated_similarity(article.signature, row.minhash), -row.id, row.story_id) for row in rows]
    return [(score, story_id) for score, _, story_id in sorted(scored, reverse=True) if score >= options.similarity]


def _chosen_story(connection: Connection, article: Clusterable, matches: list[tuple[float, int]]) -> int:
    if article.story_id is not None and any(story_id == article.story_id for _, story_id in matches):
        return article.story_id
    if matches:
        return matches[0][1]
    if article.story_id is not None and not _has_others(connection, article):
        return article.story_id
    return connection.execute(insert(Story).values(created_at=utcnow()).returning(Story.id)).scalar_one()


def _has_others(connection: Connection, article: Clusterable) -> bool:
    others = select(Article.id).where(Article.story_id == article.story_id, Article.id != article.article_id)
    return connection.execute(others.limit(1)).first() is not None


def story_coverage(connection: Connection, story_ids: Sequence[int]) -> dict[int, Coverage]:
    """Each story's representative (its earliest article) and the other sources that carried it."""
    when = func.coalesce(Article.published_at, Article.fetched_at)
    members: dict[int, list[tuple[int, str]]] = {}
    for start in range(0, len(story_ids), _IN_CHUNK):
        rows = connection.execute(
            select(Article.story_id, Article.id, Article.source)
            .where(Article.story_id.in_(story_ids[start : start + _IN_CHUNK]))
            .order_by(Article.story_id, when, Article.id)
        )
        for story_id, article_id, source in rows:
            members.setdefault(story_id, []).append((article_id, source))
    return {story_id: _coverage(articles) for story_id, articles in members.items()}


def _coverage(articles: list[tuple[int, str]]) -> Coverage:
    """From a story's (article id, source) pairs, earliest first."""
    (first, own), *rest = articles
    return Coverage(first, [source for source in dict.fromkeys(s for _, s in rest) if source != own])
