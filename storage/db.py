"""Opening the archive: engines with the right settings per backend, and schema upgrades.

SQLite gets WAL (readers never block the crawler's writes), a busy timeout (a second process waits
instead of failing with "database is locked") and foreign keys. PostgreSQL migrations run under an
advisory lock so that several workers starting at once do not race to create the schema.

Alembic is imported only when the schema needs an upgrade: loading it (with Mako and Pygments) takes
about 0.3 s, which every ``newsmon`` command and every crawl would pay twice (parent and child)
just to learn that the schema is current.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import NoSuchModuleError

from storage.errors import DatabaseUnavailable, SchemaError
from storage.locks import lock_for_transaction

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SCHEMA_REVISION = "0002"  # the newest migration's revision; a test checks that it is Alembic's head
VERSION_TABLE = "alembic_version"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; raises DatabaseUnavailable for a URL that cannot work."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            f"database_url {url!r} is not a database URL: use sqlite:///path.db or postgresql+psycopg://host/db"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args=_connect_args(parsed.get_backend_name()))
    except NoSuchModuleError:
        raise DatabaseUnavailable(
            f"database_url {display_url(url)}: unsupported database; use sqlite or postgresql"
        ) from None
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine)
    return engine


def _connect_args(backend: str) -> dict[str, object]:
    if backend == "sqlite":
        return {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    if backend == "postgresql":
        # No server-side prepared statements: psycopg prepares a query after five runs, and PostgreSQL may
        # then reuse a generic plan made while the tables were empty; for the story candidates query that
        # plan scans every bucket, so a first crawl slowed down with each article stored (7 ms an article
        # at first, 50 ms after 1,000). Prepared statements also break behind PgBouncer's transaction pooling.
        return {"connect_timeout": 10, "prepare_threshold": None}
    return {}


def _prepare_sqlite(engine: Engine) -> None:
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        parent = Path(database).expanduser().parent
        if not parent.is_dir():
            raise DatabaseUnavailable(f"database_url {engine.url}: folder {parent} does not exist; create it")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# Full-text search objects are created by hand in migrations (FTS5 tables, a generated tsvector column
# and its index): Alembic's autogenerate must neither drop them nor try to add them.
_FTS_TABLE_PREFIX = "articles_fts"
_FTS_COLUMNS = frozenset({"search_vector"})
_FTS_INDEXES = frozenset({"ix_articles_search"})
# `newsmon schedule` keeps its jobs in this table; APScheduler's job store creates and owns it.
SCHEDULER_JOBS_TABLE = "apscheduler_jobs"


def include_in_autogenerate(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic ``include_object`` hook: hide the full-text search objects and the scheduler's table."""
    if type_ == "table":
        return not (name or "").startswith(_FTS_TABLE_PREFIX) and name != SCHEDULER_JOBS_TABLE
    if type_ == "column":
        return name not in _FTS_COLUMNS
    if type_ == "index":
        return name not in _FTS_INDEXES
    return True


def alembic_config() -> Config:
    """Alembic's configuration, built in code so migrations work from an installed package too.

    The connection is handed over in ``config.attributes`` rather than as ``sqlalchemy.url``: a URL
    with a ``%`` (an escaped password or option) would trip the ini-file interpolation.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    """The newest revision in the migrations folder, as Alembic finds it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The archive's schema revision, from Alembic's version table; None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there already)."""
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                lock_for_transaction(connection, "migrations")  # one upgrade at a time per archive
            from alembic import command

            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise DatabaseUnavailable(_unavailable(engine, exc)) from None
    except SQLAlchemyError as exc:
        raise SchemaError(f"{display_url(str(engine.url))}: schema upgrade failed: {first_line(exc)}") from None


def open_database(url: str) -> Engine:
    """An engine on an up-to-date schema: what every command calls first."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnavailable(_unavailable(engine, exc)) from None
    try:
        if current_revision(engine) != SCHEMA_REVISION:
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def first_line(exc: BaseException) -> str:
    """The first line of a database error (the driver's own message), for one-line reports."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def _unavailable(engine: Engine, exc: BaseException) -> str:
    return (
        f"cannot open database {display_url(str(engine.url))}: {first_line(exc)}; "
        "check database_url (or $NEWSMON_DATABASE_URL) and that the server is running"
    )
