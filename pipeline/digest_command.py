"""``newsmon digest`` and ``newsmon feed``: thin click commands over pipeline.digest and pipeline.atom.

They live apart from ``pipeline/cli.py``, which loads them only when they run (``LAZY_COMMANDS``),
and take the group's :class:`~pipeline.app.App`. Errors newsmon raises (an unknown digest or topic, a
folder that cannot be written) are turned into one line by the ``newsmon`` group.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.app import App, pass_app
from pipeline.atom import topic_feed
from pipeline.digest import send_digests


@click.command("digest")
@click.option("--name", "names", multiple=True, help="Only this digest (repeatable; default: every digest).")
@click.option("--dry-run", is_flag=True, help="Write previews into --out instead of sending; records nothing.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the dry run's .eml and .html previews (created if missing).",
)
@pass_app
def digest_command(app: App, names: tuple[str, ...], dry_run: bool, out: Path | None) -> None:
    """E-mail each digest's new stories to its recipients.

    Each recipient gets every story once: a story counts as sent only when the mail server accepted
    the message, so a failed run is made up by the next one. With no [[digests]] configured,
    --dry-run previews a digest of every topic addressed to reader@example.org.

    \b
    Examples:
      newsmon digest
      newsmon digest --name "EU AI policy" --dry-run --out previews/
    """
    if dry_run != (out is not None):
        raise click.UsageError("--dry-run and --out go together: newsmon digest --dry-run --out DIR")
    if not dry_run and not app.settings.digests:
        raise click.ClickException(
            "no [[digests]] configured: add one (see newsmon config --keys), or preview with --dry-run --out DIR"
        )
    reports = send_digests(app.settings, app.engine, list(names) or None, dry_run_dir=out)
    for report in reports:
        click.echo(report.describe())
    errors = list(dict.fromkeys(report.error for report in reports if report.error))
    if errors:
        raise click.ClickException("; ".join(errors) + " (nothing recorded for these: the next run sends them)")


@click.command("feed")
@click.option("--tag", required=True, help="The topic, as named in [[topics]].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of to stdout.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest articles to include.")
@pass_app
def feed_command(app: App, tag: str, out: Path | None, limit: int) -> None:
    """Write an Atom feed of the newest articles on a topic, for feed readers.

    \b
    Examples:
      newsmon feed --tag "AI Act" --out /var/www/feeds/ai-act.xml
      newsmon feed --tag Stargate --limit 20 > stargate.atom
    """
    document = topic_feed(app.settings, app.engine, tag, limit)
    if out is None:
        click.echo(document, nl=False)  # bytes go to the binary stream as they are
        return
    try:
        out.write_bytes(document)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"wrote the {tag!r} feed to {out}", err=True)
