"""The ``newsmon`` command: thin click commands over library calls.

Every error a user can cause (config, database, a bad value) ends as one line on stderr and a non-zero
exit status; a traceback is a bug.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable
from dataclasses import astuple
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from pipeline.app import App, pass_app
from pipeline.crawl import EXIT_BROKEN, run_crawl
from pipeline.config import describe_keys, masked, to_toml
from pipeline.errors import NewsmonError
from pipeline.output import render_csv, render_json, render_table
from pipeline.retag import retag_archive
from pipeline.tagging import Tagger
from storage.db import current_revision, display_url
from storage.errors import StorageError
from storage.search import QueryError, SearchFilters, search, search_stories
from storage.runs import RunSummary
from storage.stats import articles_per_source, articles_per_topic, last_crawl_per_source


# Commands in modules of their own, imported when they run: trafilatura, APScheduler, the digest
# renderer and the Redis client add a fifth of a second and 20 MB to every `newsmon` call otherwise,
# `newsmon crawl` included (tests/test_cli.py checks that a plain `import pipeline.cli` loads none).
LAZY_COMMANDS = {
    "digest": "pipeline.digest_command:digest_command",
    "extract": "pipeline.extract_command:extract_command",
    "feed": "pipeline.digest_command:feed_command",
    "schedule": "pipeline.schedule_command:schedule_command",
}


class _Group(click.Group):
    """Turns newsmon's own errors into click's one-line "Error: ..." and exit status 1, and loads
    the LAZY_COMMANDS (click's "lazily loading subcommands" pattern)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (NewsmonError, StorageError, QueryError) as exc:
            raise click.ClickException(str(exc)) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, name = LAZY_COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file (default: $NEWSMON_CONFIG, else ./newsmon.toml, else the bundled default).",
)
@click.version_option(package_name="newsmon")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Monitor news about EU AI policy: crawl, extract, tag, archive, search, digest.

    \b
    Example:
      newsmon --config newsmon.toml search "AI gigafactory" --since 2026-01-01
    """
    app = App(config_path)
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@pass_app
def init(app: App) -> None:
    """Create the database or upgrade it to the current schema.

    Every command does this on first use; run it explicitly when deploying.

    \b
    Example:
      NEWSMON_DATABASE_URL=postgresql+psycopg://newsmon@db/newsmon newsmon init
    """
    revision = current_revision(app.engine)
    click.echo(f"database {display_url(app.settings.database_url)} is at schema revision {revision}")


@cli.command("config")
@click.option("--keys", is_flag=True, help="List every key with its default and meaning instead.")
@pass_app
def config_command(app: App, keys: bool) -> None:
    """Print the effective configuration (secrets hidden) as TOML.

    \b
    Example:
      newsmon --config my.toml config > effective.toml
    """
    if keys:
        click.echo(render_table(["key", "default", "meaning"], describe_keys()))
        return
    origin = app.loaded.path or "the bundled default"
    click.echo(f"# effective configuration, from {origin}")
    click.echo(to_toml(masked(app.settings)), nl=False)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-31") from None


SEARCH_FIELDS = ["published_at", "source", "title", "tags", "url", "snippet"]


@cli.command("search")
@click.argument("query", required=False)
@click.option("--tag", "tags", multiple=True, help="Only articles with this topic (repeat: all of them).")
@click.option("--source", help="Only articles from this source.")
@click.option("--since", callback=_day, help="Published on or after this day (YYYY-MM-DD).")
@click.option("--until", callback=_day, help="Published on or before this day (YYYY-MM-DD).")
@click.option("--lang", help="Only articles in this language (two letters, e.g. de).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Rows to show.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option(
    "--collapse",
    is_flag=True,
    help="One row per story: its first article, with the other outlets that ran a copy (also_covered_by).",
)
@pass_app
def search_command(
    app: App,
    query: str | None,
    tags: tuple[str, ...],
    source: str | None,
    since: date | None,
    until: date | None,
    lang: str | None,
    limit: int,
    fmt: str,
    collapse: bool,
) -> None:
    """Search the archive: best match first with QUERY, newest first without.

    QUERY uses web-search syntax: words (all must appear), "exact phrases", -excluded words, OR.

    \b
    Examples:
      newsmon search "AI gigafactory" --since 2026-01-01
      newsmon search --tag Stargate --format json --limit 50
      newsmon search 'gigafactor* -tesla' --lang de --format csv > results.csv
      newsmon search --collapse --since 2026-03-01
    """
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}", param_hint="--since/--until")
    filters = SearchFilters(tags=tags, source=source, since=since, until=until, language=lang, limit=limit)
    hits = (search_stories if collapse else search)(app.engine, query, filters)
    records = [
        {
            "url": hit.url,
            "title": hit.title,
            "source": hit.source,
            "published_at": hit.published_at,
            "language": hit.language,
            "tags": hit.tags,
            "snippet": hit.snippet,
            **({"also_covered_by": hit.also_covered_by} if collapse else {}),
        }
        for hit in hits
    ]
    fields = (SEARCH_FIELDS[:2] + ["also_covered_by"] + SEARCH_FIELDS[2:]) if collapse else SEARCH_FIELDS
    _print_records(fmt, records, fields, empty="no articles match")


def _print_records(fmt: str, records: list[dict[str, Any]], fields: list[str], empty: str) -> None:
    if fmt == "json":
        click.echo(render_json(records))
    elif fmt == "csv":
        click.echo(render_csv(fields, records), nl=False)
    elif not records:
        click.echo(empty, err=True)
    else:
        click.echo(render_table(fields, [[record[key] for key in fields] for record in records]))


@cli.command()
@pass_app
def stats(app: App) -> None:
    """Show articles per source and per topic, and each source's last crawl.

    \b
    Example:
      newsmon stats
    """
    engine = app.engine
    sections: list[tuple[str, list[str], Callable[[], list[Any]]]] = [
        ("Articles per source", ["source", "articles", "newest"], lambda: articles_per_source(engine)),
        ("Articles per topic", ["topic", "articles"], lambda: articles_per_topic(engine)),
        (
            "Last crawl per source",
            ["source", "run", "started", "outcome", "stored", "dropped", "failed", "error"],
            lambda: last_crawl_per_source(engine),
        ),
    ]
    for index, (title, headers, rows) in enumerate(sections):
        values = [astuple(row) for row in rows()]
        click.echo(("\n" if index else "") + title)
        click.echo(render_table(headers, values) if values else "(none yet)")


@cli.command()
@pass_app
def retag(app: App) -> None:
    """Re-apply the configured topics to every stored article (no network).

    Run it after editing [[topics]]; it reports how many tags were added and removed.

    \b
    Example:
      newsmon --config newsmon.toml retag
    """
    started = datetime.now()
    result = retag_archive(app.engine, Tagger(app.settings.topics))
    seconds = (datetime.now() - started).total_seconds()
    click.echo(
        f"retagged {result.articles} articles in {seconds:.1f}s: "
        f"{result.added} tags added, {result.removed} removed, {result.updated} updated"
    )


@cli.command()
@pass_app
def reextract(app: App) -> None:
    """Re-run extraction and tagging over every stored page (no network).

    Run it after upgrading newsmon or changing extraction settings; articles keep their URLs.

    \b
    Example:
      newsmon --config newsmon.toml reextract
    """
    from pipeline.reextract import reextract_archive  # here, as LAZY_COMMANDS: it loads trafilatura

    started = datetime.now()
    result = reextract_archive(app.engine, app.settings)
    seconds = (datetime.now() - started).total_seconds()
    click.echo(
        f"re-extracted {result.articles} articles in {seconds:.1f}s: {result.updated} updated, "
        f"{result.kept} kept as stored (no article found any more)"
    )


CRAWL_COLUMNS = ["source", "feeds read", "unchanged", "links", "known", "fetched", "stored", "dropped", "failed"]


@cli.command()
@click.option("--source", "sources", multiple=True, help="Crawl only this source (repeatable; default: all).")
@click.option("--time-limit", type=click.FloatRange(min=1), help="Stop the crawl after this many seconds.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO")
@click.option("--wait", is_flag=True, help="Distributed mode: wait until the workers drained the frontier.")
@pass_app
def crawl(app: App, sources: tuple[str, ...], time_limit: float | None, log_level: str, wait: bool) -> None:
    """Crawl the configured sources' feeds and sitemaps and store new articles.

    Only articles not yet in the archive are requested. Ends with a table per source. With
    [cluster] redis_url set, the feeds and sitemaps are put on the shared frontier for `newsmon worker`
    processes instead; --wait then waits for them and prints the same table.

    \b
    Examples:
      newsmon crawl
      newsmon crawl --source Euractiv --source "Tech.eu" --time-limit 1800
      newsmon --config cluster.toml crawl --wait
    """
    for name in sources:
        app.settings.source(name)  # an unknown name stops here, with the list of known ones
    if app.settings.cluster.redis_url:
        from pipeline.frontier import seed_crawl  # here, as LAZY_COMMANDS: it loads the Redis client

        seeded = seed_crawl(app.engine, app.settings, list(sources), wait=wait, timeout=time_limit or 6 * 3600)
        click.echo(f"crawl run {seeded.run_id}: {seeded.seeded} feeds and sitemaps put on the frontier")
        if seeded.run is not None:
            click.echo(render_crawl_report(seeded.run))
        return
    outcome = run_crawl(app.engine, app.loaded.path, list(sources), time_limit=time_limit, log_level=log_level)
    if outcome.exit_code == EXIT_BROKEN:
        raise click.ClickException(outcome.run.message or "the crawl could not start")
    click.echo(render_crawl_report(outcome.run))


@cli.command()
@click.option("--idle-exit", type=click.FloatRange(min=0), default=0, help="Exit after this many idle seconds (0: never).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO")
@pass_app
def worker(app: App, idle_exit: float, log_level: str) -> None:
    """Run a crawl worker on the shared Redis frontier (scale-out), until stopped.

    Needs [cluster] redis_url and a PostgreSQL database_url. Start as many as you like, on as many
    machines; `newsmon crawl` (or the scheduler) seeds the frontier they share.

    \b
    Example:
      NEWSMON_CONFIG=/etc/newsmon.toml newsmon worker
    """
    if not app.settings.cluster.redis_url:
        raise click.ClickException("newsmon worker needs [cluster] redis_url in the config")
    from pipeline.frontier import exec_worker  # here, as LAZY_COMMANDS: it loads the Redis client

    exec_worker(app.loaded.path, idle_exit=idle_exit, log_level=log_level)


def render_crawl_report(run: RunSummary) -> str:
    """The closing table of a crawl, then one line per source error."""
    rows = [
        [name, f.feeds_read, f.not_modified, f.links_found, f.skipped_known, f.fetched, f.stored,
         _dropped_cell(f.dropped, f.drop_reasons), f.failed]
        for name, f in run.figures.items()
    ]
    lines = [f"crawl run {run.id}: {run.status}" + (f" ({run.message})" if run.message and run.status != "finished" else "")]
    lines.append(render_table(CRAWL_COLUMNS, rows) if rows else "(no source was crawled)")
    errors = [f"  {name}: {error}" for name, f in run.figures.items() for error in f.errors[:3]]
    if errors:
        lines += ["", "errors:", *errors]
    return "\n".join(lines)


def _dropped_cell(count: int, reasons: dict[str, int]) -> str:
    if not reasons:
        return str(count)
    detail = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items(), key=lambda item: -item[1]))
    return f"{count} ({detail})"


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="newsmon")
    finally:
        gc.freeze()  # no last garbage collections over every loaded object at exit: see crawler/__main__.py
