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
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import aliased

from storage.chunks import chunks
from storage.locks import lock_for_transaction
from storage.minhash import BANDS, band_buckets, estimated_similarity
from storage.models import ARTICLE_TIME, Article, Story, StoryBucket, UTCDateTime
from storage.records import utcnow

MAX_CANDIDATES = 200  # the most recent ones: a boilerplate-heavy source must not make every article a candidate


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
    """Serialize clustering with other PostgreSQL transactions on this archive until this one ends
    (no-op on SQLite). Archives in other schemas of the database have locks of their own."""
    if connection.dialect.name == "postgresql":
        lock_for_transaction(connection, "stories")


def assign_stories(connection: Connection, articles: Sequence[Clusterable], options: StoryOptions) -> None:
    """Put each article in its story, earliest first, so that a copy finds an original stored in the same batch.

    The batch's buckets are written first, in one statement. A batch member not placed yet is a
    candidate with the story it had (a new article has none and is not one), so a story re-stored
    whole, as ``newsmon reextract`` does, stays one story. A new article sharing no bucket with any
    other, in the archive or the batch, can have no near-duplicate and be nobody's: those (most of a
    crawl) get a story each at once, before the others are placed.
    """
    ids = [article.article_id for article in articles]
    for chunk in chunks(ids):
        connection.execute(delete(StoryBucket).where(StoryBucket.article_id.in_(chunk)))
    buckets = {article.article_id: band_buckets(article.signature) for article in articles if article.signature}
    rows = [{"article_id": article_id, "band": band, "bucket": bucket}
            for article_id, article_buckets in buckets.items() for band, bucket in article_buckets]
    if rows:
        connection.execute(insert(StoryBucket), rows)
    sharing = _sharing_a_bucket(connection, list(buckets))
    alone = [article for article in articles if article.story_id is None and article.article_id not in sharing]
    _start_stories(connection, alone)
    for article in sorted(set(articles) - set(alone), key=lambda article: (article.when, article.article_id)):
        _assign_story(connection, article, buckets.get(article.article_id, []), options)


def _sharing_a_bucket(connection: Connection, article_ids: Sequence[int]) -> set[int]:
    """Those of ``article_ids`` sharing a bucket with any other article: only they can have a near-duplicate."""
    sharing: set[int] = set()
    for chunk in chunks(article_ids):
        sharing.update(connection.scalars(_SHARING, {"ids": list(chunk)}))
    return sharing


def _start_stories(connection: Connection, articles: Sequence[Clusterable]) -> None:
    """A new story for each of ``articles``: new ones that share no bucket with anyone (most of a crawl),
    placed in three statements whatever their number, where :func:`_assign_story` takes three each."""
    if not articles:
        return
    created = utcnow()
    stories = connection.scalars(_NEW_STORY, [{"created_at": created}] * len(articles)).all()
    moves = [{"article": article.article_id, "story": story} for article, story in zip(articles, stories, strict=True)]
    connection.execute(_MOVE_TO_STORY, moves)


def _assign_story(connection: Connection, article: Clusterable, buckets: list[tuple[int, int]], options: StoryOptions) -> None:
    """Put the article in its story.

    It stays in its current story while a member is still a near-duplicate (re-extraction never
    splits a story for nothing), else joins the best near-duplicate's story, else keeps a story of
    its own: the current one if nobody else is in it, a new one otherwise.
    """
    matches = _near_duplicates(connection, article, buckets, options) if buckets else []
    story_id = _chosen_story(connection, article, matches)
    if story_id != article.story_id:
        connection.execute(_MOVE_TO_STORY, {"article": article.article_id, "story": story_id})


# Statements built once: building one costs more CPU than running it, and clustering runs for every article.
_MOVE_TO_STORY = update(Article).where(Article.id == bindparam("article")).values(story_id=bindparam("story"))
_MINE, _OTHER = aliased(StoryBucket), aliased(StoryBucket)
_SHARING = (
    select(_MINE.article_id)
    .distinct()
    .join(_OTHER, and_(_OTHER.band == _MINE.band, _OTHER.bucket == _MINE.bucket, _OTHER.article_id != _MINE.article_id))
    .where(_MINE.article_id.in_(bindparam("ids", expanding=True)))
)
_NEW_STORY = insert(Story).returning(Story.id)
_CANDIDATES = (
    select(Article.id, Article.story_id, Article.minhash)
    .where(
        # OR of (band, bucket) pairs, not a row-value IN: SQLite answers only the OR from the index.
        Article.id.in_(
            select(StoryBucket.article_id).where(
                or_(*(and_(StoryBucket.band == band, StoryBucket.bucket == bindparam(f"bucket{band}"))
                      for band in range(BANDS)))
            )
        ),
        Article.id != bindparam("article"),
        Article.story_id.is_not(None),  # a new article of the batch, not placed yet
        ARTICLE_TIME.between(bindparam("earliest", type_=UTCDateTime()), bindparam("latest", type_=UTCDateTime())),
    )
    .order_by(ARTICLE_TIME.desc())
    .limit(MAX_CANDIDATES)
)


def _near_duplicates(
    connection: Connection, article: Clusterable, buckets: list[tuple[int, int]], options: StoryOptions
) -> list[tuple[float, int]]:
    """(estimated similarity, story id) of the recent articles sharing a bucket, similar enough, best first."""
    assert article.signature is not None
    window = timedelta(days=options.window_days)
    params: dict[str, object] = {f"bucket{band}": bucket for band, bucket in buckets}
    params.update(article=article.article_id, earliest=article.when - window, latest=article.when + window)
    rows = connection.execute(_CANDIDATES, params)
    scored = [(estimated_similarity(article.signature, row.minhash), -row.id, row.story_id) for row in rows]
    return [(score, story_id) for score, _, story_id in sorted(scored, reverse=True) if score >= options.similarity]


def _chosen_story(connection: Connection, article: Clusterable, matches: list[tuple[float, int]]) -> int:
    if article.story_id is not None and any(story_id == article.story_id for _, story_id in matches):
        return article.story_id
    if matches:
        return matches[0][1]
    if article.story_id is not None and not _has_others(connection, article):
        return article.story_id
    return connection.execute(_NEW_STORY, {"created_at": utcnow()}).scalar_one()


def _has_others(connection: Connection, article: Clusterable) -> bool:
    others = select(Article.id).where(Article.story_id == article.story_id, Article.id != article.article_id)
    return connection.execute(others.limit(1)).first() is not None


def story_members(connection: Connection, story_ids: Sequence[int], *columns: Any) -> dict[int, list[Row[Any]]]:
    """Every article of these stories (the ``columns`` asked for, and ``story_id``), earliest first.

    The first article of a story is its representative."""
    members: dict[int, list[Row[Any]]] = {}
    for chunk in chunks(story_ids):
        rows = connection.execute(
            select(Article.story_id, *columns)
            .where(Article.story_id.in_(chunk))
            .order_by(Article.story_id, ARTICLE_TIME, Article.id)
        )
        for row in rows:
            members.setdefault(row.story_id, []).append(row)
    return members


def story_coverage(connection: Connection, story_ids: Sequence[int]) -> dict[int, Coverage]:
    """Each story's representative (its earliest article) and the other sources that carried it."""
    members = story_members(connection, story_ids, Article.id, Article.source)
    return {
        story_id: Coverage(rows[0].id, [row.source for row in other_outlets(rows)]) for story_id, rows in members.items()
    }


def other_outlets(members: Sequence[Row[Any]]) -> list[Row[Any]]:
    """The earliest copy from each outlet other than the representative's (``members`` earliest first)."""
    seen = {members[0].source}
    out = []
    for member in members[1:]:
        if member.source not in seen:
            seen.add(member.source)
            out.append(member)
    return out
