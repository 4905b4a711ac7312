"""Full-text search: the query translation (pure), and searches on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from storage.articles import ArticleRecord, TagRecord, upsert_articles
from storage.search import QueryError, SearchFilters, fts5_query, search, search_statement, search_stories


@pytest.mark.parametrize(
    "query, expected",
    [
        ("gigafactory", '"gigafactory"'),
        ("AI gigafactory", '"AI" AND "gigafactory"'),
        ('"AI Act" fines', '"AI Act" AND "fines"'),
        ("tesla OR openai", '("tesla" OR "openai")'),
        ("eu tesla OR openai", '"eu" AND ("tesla" OR "openai")'),
        ("gigafactory -tesla", '"gigafactory" NOT "tesla"'),
        ('gigafactory -"battery plant"', '"gigafactory" NOT "battery plant"'),
        ("gigafact*", '"gigafact"*'),
        ('"unbalanced quote', '"unbalanced" AND "quote"'),
        ("AND", '"AND"'),
        ("OR gigafactory", '"OR" AND "gigafactory"'),
        ("NEAR(a b)", '"NEAR(a" AND "b)"'),
        ("title:x", '"title:x"'),
        ('say "hi"there', '"say" AND "hi" AND "there"'),
        ("", None),
        ("*  -  \"\"", None),
    ],
)
def test_fts5_query_translation(query: str, expected: str | None) -> None:
    assert fts5_query(query) == expected


def test_only_negative_terms_is_an_error() -> None:
    with pytest.raises(QueryError, match="at least one word"):
        fts5_query("-tesla")


@pytest.mark.parametrize("dialect, compiler", [("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect())])
def test_user_text_is_always_a_bound_parameter(dialect: str, compiler: object) -> None:
    evil = "x'); DROP TABLE articles; --"
    statement = search_statement(dialect, evil, SearchFilters(source=evil, tags=(evil,), language=evil))
    compiled = statement.compile(dialect=compiler)  # type: ignore[arg-type]
    assert "DROP TABLE" not in str(compiled)
    assert any("DROP" in str(value) for value in compiled.params.values())


def test_limit_must_be_positive() -> None:
    with pytest.raises(QueryError):
        search_statement("sqlite", None, SearchFilters(limit=0))


def store(engine, *records: ArticleRecord) -> None:  # type: ignore[no-untyped-def]
    upsert_articles(engine, list(records))


def article(n: int, title: str, text: str, language: str = "en", day: int = 1) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://example.org/{n}", source="S", title=title, text=text, language=language,
        published_at=datetime(2026, 10, day, tzinfo=UTC),
    )


def test_title_hits_rank_above_body_hits(engine) -> None:  # type: ignore[no-untyped-def]
    store(
        engine,
        article(1, "Budget talks resume", "Negotiators mention the gigafactory plan once, among many other things. " * 3),
        article(2, "Gigafactory plan approved", "Ministers approved the plan on Tuesday after long talks. " * 3),
    )
    assert [hit.url for hit in search(engine, "gigafactory")] == ["https://example.org/2", "https://example.org/1"]


def test_stemming_finds_inflected_forms(engine) -> None:  # type: ignore[no-untyped-def]
    store(engine, article(1, "Five gigafactories chosen", "The sites were chosen.", day=2))
    assert [hit.url for hit in search(engine, "gigafactory")] == ["https://example.org/1"]


def test_german_article_found_by_german_word_form(engine) -> None:  # type: ignore[no-untyped-def]
    store(engine, article(1, "Neue Rechenzentren geplant", "Die Kommission plant neue Rechenzentren.", "de"))
    assert len(search(engine, "Rechenzentren")) == 1


def test_snippet_marks_the_match(engine) -> None:  # type: ignore[no-untyped-def]
    store(engine, article(1, "Quiet day", "Nothing happened\nuntil the ministers\ndiscussed quantum sensors\nat noon."))
    (hit,) = search(engine, "quantum")
    (story,) = search_stories(engine, "quantum")
    for snippet in (hit.snippet, story.snippet):
        assert "[quantum]" in snippet.lower() and "\n" not in snippet  # one line in the results table


def test_phrases_and_exclusions(engine) -> None:  # type: ignore[no-untyped-def]
    store(
        engine,
        article(1, "AI Act enters into force", "The AI Act applies from August."),
        article(2, "Act on AI chips", "A new act on chips and AI."),
    )
    assert [hit.url for hit in search(engine, '"AI Act"')] == ["https://example.org/1"]
    assert [hit.url for hit in search(engine, "act -chips")] == ["https://example.org/1"]
    assert {hit.url for hit in search(engine, "august OR chips")} == {"https://example.org/1", "https://example.org/2"}


def test_tag_filter_finds_a_non_ascii_topic_name_as_spelled(engine) -> None:  # type: ignore[no-untyped-def]
    """SQLite's lower() folds ASCII only: "Über KI" must still be found as spelled, as the digests
    find it (and PostgreSQL folds the rest)."""
    tagged = replace(article(1, "KI-Rechenzentren", "Die Kommission plant neue Rechenzentren. " * 3),
                     tags=[TagRecord("Über KI", in_title=True, in_body=False, hits=1, sentence="KI-Rechenzentren")])
    store(engine, tagged, article(2, "Anderes", "Etwas anderes. " * 3))
    assert [hit.url for hit in search(engine, None, SearchFilters(tags=("Über KI",)))] == ["https://example.org/1"]
    assert [hit.url for hit in search(engine, None, SearchFilters(tags=("über ki",)))] == ["https://example.org/1"] * (
        engine.dialect.name == "postgresql"
    )
