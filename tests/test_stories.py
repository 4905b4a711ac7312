"""Story clusters: signatures (pure), the labelled pairs behind the threshold, and on both databases
clustering, concurrency and ``search --collapse``."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from sqlalchemy import Engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite

import pipeline.stories
from pipeline.cli import cli
from pipeline.config import StorySettings
from pipeline.stories import body_signature, shingles
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.minhash import BANDS, SLOTS, band_buckets, estimated_similarity
from storage.models import Article, Story, StoryBucket
from storage.search import SearchFilters, search_stories, stories_statement
from storage.stories import StoryOptions, story_coverage
from tests.story_pairs import (
    AI_FACTORIES,
    OMNIBUS,
    OMNIBUS_OTHER_STORY,
    PAIRS,
    SHORTLIST,
    SHORTLIST_LIGHT_EDIT,
    SHORTLIST_SYNDICATED,
    Pair,
    table,
)

THRESHOLD = StoryOptions().similarity
T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


def similarity(first: str, second: str) -> float:
    a, b = body_signature(first), body_signature(second)
    assert a is not None and b is not None
    return estimated_similarity(a, b)


# --- signatures (pure) ------------------------------------------------------------------------------


def test_identical_bodies_score_one_and_unrelated_ones_about_zero() -> None:
    assert similarity(SHORTLIST, SHORTLIST) == 1.0
    assert similarity(SHORTLIST, OMNIBUS) < 0.05


def test_light_rewrite_is_above_the_threshold_and_another_story_on_the_topic_below() -> None:
    assert similarity(SHORTLIST, SHORTLIST_LIGHT_EDIT) >= THRESHOLD + 0.1
    assert similarity(OMNIBUS, OMNIBUS_OTHER_STORY) < THRESHOLD - 0.3
    assert similarity(SHORTLIST, AI_FACTORIES) < THRESHOLD - 0.3


def test_case_accents_and_punctuation_do_not_matter() -> None:
    french = "La Commission européenne a présélectionné sept consortiums pour ses « gigafactories » d'IA. " * 6
    plain = french.upper().replace("É", "E").replace("«", '"').replace("»", '"').replace("'", "\u2019")
    assert shingles(french) == shingles(plain)
    assert body_signature(french) == body_signature(plain)


def test_a_short_body_gets_no_signature() -> None:
    assert body_signature("The Commission opened the call for AI gigafactories on Tuesday. " * 3) is None
    assert body_signature("") is None


def test_signature_format_and_buckets_are_stable() -> None:
    signature = body_signature(SHORTLIST)
    assert signature is not None and len(signature) == SLOTS * 8
    # Signatures and buckets are stored: a change of shingling, hash, seed or layout must fail here,
    # since every stored signature would then stop matching new ones (pinned values, not a recomputation).
    assert hashlib.sha256(signature).hexdigest()[:24] == "9ab733c21b51c4aae4560460"
    buckets = band_buckets(signature)
    assert buckets[0] == (0, 5670978922288492322)
    assert [band for band, _ in buckets] == list(range(BANDS))
    assert all(-(2**63) <= bucket < 2**63 for _, bucket in buckets)


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.label for pair in PAIRS])
def test_labelled_pairs_fall_on_their_side_of_the_default_threshold(pair: Pair) -> None:
    a, b = shingles(pair.first), shingles(pair.second)
    estimate = similarity(pair.first, pair.second)
    assert abs(estimate - len(a & b) / len(a | b)) < 0.1
    assert (estimate >= THRESHOLD) is pair.same_story


def test_the_tuning_table_in_the_docstring_is_current() -> None:
    doc = " ".join((pipeline.stories.__doc__ or "").split())
    for line in table().splitlines():
        assert " ".join(line.split()) in doc


def test_story_options_defaults_are_the_config_defaults() -> None:
    assert StoryOptions(**StorySettings().model_dump()) == StoryOptions()


def test_a_threshold_below_what_the_bucket_index_finds_is_refused() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0.3"):
        StorySettings(similarity=0.2)


# --- clustering on both databases -------------------------------------------------------------------


def article(n: int, text: str, *, source: str = "Outlet", hours: float = 0, **changes: object) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://news.example/{n}",
        source=source,
        title=f"Article {n}",
        text=text,
        published_at=T0 + timedelta(hours=hours),
        minhash=body_signature(text),
        **changes,  # type: ignore[arg-type]
    )


def stories_of(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Article.url, Article.story_id)).all())


def count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def test_a_syndicated_copy_joins_the_story_and_the_earliest_article_represents_it(engine: Engine) -> None:
    upsert_articles(engine, [article(1, SHORTLIST_SYNDICATED, source="Tech Wire", hours=5)])
    upsert_articles(engine, [article(2, SHORTLIST, source="Brussels Byte"), article(3, OMNIBUS, hours=1)])
    story = stories_of(engine)
    assert story["https://news.example/1"] == story["https://news.example/2"] != story["https://news.example/3"]
    with engine.connect() as connection:
        coverage = story_coverage(connection, [story["https://news.example/1"]])
        ids = dict(connection.execute(select(Article.url, Article.id)).all())
    assert coverage[story["https://news.example/1"]].representative == ids["https://news.example/2"]
    assert coverage[story["https://news.example/1"]].also == ["Tech Wire"]
    assert count(engine, StoryBucket) == 3 * BANDS


def test_coverage_names_each_other_outlet_once_and_never_the_representatives_own(engine: Engine) -> None:
    copies = [
        article(1, SHORTLIST, source="Brussels Byte"),
        article(2, SHORTLIST_SYNDICATED, source="Brussels Byte", hours=1),  # the same outlet again
        article(3, SHORTLIST_SYNDICATED, source="Tech Wire", hours=2),
        article(4, SHORTLIST_SYNDICATED, source="Tech Wire", hours=3),  # a second copy from one outlet
        article(5, SHORTLIST_SYNDICATED, source="Compute Courier", hours=4),
    ]
    upsert_articles(engine, copies)
    story = stories_of(engine)["https://news.example/1"]
    assert set(stories_of(engine).values()) == {story}
    with engine.connect() as connection:
        assert story_coverage(connection, [story])[story].also == ["Tech Wire", "Compute Courier"]


def test_another_story_on_the_same_topic_stays_apart(engine: Engine) -> None:
    upsert_articles(engine, [article(1, OMNIBUS), article(2, OMNIBUS_OTHER_STORY, hours=2)])
    assert len(set(stories_of(engine).values())) == 2


def test_a_copy_outside_the_window_starts_its_own_story(engine: Engine) -> None:
    upsert_articles(engine, [article(1, SHORTLIST)])
    upsert_articles(engine, [article(2, SHORTLIST_SYNDICATED, hours=24 * 4)], StoryOptions(window_days=3))
    upsert_articles(engine, [article(3, SHORTLIST_SYNDICATED, hours=-24 * 2)], StoryOptions(window_days=3))
    story = stories_of(engine)
    assert story["https://news.example/1"] == story["https://news.example/3"] != story["https://news.example/2"]


def test_the_threshold_is_an_option(engine: Engine) -> None:
    upsert_articles(engine, [article(1, SHORTLIST)])
    upsert_articles(engine, [article(2, SHORTLIST_LIGHT_EDIT)], StoryOptions(similarity=0.95))
    assert len(set(stories_of(engine).values())) == 2


def test_re_upserting_keeps_one_story_and_replaces_the_buckets(engine: Engine) -> None:
    upsert_articles(engine, [article(1, SHORTLIST), article(2, SHORTLIST_SYNDICATED, hours=3)])
    before = stories_of(engine)
    upsert_articles(engine, [article(1, SHORTLIST_LIGHT_EDIT)])  # re-extraction: still a near-copy
    upsert_articles(engine, [article(2, SHORTLIST_SYNDICATED, hours=3)])
    assert stories_of(engine) == before and len(set(before.values())) == 1
    assert count(engine, Story) == 1 and count(engine, StoryBucket) == 2 * BANDS


def test_a_story_re_stored_in_one_batch_keeps_its_story(engine: Engine) -> None:
    """What ``newsmon reextract`` does: every member of a story in one batch, the earliest first."""
    upsert_articles(engine, [article(1, SHORTLIST), article(2, SHORTLIST_SYNDICATED, hours=3)])
    before = stories_of(engine)
    upsert_articles(engine, [article(1, SHORTLIST_LIGHT_EDIT), article(2, SHORTLIST_SYNDICATED, hours=3)])
    assert stories_of(engine) == before and count(engine, Story) == 1


def test_an_article_whose_new_body_no_longer_matches_leaves_the_story(engine: Engine) -> None:
    upsert_articles(engine, [article(1, SHORTLIST), article(2, SHORTLIST_SYNDICATED, hours=3)])
    upsert_articles(engine, [article(1, OMNIBUS)])
    story = stories_of(engine)
    assert story["https://news.example/1"] != story["https://news.example/2"]
    upsert_articles(engine, [article(3, SHORTLIST, hours=1)])
    assert stories_of(engine)["https://news.example/3"] == story["https://news.example/2"]


def test_copies_in_one_batch_end_in_one_story(engine: Engine) -> None:
    batch = [article(1, SHORTLIST_SYNDICATED, hours=2), article(2, SHORTLIST), article(3, AI_FACTORIES)]
    upsert_articles(engine, batch)
    assert len(set(stories_of(engine).values())) == 2


def test_a_body_without_signature_has_a_story_of_its_own_and_no_buckets(engine: Engine) -> None:
    brief = "A short brief about AI gigafactories."
    upsert_articles(engine, [article(1, brief), article(2, brief, hours=1)])
    assert len(set(stories_of(engine).values())) == 2 and count(engine, StoryBucket) == 0


def unrelated(first: int, count: int) -> list[ArticleRecord]:
    """Articles whose bodies share no wording: each its own story, as most articles of a crawl."""
    words = [hashlib.sha256(str(n).encode()).hexdigest()[:8] for n in range(first * 200, (first + count) * 200)]
    return [article(first + n, " ".join(words[n * 200 : (n + 1) * 200]), hours=n) for n in range(count)]


def test_a_batch_of_unrelated_articles_is_placed_in_as_many_statements_however_large(engine: Engine) -> None:
    """A crawl's batch is mostly articles that copy nothing: they get their stories in a fixed number of
    statements, not in three (look for candidates, create a story, move the article) each."""
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        upsert_articles(engine, unrelated(0, 5))
        small = len(statements)
        statements.clear()
        upsert_articles(engine, unrelated(100, 40))
        large = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert large == small
    assert len(set(stories_of(engine).values())) == 45 and count(engine, Story) == 45


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = open_database(pg_url)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_copies_stored_at_once_by_two_postgresql_workers_end_in_one_story(pg_engine: Engine) -> None:
    """Both transactions have written their article before either clusters: only the lock keeps them apart."""
    both_written = threading.Barrier(2, timeout=10)

    @event.listens_for(pg_engine, "after_cursor_execute")
    def _wait_for_the_other(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO articles"):
            both_written.wait()

    errors: list[BaseException] = []

    def store(record: ArticleRecord) -> None:
        try:
            upsert_articles(pg_engine, [record])
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    workers = [
        threading.Thread(target=store, args=(article(1, SHORTLIST, source="Brussels Byte"),)),
        threading.Thread(target=store, args=(article(2, SHORTLIST_SYNDICATED, source="Tech Wire", hours=1),)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors
    assert len(set(stories_of(pg_engine).values())) == 1


# --- search --collapse ------------------------------------------------------------------------------


@pytest.fixture
def clustered(tmp_path: Path, database_url: str) -> Path:
    engine = open_database(database_url)
    upsert_articles(
        engine,
        [
            article(1, SHORTLIST, source="Brussels Byte", hours=-2),
            article(2, SHORTLIST_SYNDICATED, source="Tech Wire", hours=1),
            article(3, SHORTLIST_LIGHT_EDIT, source="Compute Courier", hours=3),
            article(4, AI_FACTORIES, source="Brussels Byte", hours=2),
            article(5, OMNIBUS, source="Tech Wire", hours=-1),
        ],
    )
    engine.dispose()
    path = tmp_path / "newsmon.toml"
    path.write_text(f'database_url = "{database_url}"\n', encoding="utf-8")
    return path


def collapsed(config: Path, *args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["--config", str(config), "search", *args, "--collapse", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_collapse_without_query_shows_each_story_once_newest_first(clustered: Path) -> None:
    rows = collapsed(clustered)
    assert [row["url"] for row in rows] == [f"https://news.example/{n}" for n in (1, 4, 5)]
    assert rows[0]["source"] == "Brussels Byte" and rows[0]["also_covered_by"] == ["Tech Wire", "Compute Courier"]
    assert rows[1]["also_covered_by"] == [] and rows[2]["also_covered_by"] == []


def test_collapse_with_a_query_ranks_stories_and_shows_their_first_article(clustered: Path) -> None:
    rows = collapsed(clustered, "Tech Wire Europe")  # only the syndicated copy names the wire
    assert [(row["url"], row["also_covered_by"]) for row in rows] == [
        ("https://news.example/1", ["Tech Wire", "Compute Courier"])
    ]
    assert "[Tech]" in str(rows[0]["snippet"])
    assert [row["url"] for row in collapsed(clustered, "gigafactories", "--limit", "1")] == ["https://news.example/1"]


def test_collapse_filters_choose_stories_and_the_table_lists_the_other_outlets(clustered: Path) -> None:
    assert [row["url"] for row in collapsed(clustered, "--source", "Compute Courier")] == ["https://news.example/1"]
    result = CliRunner().invoke(cli, ["--config", str(clustered), "search", "gigafactories", "--collapse"])
    assert result.exit_code == 0, result.output
    assert "also_covered_by" in result.output and "Tech Wire, Compute Courier" in result.output


@pytest.mark.parametrize("dialect, compiler", [("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect())])
def test_collapsed_search_keeps_user_text_in_bound_parameters(dialect: str, compiler: object) -> None:
    evil = "x'); DROP TABLE articles; --"
    statement = stories_statement(dialect, evil, SearchFilters(source=evil, tags=(evil,)))
    assert "DROP TABLE" not in str(statement.compile(dialect=compiler))  # type: ignore[arg-type]


def test_search_stories_limit_counts_stories(engine: Engine) -> None:
    upsert_articles(engine, [article(n, SHORTLIST_SYNDICATED, hours=n) for n in range(1, 6)] + [article(9, OMNIBUS)])
    hits = search_stories(engine, None, SearchFilters(limit=2))
    assert [hit.url for hit in hits] == ["https://news.example/1", "https://news.example/9"]
