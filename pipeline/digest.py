"""E-mail digests: per digest and recipient, the stories not sent yet, rendered and mailed.

Delivery is exactly-once in practice. Each recipient gets a message of their own, and its stories are
recorded as sent (``storage.digests.record_deliveries``) only after the mail server accepted that
message. A server that is down, refuses the login or refuses a recipient leaves nothing recorded for
the recipients it failed, so the next run sends those stories again; other recipients are not held up.
The one gap left is a crash between the server's acceptance and the database write: the recipient
then gets those stories twice, never zero times.

With no ``[[digests]]`` configured, a dry run previews :data:`PREVIEW_DIGEST` (every topic, to a
placeholder address), so a fresh archive (``make demo``) has a digest to look at.

Two runs never send one digest at the same time (the scheduler's and one typed at a terminal, on this
machine or, with PostgreSQL, another): each digest is sent under a lock of its own, and a run that finds
it taken reports its recipients as failed, naming the holder, instead of mailing them twice.

The SMTP password is read from the environment variable ``smtp.password_env`` at connection time; it
is never logged, printed or put in an error message.
"""

from __future__ import annotations

import contextlib

import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Literal

from sqlalchemy import Engine

from pipeline.config import DigestSettings, Settings, SmtpSettings, named
from pipeline.digest_render import compose_message
from pipeline.errors import Locked, NewsmonError, UsageError
from pipeline.locks import exclusive
from storage.digests import StoryItem, TopicStories, last_delivery, new_stories, record_deliveries
from storage.records import utcnow


PREVIEW_DIGEST = DigestSettings(name="All topics", recipients=["reader@example.org"], send_empty=True)


class MailError(NewsmonError):
    """The mail server is unreachable, refused the login, or refused a message; one line naming host:port."""


@dataclass(frozen=True, slots=True)
class Digest:
    """What one recipient gets: the new stories per topic since ``since``."""

    name: str
    recipient: str
    since: datetime
    sections: tuple[TopicStories, ...]

    @property
    def stories(self) -> list[StoryItem]:
        return [item for section in self.sections for item in section.stories]


Status = Literal["sent", "skipped", "failed", "previewed"]


@dataclass(frozen=True, slots=True)
class DigestReport:
    """The outcome for one recipient of one digest. ``skipped``: nothing new and send_empty is off."""

    digest: str
    recipient: str
    stories: int
    status: Status
    error: str | None = None
    preview: Path | None = None  # the .html a dry run wrote (the .eml lies beside it)

    def describe(self) -> str:
        """One line, for the terminal and the scheduler's log."""
        stories = f"{self.stories} {'story' if self.stories == 1 else 'stories'}"
        where = f"{self.digest!r} to {self.recipient}"
        if self.status == "previewed":
            return f"preview of {where} ({stories}): {self.preview} (and .eml)"
        if self.status == "skipped":
            return f"skipped {where}: nothing new"
        if self.status == "failed":
            return f"NOT sent {where} ({stories}): {self.error}"
        return f"sent {where}: {stories}"


def digest_topics(settings: Settings, digest: DigestSettings) -> list[str]:
    """The digest's topics spelled as configured; an empty list means every configured topic."""
    chosen = [named(settings.topics, topic, "topic") for topic in digest.topics] or settings.topics
    return [topic.name for topic in chosen]


def build_digest(
    engine: Engine, settings: Settings, digest: DigestSettings, recipient: str, now: datetime | None = None
) -> Digest:
    """The stories ``recipient`` has not had from ``digest``, grouped by topic."""
    since = window_start(engine, digest, recipient, now or utcnow())
    sections = new_stories(engine, digest.name, recipient, digest_topics(settings, digest), since)
    return Digest(digest.name, recipient, since, tuple(sections))


def window_start(engine: Engine, digest: DigestSettings, recipient: str, now: datetime) -> datetime:
    """The last delivery, but at least ``first_days`` back.

    The overlap catches an article stored while the previous digest was being sent (fetched before
    its sent_at, yet not in it); stories already delivered are excluded by the query, so nothing repeats.
    """
    earliest = now - timedelta(days=digest.first_days)
    last = last_delivery(engine, digest.name, recipient)
    return earliest if last is None else min(last, earliest)


def select_digests(settings: Settings, names: list[str] | None, *, preview: bool) -> list[DigestSettings]:
    """The digests to run: those named (ConfigError for an unknown name), else all, else the preview one."""
    if names:
        return [named(settings.digests, name, "digest") for name in names]
    if not settings.digests and preview:
        return [PREVIEW_DIGEST]
    return list(settings.digests)


def send_digests(
    settings: Settings, engine: Engine, names: list[str] | None = None, *, dry_run_dir: Path | None = None
) -> list[DigestReport]:
    """Send every selected digest to each of its recipients; with ``dry_run_dir``, write previews instead.

    Mail failures do not raise: they are reports with status ``failed`` and a one-line error. A dry run
    neither connects to the mail server nor records anything.
    """
    digests = select_digests(settings, names, preview=dry_run_dir is not None)
    if dry_run_dir is not None:
        _prepare_folder(dry_run_dir)
    with Mailer(settings.smtp) as mailer:
        run = _Run(settings, engine, mailer, dry_run_dir, utcnow())
        return [report for digest in digests for report in run.send(digest)]


@dataclass(frozen=True, slots=True)
class _Run:
    """What the deliveries of one :func:`send_digests` call share."""

    settings: Settings
    engine: Engine
    mailer: Mailer
    out: Path | None  # a dry run's preview folder
    now: datetime

    def send(self, config: DigestSettings) -> list[DigestReport]:
        """Every recipient of one digest, under the digest's lock unless this is a dry run."""
        if self.out is not None:
            return [self.deliver(config, recipient) for recipient in config.recipients]
        busy = f"digest {config.name!r} is being sent by another run ({{holder}})"
        try:
            with exclusive(self.engine, f"digest-{_slug(config.name)}", busy):
                return [self.deliver(config, recipient) for recipient in config.recipients]
        except Locked as exc:
            return [DigestReport(config.name, recipient, 0, "failed", str(exc)) for recipient in config.recipients]

    def deliver(self, config: DigestSettings, recipient: str) -> DigestReport:
        digest = build_digest(self.engine, self.settings, config, recipient, self.now)
        report = partial(DigestReport, digest.name, recipient, len(digest.stories))
        if not digest.stories and not config.send_empty:
            return report("skipped")
        message = compose_message(digest, config, self.settings.smtp, self.now)
        if self.out is not None:
            return report("previewed", preview=write_preview(message, self.out, digest))
        try:
            self.mailer.send(message, recipient)
        except MailError as exc:
            return report("failed", error=str(exc))
        record_deliveries(self.engine, digest.name, recipient, digest.stories)
        return report("sent")


def _prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the preview folder {folder}: {exc.strerror or exc}") from None


def _slug(text: str) -> str:
    return re.sub(r"[^\w.@-]+", "-", text).strip("-") or "digest"


def write_preview(message: EmailMessage, folder: Path, digest: Digest) -> Path:
    """Write ``<digest>--<recipient>.eml`` and ``.html`` into ``folder``; returns the .html path."""
    stem = f"{_slug(digest.name)}--{_slug(digest.recipient)}"
    body = message.get_body(("html",))
    assert body is not None  # compose_message always adds the HTML alternative
    try:
        (folder / f"{stem}.eml").write_bytes(message.as_bytes())
        (folder / f"{stem}.html").write_text(body.get_content(), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the preview into {folder}: {exc.strerror or exc}") from None
    return folder / f"{stem}.html"


class Mailer:
    """One SMTP connection per run, opened on first use.

    A connection that cannot be opened is not retried within the run: every further message fails at
    once with the same line instead of waiting out another timeout. A connection lost while sending is
    reopened for the next message.
    """

    def __init__(self, smtp: SmtpSettings, env: Mapping[str, str] | None = None) -> None:
        self._smtp = smtp
        self._env = os.environ if env is None else env
        self._connection: smtplib.SMTP | None = None
        self._broken: MailError | None = None
        self.where = f"mail server {smtp.host}:{smtp.port}"

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Hand ``message`` to the server for ``recipient``; returns only once the server accepted it."""
        connection = self._connect()
        try:
            connection.send_message(message, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = exc.recipients.get(recipient, (0, b"refused"))
            raise MailError(f"{self.where} refused recipient {recipient}: {_reply(code, reason)}") from None
        except smtplib.SMTPResponseException as exc:  # sender or data refused: the connection stays usable
            reply = _reply(exc.smtp_code, exc.smtp_error)
            raise MailError(f"{self.where} refused the message to {recipient}: {reply}") from None
        except OSError as exc:  # includes SMTPServerDisconnected and timeouts
            self._drop()
            raise MailError(f"{self.where} failed while sending to {recipient}: {_reason(exc)}") from None

    def close(self) -> None:
        """Say goodbye politely; a server that is already gone needs no QUIT."""
        if self._connection is None:
            return
        try:
            with contextlib.suppress(OSError):  # QUIT is a courtesy: the message was accepted or not by now
                self._connection.quit()
        finally:
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> smtplib.SMTP:
        if self._broken is not None:
            raise self._broken
        if self._connection is None:
            try:
                self._connection = self._open()
            except MailError as exc:
                self._broken = exc
                raise
        return self._connection

    def _open(self) -> smtplib.SMTP:
        password = self._password() if self._smtp.user else None
        connection = self._dial()
        try:
            self._secure_and_login(connection, password)
        except BaseException:
            connection.close()
            raise
        return connection

    def _dial(self) -> smtplib.SMTP:
        smtp = self._smtp
        try:
            if smtp.security == "tls":
                context = ssl.create_default_context()
                return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
            return smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        except OSError as exc:  # refused, unreachable, timed out, TLS handshake, a non-220 greeting
            raise MailError(f"cannot reach {self.where}: {_reason(exc)}; check [smtp] and that it runs") from None

    def _secure_and_login(self, connection: smtplib.SMTP, password: str | None) -> None:
        smtp = self._smtp
        try:
            if smtp.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if smtp.user and password is not None:
                connection.login(smtp.user, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(
                f"{self.where} rejected the login of {smtp.user!r} ({_reply(exc.smtp_code, exc.smtp_error)}); "
                f"check ${smtp.password_env}"
            ) from None
        except OSError as exc:  # SMTPException is an OSError too: no STARTTLS or AUTH offered, TLS failed
            step = "STARTTLS or login" if smtp.security == "starttls" else "login"
            raise MailError(f"{self.where}: {step} failed: {_reason(exc)}") from None

    def _password(self) -> str:
        password = self._env.get(self._smtp.password_env)
        if not password:
            raise MailError(
                f"smtp.user is {self._smtp.user!r} but ${self._smtp.password_env} is not set: "
                "export the password there"
            )
        return password


def _reply(code: int, reason: bytes | str) -> str:
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else reason
    return " ".join(f"{code} {text}".split())


def _reason(exc: OSError) -> str:
    """One line: the server's reply, else the system's reason (refused, timed out, TLS alert)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    text = exc.strerror if isinstance(exc.strerror, str) and exc.strerror else str(exc)
    return " ".join(text.split()) or type(exc).__name__
