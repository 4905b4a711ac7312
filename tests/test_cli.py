"""The newsmon command line, on both databases: help, init, config, search, stats, retag, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from storage.articles import ArticleRecord, TagRecord, upsert_articles
from storage.db import head_revision, open_database
from storage.runs import SourceFigures, finish_run, start_run

TOPICS = """
[[topics]]
name = "Gigafactory"
keywords = ["gigafactory", "gigafactories"]
context = ["AI", "compute"]
exclude = ["Tesla"]

[[topics]]
name = "Stargate"
keywords = ["Stargate"]
context = ["OpenAI", "SoftBank"]
"""


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "newsmon.toml"
    path.write_text(f'database_url = "{database_url}"\n{TOPICS}', encoding="utf-8")
    return path


def articles() -> list[ArticleRecord]:
    return [
        ArticleRecord(
            url="https://brussels.example/ai-gigafactories",
            source="Brussels Example",
            title="Commission names five AI gigafactories",
            text="The Commission picked five AI gigafactories. Each will hold 100,000 chips for compute.",
            language="en",
            published_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
            tags=[TagRecord("Gigafactory", True, True, 2, "The Commission picked five AI gigafactories.")],
        ),
        ArticleRecord(
            url="https://cars.example/tesla",
            source="Car News",
            title="Tesla's gigafactory adds a shift",
            text="Tesla's gigafactory near Berlin adds a night shift to build more cars.",
            language="en",
            published_at=datetime(2026, 11, 10, 9, tzinfo=UTC),
        ),
        ArticleRecord(
            url="https://us.example/stargate",
            source="US Example",
            title="OpenAI and SoftBank open a Stargate site",
            text="OpenAI and SoftBank opened another Stargate data centre in Texas.",
            language="en",
            published_at=datetime(2026, 11, 15, 9, tzinfo=UTC),
        ),
    ]


@pytest.fixture
def filled(config: Path, database_url: str) -> Path:
    engine = open_database(database_url)
    upsert_articles(engine, articles())
    engine.dispose()
    return config


COMMANDS = ["init", "config", "search", "stats", "retag", "reextract", "crawl", "worker", "extract", "digest", "feed", "schedule"]


def test_the_group_lists_exactly_the_commands_newsmon_has() -> None:
    assert cli.list_commands(click.Context(cli)) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and "newsmon" in result.output


def test_init_creates_the_schema(config: Path) -> None:
    result = run("--config", str(config), "init")
    assert result.exit_code == 0, result.output
    assert f"schema revision {head_revision()}" in result.output


def test_search_upgrades_an_empty_database_on_first_use(config: Path) -> None:
    result = run("--config", str(config), "search", "anything")
    assert result.exit_code == 0, result.output
    assert "no articles match" in result.stderr


def test_search_json_fields_and_ranking(filled: Path) -> None:
    result = run("--config", str(filled), "search", "AI gigafactory", "--format", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert [hit["url"] for hit in hits][:1] == ["https://brussels.example/ai-gigafactories"]
    assert {"url", "title", "source", "published_at", "tags", "snippet"} <= set(hits[0])
    assert hits[0]["tags"] == ["Gigafactory"]
    assert hits[0]["published_at"] == "2026-11-20T09:00:00+00:00"
    assert "[" in hits[0]["snippet"]


def test_search_without_query_is_newest_first_with_filters(filled: Path) -> None:
    def urls(*args: str) -> list[str]:
        result = run("--config", str(filled), "search", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return [hit["url"] for hit in json.loads(result.stdout)]

    assert urls() == ["https://brussels.example/ai-gigafactories", "https://us.example/stargate", "https://cars.example/tesla"]
    assert urls("--tag", "gigafactory") == ["https://brussels.example/ai-gigafactories"]
    assert urls("--source", "Car News") == ["https://cars.example/tesla"]
    assert urls("--since", "2026-11-15", "--until", "2026-11-15") == ["https://us.example/stargate"]
    assert urls("--lang", "de") == []
    assert urls("--limit", "1") == ["https://brussels.example/ai-gigafactories"]


def test_search_table_and_csv(filled: Path) -> None:
    table = run("--config", str(filled), "search", "stargate")
    assert "OpenAI and SoftBank open a Stargate site" in table.output and "published_at" in table.output
    csv_out = run("--config", str(filled), "search", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "published_at,source,title,tags,url,snippet" and len(csv_out) == 4


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "gigafactory AND", "NEAR(", "title:x", "*", '""', "OR", "a -"])
def test_malformed_queries_never_crash(filled: Path, query: str) -> None:
    result = run("--config", str(filled), "search", query, "--format", "json")
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)


def test_only_excluded_words_is_a_one_line_error(filled: Path, database_url: str) -> None:
    result = run("--config", str(filled), "search", "--", "-tesla")
    if database_url.startswith("sqlite"):
        assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "not excluded" in result.stderr
    else:  # PostgreSQL's websearch_to_tsquery accepts it and matches what lacks the word
        assert result.exit_code == 0


@pytest.mark.parametrize("args", [["--since", "2026-13-01"], ["--until", "yesterday"], ["--limit", "0"],
                                  ["--since", "2026-02-01", "--until", "2026-01-01"]])
def test_bad_search_options_are_one_line(filled: Path, args: list[str]) -> None:
    result = run("--config", str(filled), "search", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "Error" in result.stderr


def test_stats(filled: Path, database_url: str) -> None:
    engine = open_database(database_url)
    run_id = start_run(engine)
    finish_run(engine, run_id, "finished", {"Car News": SourceFigures(stored=1, failed=1, errors=["feed x: HTTP 500"])})
    engine.dispose()
    result = run("--config", str(filled), "stats")
    assert result.exit_code == 0, result.output
    assert "Articles per source" in result.output and "Brussels Example" in result.output
    assert "Articles per topic" in result.output and "Gigafactory" in result.output
    assert "Last crawl per source" in result.output and "feed x: HTTP 500" in result.output


def test_retag_applies_current_topics_and_reports_changes(filled: Path) -> None:
    first = run("--config", str(filled), "retag")
    assert first.exit_code == 0, first.output
    # Stored: one Gigafactory tag. Topics tag the Stargate story too, and keep the Tesla trap out.
    assert "retagged 3 articles" in first.output and "1 tags added, 0 removed" in first.output
    again = run("--config", str(filled), "retag")
    assert "0 tags added, 0 removed, 0 updated" in again.output
    text = filled.read_text().replace('keywords = ["Stargate"]', 'keywords = ["Stargate"]\nexclude = ["Texas"]')
    filled.write_text(text)
    assert "0 tags added, 1 removed" in run("--config", str(filled), "retag").output
    stargate = run("--config", str(filled), "search", "--tag", "Stargate", "--format", "json")
    assert json.loads(stargate.stdout) == []


def test_config_command_prints_effective_toml_with_secrets_hidden(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text('database_url = "postgresql://newsmon:hunter2@db.example/news"\n')
    result = run("--config", str(path), "config")
    assert result.exit_code == 0
    assert "hunter2" not in result.output and "***" in result.output
    assert f"from {path}" in result.output and "[[sources]]" in result.output
    keys = run("--config", str(path), "config", "--keys")
    assert "crawl.max_age_days" in keys.output and "topics[].exclude" in keys.output


@pytest.mark.parametrize(
    "config_text, fragment",
    [
        ("[crawl]\nmax_age_days = 'ten'", "crawl.max_age_days: expected an integer"),
        ("nonsense = 1", "nonsense: unknown key"),
        ('database_url = "postgresql://u:pw@127.0.0.1:1/none"', "cannot open database"),
        ('database_url = "sqlite:////no/such/dir/x.db"', "does not exist"),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path: Path, config_text: str, fragment: str) -> None:
    path = tmp_path / "newsmon.toml"
    path.write_text(config_text)
    result = run("--config", str(path), "search", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert fragment in result.stderr and "pw@" not in result.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "missing.toml"), "stats")
    assert result.exit_code == 1 and "config file not found" in result.stderr


def test_unknown_source_for_crawl(config: Path) -> None:
    result = run("--config", str(config), "crawl", "--source", "Nope")
    assert result.exit_code == 1 and "no source named 'Nope'" in result.stderr


def test_the_cli_loads_the_heavy_modules_only_for_the_commands_that_need_them() -> None:
    """Every `newsmon` call (the crawl's waiting parent too) pays for what `import pipeline.cli` loads."""
    heavy = ["trafilatura", "apscheduler.schedulers", "pipeline.digest_render", "pipeline.extract", "redis"]
    script = f"import sys, pipeline.cli; print(sorted(set({heavy!r}) & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
