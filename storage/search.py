"""Searching the archive: full-text on SQLite (FTS5) and PostgreSQL (tsvector), with filters.

The statement is built apart from running it (:func:`search_statement` is pure and tested alone).
User text is always a bound parameter. The query language is the one people type into web search
engines, on both backends: words (all must match), ``"exact phrases"``, ``-excluded`` words and ``OR``;
on SQLite a trailing ``*`` also searches by prefix. Anything else (unbalanced quotes, a stray ``AND``,
FTS5 operators such as ``NEAR(`` or ``title:``) is searched as plain words, never a syntax error.

:func:`search_stories` collapses near-duplicates: one hit per story (``storage/stories.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, UTC

from sqlalchemy import Connection, Engine, Select, and_, func, literal_column, select, table, column
from sqlalchemy.sql.elements import ColumnElement

from storage.articles import tags_of, topic_in
from storage.models import ARTICLE_TIME, Article, ArticleTag
from storage.stories import Coverage, story_coverage

SNIPPET_WORDS = 24
SQLITE_TITLE_WEIGHT = 10.0  # bm25 column weights: a title hit counts ten body hits
# ts_rank weights for D, C, B (body), A (title): a title hit counts ten body hits, as on SQLite.
_PG_WEIGHTS = "'{0, 0, 0.1, 1.0}'::float4[]"
_PG_CONFIGS = (
    "simple", "danish", "dutch", "english", "finnish", "french", "german", "hungarian",
    "italian", "norwegian", "portuguese", "romanian", "russian", "spanish", "swedish",
)


class QueryError(ValueError):
    """The query cannot be searched; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class SearchFilters:
    tags: tuple[str, ...] = ()  # an article must carry all of them
    source: str | None = None
    since: date | None = None  # inclusive, on the publication date (fetch date when unknown)
    until: date | None = None  # inclusive
    language: str | None = None
    limit: int = 20


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    url: str
    title: str | None
    source: str
    published_at: datetime | None
    language: str | None
    snippet: str
    tags: list[str] = field(default_factory=list)
    also_covered_by: list[str] = field(default_factory=list)  # other outlets of the story (search_stories only)


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


def fts5_query(query: str) -> str | None:
    """Translate web-search syntax into a safe FTS5 MATCH expression; None when nothing is searchable.

    Every term is emitted as a quoted FTS5 string, so no user text is ever parsed as FTS5 syntax.
    """
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    for negated, phrase, word in _TOKEN.findall(query):
        if word == "OR" and positive:
            pending_or = True
            continue
        if word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        term = _fts5_term(phrase if not word else word, is_phrase=not word)
        if term is None:
            continue
        if negated:
            negative.append(term)
        elif pending_or:
            positive[-1] = f"{positive[-1]} OR {term}"
        else:
            positive.append(term)
        pending_or = False
    if not positive:
        if negative:
            raise QueryError("a search needs at least one word that is not excluded with '-'")
        return None
    expression = " AND ".join(f"({group})" if " OR " in group else group for group in positive)
    return " ".join([expression, *(f"NOT {term}" for term in negative)])


def _fts5_term(text: str, *, is_phrase: bool) -> str | None:
    prefix = not is_phrase and text.endswith("*")
    text = text.replace('"', " ").strip("*").strip() if not is_phrase else text.strip()
    if not re.search(r"\w", text):
        return None
    quoted = '"' + text.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filters(filters: SearchFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.source:
        clauses.append(func.lower(Article.source) == filters.source.lower())
    if filters.language:
        clauses.append(func.lower(Article.language) == filters.language.lower())
    if filters.since:
        clauses.append(ARTICLE_TIME >= _day_start(filters.since))
    if filters.until:
        clauses.append(ARTICLE_TIME < _day_start(filters.until + timedelta(days=1)))
    for topic in filters.tags:
        tagged = select(ArticleTag.article_id).where(topic_in([topic]))
        clauses.append(Article.id.in_(tagged))
    return clauses


def _columns() -> list[ColumnElement[object]]:
    return [Article.id, Article.url, Article.title, Article.source, Article.published_at, Article.language]


def _fallback_snippet() -> ColumnElement[str]:
    return func.coalesce(Article.description, func.substr(Article.text, 1, 200)).label("snippet")


_Ranked = tuple[Select[tuple[object, ...]], tuple[ColumnElement[object], ...]]


def search_statement(dialect: str, query: str | None, filters: SearchFilters) -> Select[tuple[object, ...]]:
    """The SELECT for a search: best match first with a query, newest first without one."""
    statement, order = _matching(dialect, query, filters)
    return statement.order_by(*order).limit(filters.limit)


def stories_statement(dialect: str, query: str | None, filters: SearchFilters) -> Select[tuple[object, ...]]:
    """The SELECT of (story_id, id): each matching story's best hit, best stories first, in search order."""
    statement, order = _matching(dialect, query, filters)
    position = func.row_number().over(order_by=order).label("position")
    ranked = statement.with_only_columns(Article.id, Article.story_id, position).subquery()
    nth = func.row_number().over(partition_by=ranked.c.story_id, order_by=ranked.c.position).label("nth")
    best = select(ranked, nth).subquery()
    return select(best.c.story_id, best.c.id).where(best.c.nth == 1).order_by(best.c.position).limit(filters.limit)


def _matching(dialect: str, query: str | None, filters: SearchFilters) -> _Ranked:
    """The matching articles' hit columns and snippet, and the order that ranks them."""
    if filters.limit < 1:
        raise QueryError("--limit must be at least 1")
    newest = (ARTICLE_TIME.desc(), Article.id.desc())
    match = fts5_query(query) if (query and dialect == "sqlite") else (query or "").strip() or None
    if match is None:
        statement, order = select(*_columns(), _fallback_snippet()), newest
    elif dialect == "sqlite":
        statement, order = _sqlite_match(match)
    elif dialect == "postgresql":
        statement, order = _postgres_match(match)
    else:
        raise QueryError(f"full-text search is not available on {dialect}")
    return statement.where(and_(True, *_filters(filters))), order


def _sqlite_match(match: str) -> _Ranked:
    fts = table("articles_fts", column("rowid"))
    fts_ref = literal_column("articles_fts")
    snippet = func.snippet(fts_ref, -1, "[", "]", "…", SNIPPET_WORDS).label("snippet")
    rank = func.bm25(fts_ref, SQLITE_TITLE_WEIGHT, 1.0)
    statement = select(*_columns(), snippet).join_from(Article, fts, fts.c.rowid == Article.id)
    return statement.where(fts_ref.op("MATCH")(match)), (rank, Article.id.desc())


def _postgres_match(match: str) -> _Ranked:
    """Each article is matched with its own language's configuration (stemming, stop words).

    The OR of every configuration's query is a superset that the GIN index can answer; the exact
    per-article test then filters it (with all configurations OR-ed alone, an Italian stop word such
    as "ai" would vanish from every query).
    """
    any_language = None
    for config in _PG_CONFIGS:
        one = func.websearch_to_tsquery(literal_column(f"'{config}'::regconfig"), match)
        any_language = one if any_language is None else any_language.op("||")(one)
    vector = literal_column("articles.search_vector")
    ts_config = func.newsmon_ts_config(Article.language)
    own_language = func.websearch_to_tsquery(ts_config, match)
    options = f"StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, MaxFragments=1"
    snippet = func.ts_headline(ts_config, Article.text, own_language, options).label("snippet")
    rank = func.ts_rank(literal_column(_PG_WEIGHTS), vector, own_language, 1)
    statement = select(*_columns(), snippet).where(vector.op("@@")(any_language), vector.op("@@")(own_language))
    return statement, (rank.desc(), Article.id.desc())


def search(engine: Engine, query: str | None, filters: SearchFilters = SearchFilters()) -> list[SearchHit]:
    """Run a search; raises QueryError for a query that cannot be searched."""
    with engine.connect() as connection:
        return _hits(connection, search_statement(engine.dialect.name, query, filters))


def search_stories(engine: Engine, query: str | None, filters: SearchFilters = SearchFilters()) -> list[SearchHit]:
    """One hit per story, in search order: the story's first article, with the other outlets that ran it.

    The query and filters choose the stories (any article of a story may match); the snippet is the
    best-matching article's, which is a near-copy of the first one.
    """
    dialect = engine.dialect.name
    with engine.connect() as connection:
        best = connection.execute(stories_statement(dialect, query, filters)).all()
        coverage = story_coverage(connection, [row.story_id for row in best])
        best = [row for row in best if row.story_id in coverage]  # not a story emptied by a re-extraction meanwhile
        first_ids = [coverage[row.story_id].representative for row in best]
        firsts = {hit.id: hit for hit in _hits(connection, _by_id(first_ids))}
        matched = search_statement(dialect, query, filters).where(Article.id.in_([row.id for row in best]))
        snippets = {row.id: _squashed(row.snippet) for row in connection.execute(matched)}
    return [_story_hit(firsts, coverage[row.story_id], snippets.get(row.id)) for row in best]


def _story_hit(firsts: dict[int, SearchHit], coverage: Coverage, snippet: str | None) -> SearchHit:
    first = firsts[coverage.representative]
    return replace(first, snippet=first.snippet if snippet is None else snippet, also_covered_by=coverage.also)


def _by_id(ids: list[int]) -> Select[tuple[object, ...]]:
    return select(*_columns(), _fallback_snippet()).where(Article.id.in_(ids))


def _hits(connection: Connection, statement: Select[tuple[object, ...]]) -> list[SearchHit]:
    rows = connection.execute(statement).all()
    tags = tags_of(connection, [row.id for row in rows])
    return [
        SearchHit(
            id=row.id,
            url=row.url,
            title=row.title,
            source=row.source,
            published_at=row.published_at,
            language=row.language,
            snippet=_squashed(row.snippet),
            tags=sorted(tags[row.id]),
        )
        for row in rows
    ]


def _squashed(snippet: str | None) -> str:
    """A snippet on one line: the database keeps the article's line breaks."""
    return " ".join((snippet or "").split())
