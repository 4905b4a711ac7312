"""Archive statistics for ``newsmon stats``: articles per source and topic, the last crawl of each source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, type_coerce

from storage.models import Article, ArticleTag, CrawlRun, CrawlRunSource, UTCDateTime


@dataclass(frozen=True, slots=True)
class SourceCount:
    source: str
    articles: int
    newest: datetime | None


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic: str
    articles: int


@dataclass(frozen=True, slots=True)
class LastCrawl:
    source: str
    run_id: int
    started_at: datetime
    status: str
    stored: int
    dropped: int
    failed: int
    error: str | None


def articles_per_source(engine: Engine) -> list[SourceCount]:
    # type_coerce: an aggregate loses the column type, and SQLite would hand back a plain string.
    newest = type_coerce(func.max(func.coalesce(Article.published_at, Article.fetched_at)), UTCDateTime)
    statement = (
        select(Article.source, func.count(), newest).group_by(Article.source).order_by(func.count().desc(), Article.source)
    )
    with engine.connect() as connection:
        return [SourceCount(source, count, when) for source, count, when in connection.execute(statement)]


def articles_per_topic(engine: Engine) -> list[TopicCount]:
    statement = (
        select(ArticleTag.topic, func.count()).group_by(ArticleTag.topic).order_by(func.count().desc(), ArticleTag.topic)
    )
    with engine.connect() as connection:
        return [TopicCount(topic, count) for topic, count in connection.execute(statement)]


def last_crawl_per_source(engine: Engine) -> list[LastCrawl]:
    latest = (
        select(CrawlRunSource.source, func.max(CrawlRunSource.run_id).label("run_id"))
        .group_by(CrawlRunSource.source)
        .subquery()
    )
    statement = (
        select(CrawlRunSource, CrawlRun.started_at, CrawlRun.status)
        .join(latest, (latest.c.source == CrawlRunSource.source) & (latest.c.run_id == CrawlRunSource.run_id))
        .join(CrawlRun, CrawlRun.id == CrawlRunSource.run_id)
        .order_by(CrawlRunSource.source)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return [
        LastCrawl(
            source=row.source,
            run_id=row.run_id,
            started_at=row.started_at,
            status=_outcome(row.status, row.failed, row.errors),
            stored=row.stored,
            dropped=row.dropped,
            failed=row.failed,
            error=row.errors[0] if row.errors else None,
        )
        for row in rows
    ]


def _outcome(run_status: str, failed: int, errors: list[str]) -> str:
    if run_status != "finished":
        return run_status
    return "errors" if failed or errors else "ok"

