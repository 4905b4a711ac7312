"""The archive's tables, as SQLAlchemy 2.0 models.

The same models and migrations serve SQLite and PostgreSQL. Full-text search lives beside these
tables and is created by the migrations only (see ``storage/fts.py``): an FTS5 external-content table
on SQLite, a generated ``tsvector`` column on PostgreSQL. Alembic's autogenerate is told to ignore
them (``storage/migrations/env.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    UniqueConstraint,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

from storage.records import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone, so it is re-attached)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: newsmon stores timezone-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


class Article(Base):
    """One article, unique by its normalized URL."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The page as fetched, compressed (storage.records.compress_html), so extraction can be re-run without refetching.
    html_gz: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    # MinHash signature of the body's word shingles (see pipeline/stories.py), for near-duplicate search.
    minhash: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    tags: Mapped[list[ArticleTag]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )


# When an article appeared: its publication time, else the time it was fetched (for ordering and windows).
ARTICLE_TIME = func.coalesce(Article.published_at, Article.fetched_at)


class Story(Base):
    """Articles whose bodies are near-duplicates (syndicated copies, light rewrites) within a few days."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoryBucket(Base):
    """Locality-sensitive-hashing buckets of an article's MinHash: articles sharing one are candidates."""

    __tablename__ = "story_buckets"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_story_buckets_band_bucket", "band", "bucket"),)


class DigestDelivery(Base):
    """A story sent to a recipient in a digest: recorded only once the SMTP server accepted the message."""

    __tablename__ = "digest_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(320))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("digest", "recipient", "story_id", name="uq_digest_deliveries_story"),)


class ArticleTag(Base):
    """Why an article carries a topic: where the keyword was, how often, and the sentence."""

    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    in_title: Mapped[bool] = mapped_column(Boolean)
    in_body: Mapped[bool] = mapped_column(Boolean)
    hits: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[str] = mapped_column(Text)
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="tags")

    __table_args__ = (Index("ix_article_tags_topic", "topic", "article_id"),)


class CrawlRun(Base):
    """One crawl: when it ran, how it ended, and its figures per source."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, finished, failed
    message: Mapped[str | None] = mapped_column(Text)

    sources: Mapped[list[CrawlRunSource]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class CrawlRunSource(Base):
    """The figures of one source in one crawl run."""

    __tablename__ = "crawl_run_sources"

    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    feeds_read: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    links_found: Mapped[int] = mapped_column(Integer, default=0)
    skipped_known: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    drop_reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[list[str]] = mapped_column(default=list)

    run: Mapped[CrawlRun] = relationship(back_populates="sources")


class SeenUrl(Base):
    """A URL that is not an article's own but must not be fetched again (for now, or ever).

    Aliases (a redirect's first URL, a URL whose page names another canonical URL) point at their
    article; pages dropped on purpose (not HTML, too short, too large, gone) keep their outcome and,
    when worth another look later, the time after which they may be fetched again.
    """

    __tablename__ = "seen_urls"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(100))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    retry_after: Mapped[datetime | None]


class FetchState(Base):
    """Conditional-request validators of a feed or sitemap, shared by every run and machine."""

    __tablename__ = "fetch_state"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
