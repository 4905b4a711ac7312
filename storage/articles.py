"""Writing and reading articles and their tags.

Writes are batched upserts keyed on the normalized URL, in one transaction per batch: a batch is
stored whole or not at all, so a killed crawl never leaves half an article, and any number of
processes storing the same URL end with one row. The same transaction puts each article in its story
(``storage/stories.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Executable, Row, delete, func, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from storage.chunks import chunks
from storage.models import Article, ArticleTag, SeenUrl
from storage.records import ArticleRecord, TagRecord, decompress_html, utcnow
from storage.stories import Clusterable, StoryOptions, assign_stories, lock_stories
from storage.upserts import conflict_insert

def content_hash(text: str) -> str:
    """Hash of the body with whitespace and case folded: equal bodies hash alike across outlets."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def _row(record: ArticleRecord) -> dict[str, object]:
    return {
        "url": record.url,
        "source": record.source,
        "title": record.title,
        "authors": list(record.authors),
        "published_at": record.published_at,
        "fetched_at": record.fetched_at,
        "language": record.language,
        "description": record.description,
        "text": record.text,
        "content_hash": content_hash(record.text),
        "html_gz": record.html_gz,
        "minhash": record.minhash,
    }


_ROW_KEYS = tuple(_row(ArticleRecord(url="", source="", title=None, text="")))


# Upserts are built once per dialect, then executed with each row's parameters: building a statement
# costs more CPU than running it.


@cache
def _article_upsert(dialect: str) -> Executable:
    """INSERT ... ON CONFLICT (url) DO UPDATE of articles, returning each one's URL, id and story.

    Executed with a batch's rows, SQLAlchemy sends them as one multi-row statement ("insertmanyvalues")."""
    statement = conflict_insert(dialect, Article)
    updates = {key: statement.excluded[key] for key in _ROW_KEYS if key != "url"}
    upsert = statement.on_conflict_do_update(index_elements=["url"], set_=updates)
    return upsert.returning(Article.url, Article.id, Article.story_id)


@cache
def _seen_upsert(dialect: str) -> Executable:
    """INSERT ... ON CONFLICT (url) DO UPDATE of a seen URL."""
    statement = conflict_insert(dialect, SeenUrl)
    updates = {key: statement.excluded[key] for key in ("outcome", "retry_after", "article_id", "seen_at")}
    return statement.on_conflict_do_update(index_elements=["url"], set_=updates)


def upsert_articles(
    engine: Engine, records: Sequence[ArticleRecord], stories: StoryOptions = StoryOptions()
) -> dict[str, int]:
    """Store a batch in one transaction; returns {url: article id}. A known URL is updated in place.

    Every article ends in a story: its near-duplicates' (``stories`` says how near), else its own.
    """
    if not records:
        return {}
    unique = {record.url: record for record in records}  # the last copy of a URL in a batch wins
    with engine.begin() as connection:
        ordered = [_row(unique[url]) for url in sorted(unique)]  # one order for all writers: no deadlock on PostgreSQL
        rows = {row.url: row for row in connection.execute(_article_upsert(connection.dialect.name), ordered)}
        stored = [_clusterable(record, rows[url]) for url, record in unique.items()]
        ids = {url: row.id for url, row in rows.items()}
        _replace_tags(connection, [(ids[url], tag) for url, record in unique.items() for tag in record.tags], ids.values())
        aliases = [(alias, "alias", None, ids[url]) for url, record in unique.items() for alias in record.aliases]
        _upsert_seen(connection, [alias for alias in aliases if alias[0] not in ids])
        lock_stories(connection)  # after the batch's own writes: see storage/stories.py
        assign_stories(connection, stored, stories)
    return ids


def _clusterable(record: ArticleRecord, stored: Row[Any]) -> Clusterable:
    return Clusterable(int(stored.id), stored.story_id, record.published_at or record.fetched_at, record.minhash)


def _replace_tags(connection: Connection, tags: Sequence[tuple[int, TagRecord]], article_ids: Iterable[int]) -> None:
    """Replace all tags of ``article_ids`` with ``tags`` (article id, tag)."""
    ids = list(article_ids)
    for chunk in chunks(ids):
        connection.execute(delete(ArticleTag).where(ArticleTag.article_id.in_(chunk)))
    if tags:
        connection.execute(ArticleTag.__table__.insert(), [_tag_row(article_id, tag) for article_id, tag in tags])


def _tag_row(article_id: int, tag: TagRecord) -> dict[str, object]:
    return {
        "article_id": article_id,
        "topic": tag.topic,
        "in_title": tag.in_title,
        "in_body": tag.in_body,
        "hits": tag.hits,
        "sentence": tag.sentence,
        "tagged_at": utcnow(),
    }


def mark_seen(engine: Engine, outcomes: Sequence[tuple[str, str, datetime | None]]) -> None:
    """Remember pages that are not articles: (normalized url, outcome, retry after or None for never)."""
    with engine.begin() as connection:
        _upsert_seen(connection, [(url, outcome, retry_after, None) for url, outcome, retry_after in outcomes])


def _upsert_seen(connection: Connection, rows: Sequence[tuple[str, str, datetime | None, int | None]]) -> None:
    if rows:
        now = utcnow()
        connection.execute(
            _seen_upsert(connection.dialect.name),
            [{"url": url, "outcome": outcome, "retry_after": retry_after, "article_id": article_id, "seen_at": now}
             for url, outcome, retry_after, article_id in rows],
        )


def known_urls(engine: Engine, urls: Iterable[str]) -> set[str]:
    """The subset of ``urls`` (normalized) not worth fetching: articles, their aliases, recent drops."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    now = utcnow()
    with engine.connect() as connection:
        for chunk in chunks(wanted):
            found.update(connection.scalars(select(Article.url).where(Article.url.in_(chunk))))
            still_seen = or_(SeenUrl.retry_after.is_(None), SeenUrl.retry_after > now)
            found.update(connection.scalars(select(SeenUrl.url).where(SeenUrl.url.in_(chunk), still_seen)))
    return found


@dataclass(frozen=True, slots=True)
class StoredText:
    """What tagging needs of a stored article."""

    id: int
    title: str | None
    text: str


def iter_texts(engine: Engine, batch_size: int = 2000) -> Iterator[list[StoredText]]:
    """Every article's title and body, in batches by id."""
    for rows in _batches_by_id(engine, (Article.id, Article.title, Article.text), (), batch_size):
        yield [StoredText(row.id, row.title, row.text) for row in rows]


def _batches_by_id(
    engine: Engine, columns: Sequence[Any], where: Sequence[ColumnElement[bool]], batch_size: int
) -> Iterator[Sequence[Row[Any]]]:
    """Rows of ``columns`` (the first being Article.id) in id order, a batch per query and connection:
    keyset pagination, so memory stays flat and no transaction stays open between batches."""
    last_id = 0
    while True:
        with engine.connect() as connection:
            statement = select(*columns).where(Article.id > last_id, *where).order_by(Article.id).limit(batch_size)
            rows = connection.execute(statement).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def topic_in(topics: Sequence[str]) -> ColumnElement[bool]:
    """Case-insensitive topic match; the exact names too, since SQLite's lower() folds ASCII only."""
    return or_(ArticleTag.topic.in_(topics), func.lower(ArticleTag.topic).in_([topic.lower() for topic in topics]))


def tags_of(connection: Connection, article_ids: Sequence[int]) -> dict[int, dict[str, TagRecord]]:
    """The stored tags of these articles: {article id: {topic: tag}}."""
    out: dict[int, dict[str, TagRecord]] = {article_id: {} for article_id in article_ids}
    table = ArticleTag.__table__
    for chunk in chunks(article_ids):
        rows = connection.execute(select(table).where(table.c.article_id.in_(chunk)))
        for tag in rows:
            out[tag.article_id][tag.topic] = TagRecord(tag.topic, tag.in_title, tag.in_body, tag.hits, tag.sentence)
    return out


def apply_tag_changes(
    connection: Connection, removed: Sequence[tuple[int, str]], upserted: Sequence[tuple[int, TagRecord]]
) -> None:
    """Delete the (article id, topic) pairs in ``removed``, then write ``upserted`` (replacing old rows)."""
    stale = list(removed) + [(article_id, tag.topic) for article_id, tag in upserted]
    for chunk in chunks(stale):
        connection.execute(delete(ArticleTag).where(tuple_(ArticleTag.article_id, ArticleTag.topic).in_(chunk)))
    if upserted:
        connection.execute(ArticleTag.__table__.insert(), [_tag_row(aid, tag) for aid, tag in upserted])


@dataclass(frozen=True, slots=True)
class StoredPage:
    """What re-extraction needs of a stored article: its identity and the page as fetched."""

    id: int
    url: str
    source: str
    published_at: datetime | None
    fetched_at: datetime
    html: bytes


def iter_pages(engine: Engine, batch_size: int = 200) -> Iterator[list[StoredPage]]:
    """Every article that kept its page, in batches by id; pages are decompressed here."""
    columns = (Article.id, Article.url, Article.source, Article.published_at, Article.fetched_at, Article.html_gz)
    for rows in _batches_by_id(engine, columns, (Article.html_gz.is_not(None),), batch_size):
        yield [
            StoredPage(row.id, row.url, row.source, row.published_at, row.fetched_at, decompress_html(row.html_gz))
            for row in rows
        ]
