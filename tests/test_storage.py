"""Storage on both backends: schema and migrations, upserts, tags, crawl runs, fetch state."""

from __future__ import annotations

import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from storage.articles import (
    ArticleRecord,
    TagRecord,
    apply_tag_changes,
    content_hash,
    iter_pages,
    iter_texts,
    known_urls,
    tags_of,
    upsert_articles,
)
from storage.db import (
    SCHEMA_REVISION,
    current_revision,
    display_url,
    head_revision,
    include_in_autogenerate,
    make_engine,
    open_database,
    upgrade,
)
from storage.errors import DatabaseUnavailable
from storage.models import Article, ArticleTag, Base, CrawlRunSource
from storage.records import compress_html, decompress_html
from storage.runs import SourceFigures, finish_run, load_run, load_validators, save_validators, start_run
from storage.search import search
from storage.stats import articles_per_source, articles_per_topic, last_crawl_per_source


def record(n: int, **changes: object) -> ArticleRecord:
    fields: dict[str, object] = {
        "url": f"https://news.example/{n}",
        "source": "Example",
        "title": f"Title {n}",
        "text": f"Body of article number {n}. " * 5,
        "published_at": datetime(2026, 11, 1, 12, tzinfo=UTC) + timedelta(hours=n),
        "language": "en",
        "html_gz": compress_html(f"<html><body>article {n}</body></html>".encode()),
    }
    fields.update(changes)
    return ArticleRecord(**fields)  # type: ignore[arg-type]


def count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def test_fresh_database_is_at_head(engine) -> None:  # type: ignore[no-untyped-def]
    assert current_revision(engine) == head_revision() == SCHEMA_REVISION


def test_opening_a_current_archive_does_not_load_alembic(sqlite_url: str) -> None:
    """Every command opens the archive; only an upgrade needs Alembic, which takes 0.3 s to load."""
    open_database(sqlite_url).dispose()  # creates the schema, with Alembic
    script = f"import sys; from storage.db import open_database; open_database({sqlite_url!r}); print('alembic' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"


def test_models_match_migrations_and_autogenerate_keeps_fts(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_autogenerate, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_autogenerate_would_drop_fts_without_the_filter(engine) -> None:  # type: ignore[no-untyped-def]
    """Guards the guard: the FTS objects really exist and really need hiding."""
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert any("fts" in repr(change) or "search_vector" in repr(change) for change in diff)


def test_upgrade_is_idempotent(engine) -> None:  # type: ignore[no-untyped-def]
    upsert_articles(engine, [record(1)])
    upgrade(engine)
    assert count(engine, Article) == 1


def test_sqlite_uses_wal_and_busy_timeout(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA busy_timeout")) >= 5000
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_plans_every_query_afresh(pg_url: str) -> None:
    """A prepared statement's generic plan, made while the tables were small, slowed story clustering
    down with every article stored (storage/db.py); no statement may be prepared however often it runs."""
    engine = open_database(pg_url)
    with engine.connect() as connection:
        for _ in range(10):
            connection.execute(select(Article.id).where(Article.url == "https://example.org/"))
        assert connection.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0
    engine.dispose()


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("not a url", "is not a database URL"),
        ("mysqlx://nobody@nowhere/db", "unsupported database"),
        ("sqlite:////no/such/folder/x.db", "does not exist"),
    ],
)
def test_bad_database_urls_give_one_line(url: str, fragment: str) -> None:
    with pytest.raises(DatabaseUnavailable, match=fragment) as info:
        open_database(url)
    assert "\n" not in str(info.value)


def test_unreachable_server_names_the_url_without_password() -> None:
    with pytest.raises(DatabaseUnavailable) as info:
        open_database("postgresql://user:secret@127.0.0.1:1/none")
    message = str(info.value)
    assert "secret" not in message and "127.0.0.1:1" in message and "\n" not in message


def test_display_url_hides_password() -> None:
    assert "s3cret" not in display_url("postgresql://u:s3cret@h/db")


def test_upsert_is_one_row_per_url_and_updates_in_place(engine) -> None:  # type: ignore[no-untyped-def]
    first = upsert_articles(engine, [record(1), record(2)])
    again = upsert_articles(engine, [record(1, title="New title", tags=[TagRecord("T", True, False, 1, "s")])])
    assert again["https://news.example/1"] == first["https://news.example/1"]
    assert count(engine, Article) == 2
    with engine.connect() as connection:
        title = connection.scalar(select(Article.title).where(Article.url == "https://news.example/1"))
    assert title == "New title"
    assert count(engine, ArticleTag) == 1


def test_duplicate_urls_in_one_batch_store_once(engine) -> None:  # type: ignore[no-untyped-def]
    ids = upsert_articles(engine, [record(1), record(1, title="later copy")])
    assert len(ids) == 1 and count(engine, Article) == 1


def test_fields_round_trip_with_utc_and_compressed_html(engine) -> None:  # type: ignore[no-untyped-def]
    cest = timezone(timedelta(hours=2))
    upsert_articles(
        engine,
        [record(1, published_at=datetime(2026, 5, 1, 9, 30, tzinfo=cest), authors=["Ana Díaz", "Jo Li"])],
    )
    with engine.connect() as connection:
        row = connection.execute(select(Article.__table__)).one()
    assert row.published_at == datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
    assert row.published_at.tzinfo is not None and row.fetched_at.tzinfo is not None
    assert row.authors == ["Ana Díaz", "Jo Li"]
    assert decompress_html(row.html_gz) == b"<html><body>article 1</body></html>"
    assert len(row.html_gz) < 200
    assert row.content_hash == content_hash(row.text)


def test_pages_compressed_by_earlier_versions_read_back_beside_new_ones(engine) -> None:  # type: ignore[no-untyped-def]
    """Pages used to be stored zlib-compressed and now are Zstandard frames: an archive holds both kinds."""
    page = "<html><body>" + "<p>Ein Absatz über KI-Gigafabriken.</p>" * 40 + "</body></html>"
    old, new = zlib.compress(page.encode(), 3), compress_html(page.encode())
    upsert_articles(engine, [record(1, html_gz=old), record(2, html_gz=new)])
    assert new.startswith(b"\x28\xb5\x2f\xfd") and len(new) < len(page) / 5
    assert [stored.html.decode() for batch in iter_pages(engine) for stored in batch] == [page, page]


def test_naive_datetimes_are_refused(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match="naive datetime"):
        upsert_articles(engine, [record(1, published_at=datetime(2026, 1, 1))])
    assert count(engine, Article) == 0  # the batch is all or nothing


def test_content_hash_ignores_whitespace_and_case() -> None:
    assert content_hash("The  AI\nAct") == content_hash("the ai act")
    assert content_hash("the AI Act") != content_hash("the AI Acts")


def test_known_urls(engine) -> None:  # type: ignore[no-untyped-def]
    upsert_articles(engine, [record(n) for n in range(3)])
    urls = [f"https://news.example/{n}" for n in range(1200)]
    assert known_urls(engine, urls) == {f"https://news.example/{n}" for n in range(3)}


def test_deleting_an_article_deletes_its_tags(engine) -> None:  # type: ignore[no-untyped-def]
    upsert_articles(engine, [record(1, tags=[TagRecord("T", True, True, 2, "s")])])
    with engine.begin() as connection:
        connection.execute(Article.__table__.delete())
    assert count(engine, ArticleTag) == 0


def test_search_index_follows_updates_and_deletes(engine) -> None:  # type: ignore[no-untyped-def]
    upsert_articles(engine, [record(1, title="Quantum computing grant")])
    assert [hit.url for hit in search(engine, "quantum")] == ["https://news.example/1"]
    upsert_articles(engine, [record(1, title="Photonics grant")])
    assert search(engine, "quantum") == []
    assert len(search(engine, "photonics")) == 1
    with engine.begin() as connection:
        connection.execute(Article.__table__.delete())
    assert search(engine, "photonics") == []


def test_iter_texts_and_tag_changes(engine) -> None:  # type: ignore[no-untyped-def]
    ids = upsert_articles(engine, [record(n, tags=[TagRecord("Old", False, True, 1, "s")]) for n in range(5)])
    batches = list(iter_texts(engine, batch_size=2))
    assert [len(batch) for batch in batches] == [2, 2, 1]
    first = ids["https://news.example/0"]
    with engine.begin() as connection:
        apply_tag_changes(connection, [(first, "Old")], [(first, TagRecord("New", True, False, 3, "x"))])
    with engine.connect() as connection:
        tags = tags_of(connection, list(ids.values()))
    assert set(tags[first]) == {"New"} and tags[first]["New"].hits == 3
    assert all(set(tags[i]) == {"Old"} for i in ids.values() if i != first)


def test_crawl_runs_and_stats(engine) -> None:  # type: ignore[no-untyped-def]
    upsert_articles(engine, [record(1, tags=[TagRecord("AI Act", True, True, 1, "s")]), record(2, source="Other")])
    first = start_run(engine)
    finish_run(engine, first, "finished", {"Example": SourceFigures(stored=1), "Other": SourceFigures(stored=1)})
    second = start_run(engine)
    figures = SourceFigures(failed=1, errors=["feed https://x/feed: HTTP 500"], drop_reasons={"too short": 2})
    finish_run(engine, second, "finished", {"Example": figures})
    assert count(engine, CrawlRunSource) == 3
    assert {(s.source, s.articles) for s in articles_per_source(engine)} == {("Example", 1), ("Other", 1)}
    assert all(s.newest is not None and s.newest.tzinfo is not None for s in articles_per_source(engine))
    assert [(t.topic, t.articles) for t in articles_per_topic(engine)] == [("AI Act", 1)]
    last = {crawl.source: crawl for crawl in last_crawl_per_source(engine)}
    assert last["Example"].run_id == second and last["Example"].status == "errors"
    assert last["Example"].error == "feed https://x/feed: HTTP 500"
    assert last["Other"].run_id == first and last["Other"].status == "ok"


def test_fetch_validators_persist(engine) -> None:  # type: ignore[no-untyped-def]
    save_validators(engine, "https://x/feed", '"abc"', None)
    save_validators(engine, "https://x/feed", '"def"', "Wed, 25 Nov 2026 10:00:00 GMT")
    assert load_validators(engine, ["https://x/feed", "https://y/feed"]) == {
        "https://x/feed": ('"def"', "Wed, 25 Nov 2026 10:00:00 GMT")
    }


def test_make_engine_normalises_plain_postgresql_driver() -> None:
    engine = make_engine("postgresql://u@localhost/db")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_aliases_and_dropped_pages_are_known(engine) -> None:  # type: ignore[no-untyped-def]
    from storage.articles import mark_seen

    now = datetime.now(UTC)
    upsert_articles(engine, [record(1, aliases=["https://news.example/old-1", "https://news.example/1"])])
    mark_seen(
        engine,
        [
            ("https://news.example/gone", "HTTP 404", None),
            ("https://news.example/short", "too short", now + timedelta(days=30)),
            ("https://news.example/retry", "too short", now - timedelta(seconds=1)),
        ],
    )
    candidates = ["https://news.example/1", "https://news.example/old-1", "https://news.example/gone",
                  "https://news.example/short", "https://news.example/retry", "https://news.example/new"]
    assert known_urls(engine, candidates) == set(candidates[:4])
    with engine.begin() as connection:  # an alias goes with its article
        connection.execute(Article.__table__.delete())
    assert known_urls(engine, candidates) == {"https://news.example/gone", "https://news.example/short"}


def test_migrations_go_down_and_up_and_backfill_stories(engine) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from storage.db import alembic_config

    def migrate(action, revision: str) -> None:  # type: ignore[no-untyped-def]
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            action(config, revision)

    migrate(command.downgrade, "0001")
    with engine.begin() as connection:  # an archive from before stories existed
        connection.execute(
            text(
                "INSERT INTO articles (url, source, title, authors, fetched_at, text, content_hash) "
                "VALUES ('https://old.example/1', 'Old', 'Photonics grant', '[]', CURRENT_TIMESTAMP, 'Body', 'h')"
            )
        )
    migrate(command.upgrade, "head")
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        story_id, article_id = connection.execute(select(Article.story_id, Article.id)).one()
    assert story_id == article_id
    assert [hit.url for hit in search(engine, "photonics")] == ["https://old.example/1"]
    migrate(command.downgrade, "0001")
    migrate(command.upgrade, "head")
    upsert_articles(engine, [record(7, title="Quantum sensors")])  # FTS triggers survived the round trip
    assert [hit.url for hit in search(engine, "quantum")] == ["https://news.example/7"]


def test_a_run_is_finished_once_whoever_else_tries(engine) -> None:  # type: ignore[no-untyped-def]
    """A seeding that closes a drained run and the scheduler waiting on it may both finish it."""
    run = start_run(engine)
    assert finish_run(engine, run, "finished", {"Example": SourceFigures(stored=3)})
    assert not finish_run(engine, run, "failed", {"Example": SourceFigures(stored=5)}, message="too late")
    summary = load_run(engine, run)
    assert (summary.status, summary.message, summary.figures["Example"].stored) == ("finished", None, 3)
    assert count(engine, CrawlRunSource) == 1


def test_last_run_finished(engine) -> None:  # type: ignore[no-untyped-def]
    from storage.runs import last_run_finished

    assert last_run_finished(engine)
    finish_run(engine, start_run(engine), "finished", {})
    assert last_run_finished(engine)
    killed = start_run(engine)
    finish_run(engine, killed, "failed", message="killed")
    assert not last_run_finished(engine)
