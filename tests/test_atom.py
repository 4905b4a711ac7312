"""The Atom feed of a topic: well-formed whatever articles contain, newest first, read back with feedparser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from pipeline.atom import render_atom
from pipeline.cli import cli
from pipeline.config import to_toml
from storage.articles import ArticleRecord, TagRecord, upsert_articles
from storage.digests import TopicArticle


NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TOPICS = [{"name": "AI Act", "keywords": ["AI Act"]}, {"name": "Stargate", "keywords": ["Stargate"]}]


def topic_article(n: int, **changes: object) -> TopicArticle:
    fields: dict[str, object] = {
        "id": n,
        "url": f"https://news.example/{n}",
        "title": f"AI Act story {n}",
        "source": "Brussels Byte",
        "published_at": NOW - timedelta(hours=n),
        "fetched_at": NOW,
        "description": None,
        "sentence": f"The AI Act, sentence {n}.",
    }
    fields.update(changes)
    return TopicArticle(**fields)  # type: ignore[arg-type]


def test_feed_is_atom_that_feed_readers_parse() -> None:
    document = render_atom("AI Act", [topic_article(1), topic_article(2, description="A summary.")], NOW)
    feed = feedparser.parse(document)

    assert not feed.bozo and feed.version == "atom10"
    assert feed.feed.title == "newsmon: AI Act" and feed.feed.id == "tag:newsmon,2025:topic/AI%20Act"
    assert feed.feed.updated == "2026-11-27T11:00:00Z"  # the newest entry
    first, second = feed.entries
    assert (first.id, first.link, first.title) == ("https://news.example/1", "https://news.example/1", "AI Act story 1")
    assert first.published == "2026-11-27T11:00:00Z" and first.author == "Brussels Byte"
    assert first.summary == "The AI Act, sentence 1." and second.summary == "A summary."
    assert [tag.term for tag in first.tags] == ["AI Act"]


def test_article_text_is_escaped_and_control_characters_dropped() -> None:
    hostile = topic_article(1, title='<script>alert("x")</script> & co\x00\x1b', source="A & B <Media>",
                            sentence="Broken \x0c page </summary><entry>")
    document = render_atom("AI Act", [hostile], NOW)

    ElementTree.fromstring(document)  # well-formed, or this raises
    assert b"<script" not in document and b"&lt;script&gt;" in document
    entry = feedparser.parse(document).entries[0]
    assert entry.author == "A & B <Media>" and "</summary><entry>" in entry.summary


def test_an_empty_feed_is_still_valid() -> None:
    feed = feedparser.parse(render_atom("Stargate", [], NOW))
    assert not feed.bozo and feed.entries == [] and feed.feed.updated == "2026-11-27T12:00:00Z"


def test_undated_articles_use_their_fetch_date() -> None:
    entry = feedparser.parse(render_atom("AI Act", [topic_article(1, published_at=None)], NOW)).entries[0]
    assert "published" not in entry and entry.updated == "2026-11-27T12:00:00Z"


# --- newsmon feed, on both databases -------------------------------------------------------------------


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def record(n: int, topic: str, hours_ago: float | None) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://news.example/{topic.lower().replace(' ', '-')}/{n}",
        source="Brussels Byte",
        title=f"{topic} story {n}",
        text=f"A story about the {topic}. " * 5,
        published_at=None if hours_ago is None else NOW - timedelta(hours=hours_ago),
        fetched_at=NOW - timedelta(hours=48),
        tags=[TagRecord(topic, True, True, 1, f"The {topic} sentence {n}.")],
    )


@pytest.fixture
def config(engine: Engine, tmp_path: Path) -> Path:
    upsert_articles(engine, [record(1, "AI Act", 5), record(2, "AI Act", 1), record(3, "AI Act", None),
                             record(4, "Stargate", 0)])
    path = tmp_path / "newsmon.toml"
    path.write_text(to_toml({"database_url": engine.url.render_as_string(hide_password=False), "topics": TOPICS}))
    return path


def test_feed_command_writes_newest_first_to_stdout(config: Path) -> None:
    result = run("--config", str(config), "feed", "--tag", "ai act")
    assert result.exit_code == 0, result.output

    feed = feedparser.parse(result.stdout_bytes)
    assert not feed.bozo and feed.feed.title == "newsmon: AI Act"
    assert [entry.title for entry in feed.entries] == ["AI Act story 2", "AI Act story 1", "AI Act story 3"]


def test_feed_command_writes_a_file_with_a_limit(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "ai-act.xml"
    result = run("--config", str(config), "feed", "--tag", "AI Act", "--out", str(out), "--limit", "1")

    assert result.exit_code == 0, result.output
    assert [entry.title for entry in feedparser.parse(out.read_bytes()).entries] == ["AI Act story 2"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--tag", "Nope"], "Error: no topic named 'Nope'; configured topics: AI Act, Stargate\n"),
        (["--tag", "AI Act", "--out", "/nonexistent-dir/feed.xml"], "Error: cannot write /nonexistent-dir/feed.xml: "),
    ],
)
def test_feed_command_errors_are_one_line(config: Path, args: list[str], message: str) -> None:
    result = run("--config", str(config), "feed", *args)
    assert result.exit_code == 1 and result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
