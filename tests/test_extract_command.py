"""``newsmon extract``: the library function, each output field, formats, URL choice and bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pipeline.config import load_config
from pipeline.extract import ExtractionOptions
from pipeline.app import App
from pipeline.extract_command import FIELDS, extract_command, extract_files, page_url

PAGES = Path(__file__).parent / "pages"
MANIFEST: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
GOLDEN = "en_boilerplate_blocks.html"  # declares everything: canonical, date, author, description
EXPECTED = MANIFEST[GOLDEN]["expected"]
OPTIONS = ExtractionOptions()
# what the newsmon group hands its commands, here with the bundled defaults whatever the environment
DEFAULT_APP = App(_loaded=load_config(env={}, cwd=PAGES))


def run(*args: str, stdin: bytes | None = None, obj: Any = DEFAULT_APP, env: dict[str, str] | None = None) -> Result:
    """The command as the group runs it; ``obj=None`` runs it alone, reading the config itself."""
    return CliRunner().invoke(extract_command, list(args), input=stdin, obj=obj, env=env, catch_exceptions=False)


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    path = tmp_path / GOLDEN
    path.write_bytes((PAGES / GOLDEN).read_bytes())
    return path


def only(records: Any) -> dict[str, Any]:
    (record,) = list(records)
    return record


# --- every output field ------------------------------------------------------------------------


@pytest.mark.parametrize("field", [field for field in FIELDS if field != "path"])
def test_each_field_is_what_extraction_gives(golden: Path, field: str) -> None:
    record = only(extract_files([str(golden)], MANIFEST[GOLDEN]["url"], OPTIONS))
    assert record[field] == EXPECTED[field]


def test_the_path_is_given_back_as_passed(golden: Path) -> None:
    assert only(extract_files([str(golden)], None, OPTIONS))["path"] == str(golden)


def test_an_object_has_exactly_the_fields() -> None:
    record = only(extract_files([str(PAGES / GOLDEN)], None, OPTIONS))
    assert list(record) == list(FIELDS)


def test_the_url_is_normalized_as_the_archive_stores_it(golden: Path) -> None:
    """The canonical URL wins over --url, and tracking parameters go, as in the crawl."""
    record = only(extract_files([str(golden)], "https://continentalwire.eu/x?utm_source=rss", OPTIONS))
    assert record["url"] == "https://continentalwire.eu/policy/2024/09/18/member-states-back-ai-sandboxes"


# --- which URL stands for the page --------------------------------------------------------------

ARTICLE = (PAGES / "de_von_byline.html").read_text(encoding="utf-8")  # its canonical link is relative
NO_CANONICAL = ARTICLE.replace('<link rel="canonical"', '<link rel="alternate"')


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            (PAGES / GOLDEN).read_text(encoding="utf-8"),
            "https://continentalwire.eu/policy/2024/09/18/member-states-back-ai-sandboxes",
        ),
        (ARTICLE, None),  # relative to a file URL: no web address
        (
            NO_CANONICAL.replace("<head>", '<head><meta property="og:url" content="https://example.eu/a/ki">'),
            "https://example.eu/a/ki",
        ),
        (NO_CANONICAL.replace("<head>", '<head><meta property="og:url" content="/relative/ki">'), None),
        (NO_CANONICAL, None),
    ],
)
def test_page_url_without_url_option(html: str, expected: str | None, tmp_path: Path) -> None:
    path = tmp_path / "saved page.html"
    assert page_url(html, str(path)) == (expected or path.resolve().as_uri())


def test_standard_input_without_canonical_has_a_file_url() -> None:
    assert page_url(NO_CANONICAL, "-") == "file:///dev/stdin"


def test_a_page_without_canonical_keeps_its_file_url(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(NO_CANONICAL, encoding="utf-8")
    record = only(extract_files([str(path)], None, OPTIONS))
    assert record["url"] == path.resolve().as_uri() and record["authors"] == ["Julia Becker", "Markus Lang"]


# --- inputs: gzip, standard input, several files -------------------------------------------------


def test_gzipped_pages_are_read(golden: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "page.html.gz"
    zipped.write_bytes(gzip.compress(golden.read_bytes()))
    assert only(extract_files([str(zipped)], None, OPTIONS))["title"] == EXPECTED["title"]


def test_standard_input(golden: Path) -> None:
    result = run("--format", "jsonl", "-", stdin=golden.read_bytes())
    record = json.loads(result.output)
    assert result.exit_code == 0 and record["path"] == "-" and record["title"] == EXPECTED["title"]


def test_one_object_per_file_in_order(golden: Path) -> None:
    paths = [str(golden), str(PAGES / "fr_latin1.html"), str(golden)]
    assert [record["path"] for record in extract_files(paths, None, OPTIONS)] == paths


# --- bad input: an object with an error, never a traceback ---------------------------------------


ARTICLE_URL = "https://news.example.eu/policy/council-adopts-ai-rules"


@pytest.mark.parametrize(
    ("content", "url", "error"),
    [
        (b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj", ARTICLE_URL, "not HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ARTICLE_URL, "not HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR<html><p>" + b"\x00" * 2000, ARTICLE_URL, "not HTML"),
        (b"\x89PNG\r\n\x1a\n<html>", None, "not HTML"),  # no URL given, none declared: the file's
        (b"", ARTICLE_URL, "not HTML"),
        ((PAGES / "en_listing.html").read_bytes(), MANIFEST["en_listing.html"]["url"], "index page"),
        (b"<html><body><article><p>Just a line.</p></article></body></html>", ARTICLE_URL, "too short"),
        (b"\x1f\x8b\x08\x00 truncated gzip", ARTICLE_URL, "cannot read"),
    ],
)
def test_bad_input_gives_an_error_object(content: bytes, url: str | None, error: str, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(content)
    record = only(extract_files([str(path)], url, OPTIONS))
    assert record["path"] == str(path) and record["error"].startswith(error)
    assert set(record) == {"path", "url", "error"}
    # a file it could read names the URL it stood for; one it could not names none
    assert record["url"] == (None if error == "cannot read" else url or path.resolve().as_uri())


def test_a_missing_file_gives_an_error_object_without_url(tmp_path: Path) -> None:
    record = only(extract_files([str(tmp_path / "missing.html")], None, OPTIONS))
    assert record == {
        "path": str(tmp_path / "missing.html"),
        "url": None,
        "error": "cannot read: No such file or directory",
    }


def test_exit_status_is_0_when_some_file_was_read(golden: Path, tmp_path: Path) -> None:
    result = run("--format", "jsonl", str(tmp_path / "missing.html"), str(golden))
    errors = [json.loads(line).get("error") for line in result.output.splitlines()]
    assert result.exit_code == 0 and errors[0].startswith("cannot read") and errors[1] is None


def test_exit_status_is_0_for_a_page_that_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "listing.html").write_bytes((PAGES / "en_listing.html").read_bytes())
    result = run("--url", MANIFEST["en_listing.html"]["url"], str(tmp_path / "listing.html"))
    assert result.exit_code == 0 and json.loads(result.output)[0]["error"] == "index page"


def test_exit_status_is_1_when_no_file_could_be_read(tmp_path: Path) -> None:
    result = run(str(tmp_path / "a.html"), str(tmp_path / "b.html"))
    assert result.exit_code == 1
    assert [record["url"] for record in json.loads(result.stdout)] == [None, None]
    assert "Error: no file could be read" in result.stderr


def test_no_path_is_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2 and "Missing argument" in result.output


# --- output formats --------------------------------------------------------------------------------


def test_json_is_one_array(golden: Path, tmp_path: Path) -> None:
    records = json.loads(run(str(golden), str(tmp_path / "missing.html")).output)
    assert [record["path"] for record in records] == [str(golden), str(tmp_path / "missing.html")]


def test_jsonl_is_one_object_a_line(golden: Path) -> None:
    lines = run("--format", "jsonl", str(golden), str(golden)).output.splitlines()
    assert [json.loads(line)["title"] for line in lines] == [EXPECTED["title"]] * 2


def test_text_is_readable(golden: Path, tmp_path: Path) -> None:
    output = run("--format", "text", str(golden), str(tmp_path / "missing.html")).output
    assert f"==> {golden} <==\n" in output
    assert f"title: {EXPECTED['title']}\n" in output and "authors: Hannah Ødegaard\n" in output
    assert f"published_at: {EXPECTED['published_at']}\n" in output and "language: en\n" in output
    assert f"\n\n{EXPECTED['text']}\n" in output
    assert f"==> {tmp_path / 'missing.html'} <==\nurl: -\nerror: cannot read" in output


# --- the crawler's options ------------------------------------------------------------------------


def test_the_crawlers_min_text_chars_from_the_group_settings(golden: Path, tmp_path: Path) -> None:
    config = tmp_path / "newsmon.toml"
    config.write_text("[crawl]\nmin_text_chars = 5000\n", encoding="utf-8")
    app = App(config)
    assert json.loads(run(str(golden), obj=app).output)[0]["error"].startswith("too short")


def test_the_crawlers_min_text_chars_from_the_config_file_found_alone(golden: Path, tmp_path: Path) -> None:
    config = tmp_path / "newsmon.toml"
    config.write_text("[crawl]\nmin_text_chars = 5000\n", encoding="utf-8")
    output = run(str(golden), obj=None, env={"NEWSMON_CONFIG": str(config)}).output
    assert json.loads(output)[0]["error"].startswith("too short")


def test_a_broken_config_is_one_line(golden: Path, tmp_path: Path) -> None:
    config = tmp_path / "newsmon.toml"
    config.write_text("[crawl]\nmin_text_chars = 'many'\n", encoding="utf-8")
    result = run(str(golden), obj=None, env={"NEWSMON_CONFIG": str(config)})
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "Traceback" not in result.output


def test_help_shows_an_example() -> None:
    help_text = run("--help").output
    assert any(line.strip().startswith("newsmon extract ") for line in help_text.splitlines())
