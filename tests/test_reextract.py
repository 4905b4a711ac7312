"""``newsmon reextract``'s promises beyond the happy path, and the worker's guard around extraction."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import pipeline.ingest
import pipeline.extraction_pool
from pipeline.config import load_config
from pipeline.extract import ExtractionOptions
from pipeline.ingest import process_page
from pipeline.pages import Dropped, Page
from pipeline.reextract import reextract_archive
from pipeline.tagging import Tagger
from storage.articles import ArticleRecord, upsert_articles
from storage.models import Article
from storage.records import compress_html

PAGES = Path(__file__).parent / "pages"
GOLDEN = (PAGES / "en_boilerplate_blocks.html").read_bytes()  # declares a canonical URL of its own


def stored(engine) -> dict[str, tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return {row.url: (row.title, row.text) for row in connection.execute(select(Article.url, Article.title, Article.text))}


def test_reextract_keeps_identities_and_never_loses_an_article(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    upsert_articles(engine, [
        ArticleRecord(url="https://mirror.example.org/a", source="S", title="Old title", text="old text " * 60,
                      html_gz=compress_html(GOLDEN)),
        ArticleRecord(url="https://mirror.example.org/b", source="S", title="Kept", text="kept text " * 60,
                      html_gz=compress_html(b"<html><body><p>Page gone, nothing left here.</p></body></html>")),
    ])
    result = reextract_archive(engine, load_config(env={}, cwd=tmp_path).settings)
    rows = stored(engine)
    assert (result.articles, result.updated, result.kept) == (2, 1, 1)
    assert set(rows) == {"https://mirror.example.org/a", "https://mirror.example.org/b"}  # not the declared canonical
    assert rows["https://mirror.example.org/a"][0] != "Old title"
    assert rows["https://mirror.example.org/b"] == ("Kept", "kept text " * 60)  # no article found: left as stored


def test_an_extraction_that_raises_is_a_drop_with_its_cause(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RecursionError("too deep")

    monkeypatch.setattr(pipeline.ingest, "extract_article", broken)
    page = Page(url="https://news.example.eu/a", source="S", body=GOLDEN, content_type="text/html")
    dropped = pipeline.extraction_pool._extract(page, Tagger([]), ExtractionOptions())  # what a worker runs
    assert dropped == Dropped(page.url, "S", "extraction error (RecursionError)")


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"%PDF-1.7", "application/pdf; qs=1", "not HTML (application/pdf)"),
        # served as HTML, yet an image: its signature says so whatever the charset decodes it to
        (b"\x89PNG\r\n\x1a\n<html><p>" + bytes(range(256)) * 8, "text/html; charset=utf-8", "not HTML"),
        (b"\x89PNG\r\n\x1a\n<html><p>" + bytes(range(256)) * 8, "text/html; charset=windows-1252", "not HTML"),
    ],
)
def test_a_page_that_is_not_html_is_dropped_with_its_type(body: bytes, content_type: str, reason: str) -> None:
    page = Page(url="https://news.example.eu/a", source="S", body=body, content_type=content_type)
    assert process_page(page, Tagger([]), ExtractionOptions()) == Dropped(page.url, "S", reason)
