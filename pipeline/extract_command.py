"""``newsmon extract``: what newsmon makes of local HTML files, by the crawler's own code path.

It lives apart from ``pipeline/cli.py``, which loads it only when it runs. The work is
done by :func:`extract_files`, which tests and ``benchmarks/extraction_quality.py`` call directly.
Each page goes through what :func:`pipeline.ingest.process_page` does to a fetched page:
:func:`~pipeline.extract.decode_html`, then :func:`~pipeline.extract.extract_article` with the
crawler's :class:`~pipeline.extract.ExtractionOptions` (``min_text_chars`` from the config), and
the URL comes out normalized as the archive stores it. So what users see is what the crawler stores.

The page's URL matters to extraction (a relative canonical link, a date in the path, the outlet's
host name in a title suffix). ``--url`` gives it; without it, the URL the page declares
(``<link rel=canonical>``, else ``og:url``) stands in for the URL it was fetched from, and a page that
declares none gets its file's ``file://`` URL (``file:///dev/stdin`` for standard input).
"""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import click

from pipeline.app import App, pass_app
from pipeline.errors import ConfigError
from pipeline.extract import (
    Article,
    ExtractionOptions,
    NotAnArticle,
    decode_html,
    extract_article,
    extraction_options,
    parse_html,
)
from pipeline.extract_declared import read_declared
from pipeline.extract_metadata import canonical_url
from pipeline.urls import normalize_url

__all__ = ["FIELDS", "STDIN", "extract_command", "extract_files", "extract_page", "page_url", "render_text"]

FIELDS = ("path", "url", "title", "text", "authors", "published_at", "language", "description")
STDIN = "-"
_STDIN_URL = "file:///dev/stdin"
_GZIP_MAGIC = b"\x1f\x8b"


def extract_files(
    paths: Iterable[str], url: str | None, options: ExtractionOptions, stdin: BinaryIO | None = None
) -> Iterator[dict[str, Any]]:
    """One object per path, with the :data:`FIELDS`, or with ``path``, ``url`` and ``error``.

    ``url`` is None only in the object of a file that could not be read; ``"-"`` reads ``stdin``.
    """
    for path in paths:
        try:
            body = read_page(path, stdin)
        except (OSError, EOFError, zlib.error) as exc:
            yield {"path": path, "url": None, "error": f"cannot read: {_reason(exc)}"}
            continue
        yield extract_page(body, path, url, options)


def read_page(path: str, stdin: BinaryIO | None = None) -> bytes:
    """The bytes of a file or of standard input, gunzipped when they are gzip data (by content, not name)."""
    if path == STDIN:
        data = (stdin or sys.stdin.buffer).read()
    else:
        data = Path(path).read_bytes()
    return gzip.decompress(data) if data.startswith(_GZIP_MAGIC) else data


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def extract_page(body: bytes, path: str, url: str | None, options: ExtractionOptions) -> dict[str, Any]:
    """The object for one page's bytes: what the crawler would store, or why it would store nothing."""
    fetched_from = url
    try:
        html = decode_html(body)
        fetched_from = url or page_url(html, path)
        article = extract_article(html, fetched_from, options)
    except NotAnArticle as exc:
        return {"path": path, "url": fetched_from or file_url(path), "error": exc.reason}
    return _record(path, article)


def _record(path: str, article: Article) -> dict[str, Any]:
    return {
        "path": path,
        "url": _archive_url(article.url),
        "title": article.title,
        "text": article.text,
        "authors": list(article.authors),
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
        "description": article.description,
    }


def _archive_url(url: str) -> str:
    """The URL as the archive stores it; a file:// URL as it is, since the crawler never sees one."""
    try:
        return normalize_url(url)
    except ValueError:
        return url


def file_url(path: str) -> str:
    """The URL of a file given on the command line (``file:///dev/stdin`` for standard input)."""
    return _STDIN_URL if path == STDIN else Path(path).resolve().as_uri()


def page_url(html: str, path: str) -> str:
    """The URL the page declares for itself (canonical link, else og:url), else the file's URL."""
    fallback = file_url(path)
    tree = parse_html(html)
    if tree is None:
        return fallback
    canonical = canonical_url(tree, fallback)
    declared = read_declared(tree).meta.get("og:url", "")
    if canonical == fallback and urlsplit(declared).scheme in ("http", "https"):
        return declared
    return canonical


# --- the command -------------------------------------------------------------------------------


def crawler_options(app: App) -> ExtractionOptions:
    """The options the crawler extracts with: from the group's config, or (the command run alone) the
    config found the usual way ($NEWSMON_CONFIG, ./newsmon.toml, the bundled default)."""
    try:
        return extraction_options(app.settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--url", help="The URL the pages were fetched from (default: the URL each page declares).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "text"]),
    default="json",
    show_default=True,
    help="A JSON array, one JSON object a line, or readable text.",
)
@pass_app
def extract_command(app: App, paths: tuple[str, ...], url: str | None, fmt: str) -> None:
    """Show what newsmon extracts from saved pages (.html or .html.gz; "-" reads standard input).

    Each page goes through the crawler's own extraction and gives one object with path, url, title,
    text, authors, published_at, language and description, or with an error saying why the crawler
    would store nothing (not HTML, no article, index page, too short, unreadable file). Without
    --url, a page's own canonical link or og:url stands in for the URL it was fetched from. The exit
    status is 0 when at least one file could be read, 1 when none could.

    \b
    Examples:
      newsmon extract saved/ai-act-vote.html
      curl -s https://example.eu/news/ai-act | newsmon extract --url https://example.eu/news/ai-act -
      newsmon extract --format jsonl pages/*.html.gz > extracted.jsonl
    """
    records = []
    for record in extract_files(paths, url, crawler_options(app)):
        records.append(record)
        if fmt != "json":  # stream: a long run shows progress, and a pipe gets lines as they come
            click.echo(json.dumps(record, ensure_ascii=False) if fmt == "jsonl" else render_text(record))
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    if all(record["url"] is None for record in records):
        raise click.ClickException("no file could be read")


def render_text(record: dict[str, Any]) -> str:
    """A record for reading: a line per field, then the article's text or the error."""
    lines = [f"==> {record['path']} <=="]
    lines += [f"{field}: {_readable(record[field])}" for field in FIELDS[1:] if field != "text" and field in record]
    lines += [f"error: {record['error']}"] if "error" in record else ["", record["text"]]
    return "\n".join(lines) + "\n"


def _readable(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "-"
    return str(value) if value else "-"
