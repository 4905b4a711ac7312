"""The README stays true: every command and every bundled source is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from pipeline.cli import cli
from pipeline.config import load_config

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", cli.list_commands(click.Context(cli)))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"^\| `newsmon {command}\b", README, re.MULTILINE), f"add `newsmon {command}` to the README table"


def test_every_bundled_source_is_in_the_sources_table(tmp_path: Path) -> None:
    for source in load_config(env={}, cwd=tmp_path).settings.sources:
        name = source.name.replace("|", "\\|")
        rows = [line for line in README.splitlines() if line.startswith(f"| {name} |")]
        assert rows, f"source {source.name!r} is missing from the README's sources table"
        for url in [*source.feeds, *source.sitemaps]:
            assert url in rows[0], f"{source.name}: {url} is not in its README row"


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
