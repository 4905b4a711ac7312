"""Crawl runs and their figures per source, and the conditional-request state of feeds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, select, update

from storage.chunks import chunks
from storage.models import CrawlRun, CrawlRunSource, FetchState
from storage.records import utcnow


@dataclass(slots=True)
class SourceFigures:
    """What one crawl did for one source (the columns of ``newsmon crawl``'s closing table)."""

    feeds_read: int = 0
    not_modified: int = 0
    links_found: int = 0
    skipped_known: int = 0
    fetched: int = 0
    stored: int = 0
    dropped: int = 0
    failed: int = 0
    drop_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def start_run(engine: Engine) -> int:
    with engine.begin() as connection:
        statement = CrawlRun.__table__.insert().values(started_at=utcnow(), status="running")
        return int(connection.execute(statement.returning(CrawlRun.__table__.c.id)).scalar_one())


def finish_run(
    engine: Engine,
    run_id: int,
    status: str,
    figures: Mapping[str, SourceFigures] | None = None,
    message: str | None = None,
) -> bool:
    """Record how a run ended and its figures, in one transaction; False (and nothing written) when
    the run had ended already, so that two processes closing one run cannot record it twice."""
    with engine.begin() as connection:
        changed = connection.execute(
            update(CrawlRun)
            .where(CrawlRun.id == run_id, CrawlRun.status == "running")
            .values(finished_at=utcnow(), status=status, message=message)
        ).rowcount
        rows = [{"run_id": run_id, "source": name, **asdict(figs)} for name, figs in (figures or {}).items()]
        if changed and rows:
            connection.execute(CrawlRunSource.__table__.insert(), rows)
    return bool(changed)


def load_validators(engine: Engine, urls: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """{url: (etag, last_modified)} for the feeds and sitemaps fetched before."""
    wanted = list(urls)
    out: dict[str, tuple[str | None, str | None]] = {}
    with engine.connect() as connection:
        for chunk in chunks(wanted):
            rows = connection.execute(select(FetchState.__table__).where(FetchState.url.in_(chunk)))
            out.update({row.url: (row.etag, row.last_modified) for row in rows})
    return out


def save_validators(engine: Engine, url: str, etag: str | None, last_modified: str | None) -> None:
    """Remember a feed's validators for the next conditional request, on any machine."""
    values: dict[str, Any] = {"etag": etag, "last_modified": last_modified, "checked_at": utcnow()}
    with engine.begin() as connection:
        changed = connection.execute(update(FetchState).where(FetchState.url == url).values(**values)).rowcount
        if not changed:
            connection.execute(FetchState.__table__.insert().values(url=url, **values))


@dataclass(frozen=True, slots=True)
class RunSummary:
    id: int
    status: str
    message: str | None
    figures: dict[str, SourceFigures]


def load_run(engine: Engine, run_id: int) -> RunSummary:
    """A stored run with its figures per source (sorted by source name)."""
    with engine.connect() as connection:
        run = connection.execute(select(CrawlRun.__table__).where(CrawlRun.id == run_id)).one()
        rows = connection.execute(
            select(CrawlRunSource.__table__).where(CrawlRunSource.run_id == run_id).order_by(CrawlRunSource.source)
        ).all()
    figures = {
        row.source: SourceFigures(**{name: getattr(row, name) for name in SourceFigures.__dataclass_fields__})
        for row in rows
    }
    return RunSummary(run.id, run.status, run.message, figures)


def unfinished_runs(engine: Engine) -> list[int]:
    """Ids of the runs still marked running, oldest first."""
    with engine.connect() as connection:
        return list(connection.scalars(select(CrawlRun.id).where(CrawlRun.status == "running").order_by(CrawlRun.id)))


def last_run_finished(engine: Engine) -> bool:
    """Whether the newest crawl run (if any) ended normally, so that its feed validators can be trusted."""
    with engine.connect() as connection:
        status = connection.scalar(select(CrawlRun.status).order_by(CrawlRun.id.desc()).limit(1))
    return status in (None, "finished")
