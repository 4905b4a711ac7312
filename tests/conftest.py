"""Shared fixtures: a fresh database per test on SQLite and on the machine's PostgreSQL.

PostgreSQL tests run whenever the server answers and skip loudly when it does not; under CI
(``CI=true``) a missing server is a failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_URL = os.environ.get("NEWSMON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ON_CI = os.environ.get("CI", "").lower() == "true"


def require_service(name: str, error: BaseException) -> None:
    """Skip (loudly) when a service is missing on a developer machine; fail under CI."""
    message = f"{name} is not reachable ({error}); start it or these tests cannot run"
    if ON_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {message}")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        require_service("PostgreSQL at " + PG_URL, exc.orig or exc)
    finally:
        engine.dispose()
    return PG_URL


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{pg_admin_url}?options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newsmon.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs once on SQLite and once on PostgreSQL, each time on an empty schema."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def engine(database_url: str) -> Iterator:
    from storage.db import open_database

    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sample_site() -> Iterator:
    """The bundled sample news site, served once for the whole session (tests clear its request log)."""
    from demo.server import SampleSite

    with SampleSite() as site:
        yield site
        assert not site.errors, f"the sample site's server failed: {site.errors!r}"


@pytest.fixture
def site_config(tmp_path: Path, database_url: str, sample_site) -> Path:  # type: ignore[no-untyped-def]
    """A newsmon config that crawls the sample site into this test's database."""
    from demo.config import demo_config

    sample_site.clear_requests()
    path = tmp_path / "newsmon.toml"
    path.write_text(demo_config(sample_site.manifest, sample_site.base_url, database_url), encoding="utf-8")
    return path


REDIS_URL = os.environ.get("NEWSMON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_service("Redis at " + REDIS_URL, exc)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"newsmon-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
