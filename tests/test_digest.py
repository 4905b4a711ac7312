"""E-mail digests end to end: real mail to a real local SMTP server (aiosmtpd), on both databases.

Each test starts its own aiosmtpd ``Controller`` on a free port and reads what arrived: the parts, the
headers, the grouping, the story clusters and the escaping; then what was recorded as delivered, and
what the next run sends.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select, update

from pipeline.cli import cli
from pipeline.config import Settings, to_toml
from pipeline.digest import Digest, DigestReport, build_digest, send_digests
from pipeline.digest_render import compose_message, render_html, render_text
from pipeline.stories import body_signature
from storage.articles import ArticleRecord, TagRecord, upsert_articles
from storage.digests import StoryItem, TopicStories, record_deliveries
from storage.locks import acquire_lock
from storage.models import Article, DigestDelivery
from storage.records import utcnow


SMTP_USER = "newsmon"
PASSWORD_ENV = "NEWSMON_TEST_SMTP_PASSWORD"
PASSWORD = "hunter2-not-in-logs"
TOPICS = [
    {"name": "Gigafactory", "keywords": ["gigafactor*"]},
    {"name": "AI Act", "keywords": ["AI Act"]},
    {"name": "Stargate", "keywords": ["Stargate"]},
]
DIGEST = {"name": "EU AI policy", "recipients": ["analyst@example.org"], "topics": ["Gigafactory", "AI Act"]}


# --- the mail server -----------------------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """aiosmtpd handler: keeps every accepted message; refuses the addresses in ``refused`` at RCPT."""

    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        success = (data.login, data.password) == (SMTP_USER.encode(), PASSWORD.encode())
        return AuthResult(success=success, handled=False)  # handled=False: aiosmtpd sends the 235/535 reply

    def to(self, recipient: str) -> list[EmailMessage]:
        return [item.message for item in self.received if recipient in item.recipients]


def free_port() -> int:
    """aiosmtpd cannot listen on port 0, so ask the system for a free port first."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class MailServer:
    mailbox: Mailbox
    port: int


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    controller.start()
    yield MailServer(mailbox, port)
    controller.stop()


# --- settings and articles ----------------------------------------------------------------------------


def settings_data(
    database_url: str, port: int, digests: list[dict[str, Any]] | None = None, **smtp: Any
) -> dict[str, Any]:
    return {
        "database_url": database_url,
        "topics": TOPICS,
        "smtp": {"host": "127.0.0.1", "port": port, "sender": "newsmon <newsmon@example.org>", "timeout": 5.0, **smtp},
        "digests": [DIGEST] if digests is None else digests,
    }


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def make_settings(engine: Engine, port: int, digests: list[dict[str, Any]] | None = None, **smtp: Any) -> Settings:
    return Settings.model_validate(settings_data(url_of(engine), port, digests, **smtp))


def article(slug: str, source: str, title: str, topic: str, sentence: str, hours_ago: float = 2) -> ArticleRecord:
    when = utcnow() - timedelta(hours=hours_ago)
    return ArticleRecord(
        url=f"https://{source.lower().replace(' ', '-')}.example/{slug}",
        source=source,
        title=title,
        text=f"{title}. {sentence} " * 3,
        language="en",
        published_at=when,
        fetched_at=when + timedelta(minutes=5),
        tags=[TagRecord(topic, True, True, 2, sentence)],
    )


ORIGINAL = article("five", "Brussels Byte", "Commission names five AI gigafactories", "Gigafactory",
                   "The Commission picked five AI gigafactories.", hours_ago=5)
COPY = article("five-copy", "Compute Courier", "Five AI gigafactories named", "Gigafactory",
               "Five AI gigafactories were picked, the Commission said.", hours_ago=3)
CALL = article("call", "Tech Tagesblatt", "EuroHPC opens the gigafactory call", "Gigafactory",
               "EuroHPC opened the call for AI gigafactories.", hours_ago=4)
GPAI = article("gpai", "Brussels Byte", "AI Act rules for GPAI models apply", "AI Act",
               "The AI Act's rules for general-purpose AI apply from August.", hours_ago=1)
STARGATE = article("stargate", "Compute Courier", "Stargate Norway grows", "Stargate",
                   "OpenAI's Stargate Norway adds capacity.", hours_ago=1)
OLD = article("old", "Brussels Byte", "An old AI Act story", "AI Act", "The AI Act was adopted.", hours_ago=24 * 5)


def store(engine: Engine, *records: ArticleRecord) -> None:
    upsert_articles(engine, list(records))


def same_story(engine: Engine, *records: ArticleRecord) -> None:
    """Put syndicated copies into the first record's story, as near-duplicate clustering does."""
    with engine.begin() as connection:
        story_id = connection.scalar(select(Article.story_id).where(Article.url == records[0].url))
        urls = [record.url for record in records[1:]]
        connection.execute(update(Article).where(Article.url.in_(urls)).values(story_id=story_id))


@pytest.fixture
def archive(engine: Engine) -> Engine:
    store(engine, ORIGINAL, COPY, CALL, GPAI, STARGATE, OLD)
    same_story(engine, ORIGINAL, COPY)
    return engine


def deliveries(engine: Engine) -> list[tuple[str, str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(DigestDelivery.digest, DigestDelivery.recipient, DigestDelivery.story_id).order_by(DigestDelivery.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def statuses(reports: list[DigestReport]) -> dict[str, str]:
    return {report.recipient: report.status for report in reports}


def header(message: EmailMessage, name: str) -> str:
    """A header as a mail client shows it: Python's folder may start a long value on a continuation line."""
    return str(message[name]).strip()


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


# --- what arrives -------------------------------------------------------------------------------------


def test_digest_arrives_as_multipart_with_clear_headers(archive: Engine, smtp_server: MailServer) -> None:
    reports = send_digests(make_settings(archive, smtp_server.port), archive)

    assert reports == [DigestReport("EU AI policy", "analyst@example.org", 3, "sent")]
    [received] = smtp_server.mailbox.received
    message = received.message
    assert received.recipients == ["analyst@example.org"] and received.sender == "newsmon@example.org"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert header(message, "Subject") == "[newsmon] EU AI policy: 3 new stories (Gigafactory 2, AI Act 1)"
    assert message["From"] == "newsmon <newsmon@example.org>" and message["To"] == "analyst@example.org"
    assert abs(parsedate_to_datetime(message["Date"]) - utcnow()) < timedelta(minutes=1)
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.org>")
    assert header(message, "List-Unsubscribe") == "<mailto:newsmon@example.org?subject=unsubscribe%20EU%20AI%20policy>"
    assert message["List-Unsubscribe-Post"] is None  # one-click needs an https URL


def test_html_is_made_for_mail_clients_and_phones(archive: Engine, smtp_server: MailServer) -> None:
    send_digests(make_settings(archive, smtp_server.port), archive)
    _, html = parts(smtp_server.mailbox.received[0].message)

    assert 'name="viewport"' in html and "max-width:640px" in html
    assert "<style" not in html and "<link" not in html and "<script" not in html  # inline CSS only
    assert 'href="https://brussels-byte.example/five">Commission names five AI gigafactories</a>' in html


def test_stories_are_grouped_by_topic_and_clusters_shown_once(archive: Engine, smtp_server: MailServer) -> None:
    send_digests(make_settings(archive, smtp_server.port), archive)
    text, html = parts(smtp_server.mailbox.received[0].message)

    for body in (text, html):
        assert body.index("Gigafactory (2)") < body.index("EuroHPC opens") < body.index("AI Act (1)")
        assert body.index("Gigafactory (2)") < body.index("Commission names five") < body.index("AI Act (1)")
        assert body.index("AI Act (1)") < body.index("AI Act rules for GPAI")
        assert "Five AI gigafactories named" not in body  # the copy is not a story of its own
        assert "Stargate" not in body and "An old AI Act story" not in body
        assert "The Commission picked five AI gigafactories." in body  # the matched sentence
    assert "Also covered by: Compute Courier <https://compute-courier.example/five-copy>" in text
    assert 'href="https://compute-courier.example/five-copy">Compute Courier</a>' in html
    assert html.index("Also covered by") < html.index('href="https://compute-courier.example/five-copy"')
    assert "Brussels Byte, " in text and "Brussels Byte &middot; " in html  # outlet and date


WIRE = (
    "Brussels picked five sites for the first AI gigafactories on Tuesday, ending a selection that drew bids "
    "from sixteen member states. Each site will hold about one hundred thousand advanced chips and is meant to "
    "train frontier models in Europe. The Commission said private investors will carry most of the cost, "
    "with the InvestAI fund covering the rest. Officials expect the first site to start work in two years, "
    "while the others follow once grid connections and cooling water are secured. Critics say the energy "
    "demand has not been planned for, and that the chips will have to come from abroad for years."
)


def test_copies_clustered_at_ingest_are_one_story(engine: Engine, smtp_server: MailServer) -> None:
    """Real near-duplicate clustering (not a story_id set by hand): the wire copy is 'also covered by'."""
    sentence = "Brussels picked five sites for the first AI gigafactories on Tuesday."
    first = article("wire", "Brussels Byte", "Five AI gigafactory sites picked", "Gigafactory", sentence, 3)
    copy = article("wire", "Tech Tagesblatt", "EU picks five AI gigafactories", "Gigafactory", sentence, 2)
    store(engine, *(replace(a, text=WIRE, minhash=body_signature(WIRE)) for a in (first, copy)))
    [report] = send_digests(make_settings(engine, smtp_server.port), engine)

    assert report.stories == 1
    text, _ = parts(smtp_server.mailbox.received[0].message)
    assert "Five AI gigafactory sites picked" in text and "EU picks five" not in text
    assert f"Also covered by: Tech Tagesblatt <{copy.url}>" in text


def test_article_text_is_escaped_in_html(engine: Engine, smtp_server: MailServer) -> None:
    hostile = article("x", "Evil <b>Outlet</b>", '<script>alert("gigafactory")</script> & co', "Gigafactory",
                      "A <img src=x onerror=alert(1)> gigafactory sentence.")
    store(engine, hostile)
    send_digests(make_settings(engine, smtp_server.port), engine)
    text, html = parts(smtp_server.mailbox.received[0].message)

    assert "<script" not in html.lower() and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;gigafactory&quot;)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "Evil &lt;b&gt;Outlet&lt;/b&gt;" in html
    assert '<script>alert("gigafactory")</script> & co' in text  # plain text shows it as it is


def one_story_digest(**changes: Any) -> Digest:
    fields: dict[str, Any] = {
        "story_id": 1, "article_id": 1, "url": "https://a.example/1", "title": "AI gigafactories picked",
        "source": "A", "published_at": None, "fetched_at": utcnow(), "sentence": "AI gigafactories picked.",
    }
    item = StoryItem(**{**fields, **changes})
    return Digest("D", "reader@example.org", utcnow(), (TopicStories("Gigafactory", (item,)),))


def test_a_sentence_that_is_the_title_is_not_repeated() -> None:
    digest = one_story_digest()
    assert render_text(digest, "mailto:x@example.org").count("AI gigafactories picked") == 1
    assert render_html(digest, "mailto:x@example.org").count("AI gigafactories picked") == 1


def test_only_http_urls_become_links() -> None:
    html = render_html(one_story_digest(url="javascript:alert(1)"), "mailto:x@example.org")
    assert "javascript" not in html and ">AI gigafactories picked<" in html


def test_an_unsubscribe_url_gets_the_recipient_and_one_click() -> None:
    settings = Settings.model_validate(
        {"digests": [{**DIGEST, "topics": [], "unsubscribe": "https://example.org/unsub?email={recipient}"}]}
    )
    message = compose_message(one_story_digest(), settings.digests[0], settings.smtp, utcnow())
    assert header(message, "List-Unsubscribe") == "<https://example.org/unsub?email=reader@example.org>"
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


# --- exactly once ----------------------------------------------------------------------------------------


def test_second_run_sends_nothing_new(archive: Engine, smtp_server: MailServer) -> None:
    settings = make_settings(archive, smtp_server.port)
    send_digests(settings, archive)
    assert len(deliveries(archive)) == 3

    assert statuses(send_digests(settings, archive)) == {"analyst@example.org": "skipped"}
    assert len(smtp_server.mailbox.received) == 1

    late = article("late", "Tech Tagesblatt", "A late gigafactory report", "Gigafactory", "Gigafactory news.", 0)
    store(archive, late)
    [report] = send_digests(settings, archive)
    assert (report.status, report.stories) == ("sent", 1)
    latest = smtp_server.mailbox.received[-1].message
    assert header(latest, "Subject") == "[newsmon] EU AI policy: 1 new story (Gigafactory 1)"


def test_a_new_copy_of_a_sent_story_is_not_sent_again(archive: Engine, smtp_server: MailServer) -> None:
    settings = make_settings(archive, smtp_server.port)
    send_digests(settings, archive)
    third = article("five-third", "Tech Tagesblatt", "AI gigafactories: the five", "Gigafactory", "Five.", 0)
    store(archive, third)
    same_story(archive, ORIGINAL, third)

    assert statuses(send_digests(settings, archive)) == {"analyst@example.org": "skipped"}


def test_send_empty_sends_a_nothing_new_digest(archive: Engine, smtp_server: MailServer) -> None:
    settings = make_settings(archive, smtp_server.port, [{**DIGEST, "send_empty": True}])
    send_digests(settings, archive)
    assert statuses(send_digests(settings, archive)) == {"analyst@example.org": "sent"}

    empty = smtp_server.mailbox.received[-1].message
    assert header(empty, "Subject") == "[newsmon] EU AI policy: nothing new"
    assert "nothing new" in parts(empty)[0].lower()


def test_server_down_marks_nothing_and_the_next_run_delivers_all(archive: Engine, smtp_server: MailServer) -> None:
    closed = free_port()
    [report] = send_digests(make_settings(archive, closed), archive)

    assert report.status == "failed" and deliveries(archive) == []
    assert report.error is not None and f"127.0.0.1:{closed}" in report.error and "\n" not in report.error
    assert "refused" in report.error.lower()

    [report] = send_digests(make_settings(archive, smtp_server.port), archive)
    assert (report.status, report.stories) == ("sent", 3) and len(deliveries(archive)) == 3


def test_server_down_fails_fast_for_every_recipient(archive: Engine) -> None:
    digest = {**DIGEST, "recipients": ["a@example.org", "b@example.org", "c@example.org"]}
    reports = send_digests(make_settings(archive, free_port(), [digest]), archive)

    assert [report.status for report in reports] == ["failed"] * 3
    assert len({report.error for report in reports}) == 1 and deliveries(archive) == []


def test_a_refused_recipient_does_not_block_the_others(archive: Engine, smtp_server: MailServer) -> None:
    digest = {**DIGEST, "recipients": ["bounce@example.org", "analyst@example.org"]}
    settings = make_settings(archive, smtp_server.port, [digest])
    smtp_server.mailbox.refused.add("bounce@example.org")

    reports = send_digests(settings, archive)
    assert statuses(reports) == {"bounce@example.org": "failed", "analyst@example.org": "sent"}
    assert "550" in (reports[0].error or "") and "bounce@example.org" in (reports[0].error or "")
    assert len(smtp_server.mailbox.to("analyst@example.org")) == 1
    assert {recipient for _, recipient, _ in deliveries(archive)} == {"analyst@example.org"}

    smtp_server.mailbox.refused.clear()
    reports = send_digests(settings, archive)
    assert statuses(reports) == {"bounce@example.org": "sent", "analyst@example.org": "skipped"}
    assert len(smtp_server.mailbox.to("bounce@example.org")) == 1


def test_a_digest_being_sent_by_another_run_is_not_sent_twice(archive: Engine, smtp_server: MailServer) -> None:
    with acquire_lock(archive, "digest-EU-AI-policy"):
        [report] = send_digests(make_settings(archive, smtp_server.port), archive)
    braced = make_settings(archive, smtp_server.port, [{**DIGEST, "name": "Weekly {AI}"}])
    with acquire_lock(archive, "digest-Weekly-AI"):
        [braced_report] = send_digests(braced, archive)  # the name is text, not a format string

    assert report.status == "failed" and "being sent by another run (since " in (report.error or "")
    assert braced_report.status == "failed" and "'Weekly {AI}' is being sent by another run (since " in (braced_report.error or "")
    assert smtp_server.mailbox.received == [] and deliveries(archive) == []
    assert statuses(send_digests(make_settings(archive, smtp_server.port), archive)) == {"analyst@example.org": "sent"}


def test_each_digest_tracks_its_recipients_apart(archive: Engine, smtp_server: MailServer) -> None:
    digests = [DIGEST, {"name": "Everything", "recipients": ["analyst@example.org"]}]
    reports = send_digests(make_settings(archive, smtp_server.port, digests), archive)

    assert [(report.digest, report.stories) for report in reports] == [("EU AI policy", 3), ("Everything", 4)]
    assert header(smtp_server.mailbox.received[1].message, "Subject") == (
        "[newsmon] Everything: 4 new stories (Gigafactory 2, AI Act 1, Stargate 1)"
    )


def test_the_first_digest_looks_back_first_days(archive: Engine, smtp_server: MailServer) -> None:
    digest = {**DIGEST, "first_days": 7.0}
    [report] = send_digests(make_settings(archive, smtp_server.port, [digest]), archive)

    assert report.stories == 4
    assert "An old AI Act story" in parts(smtp_server.mailbox.received[0].message)[0]


def test_the_representative_is_the_earliest_copy(archive: Engine) -> None:
    settings = make_settings(archive, 25)
    digest = build_digest(archive, settings, settings.digests[0], "analyst@example.org")
    [story] = [item for item in digest.stories if item.title and "five" in item.title.lower()]

    assert (story.url, story.source) == (ORIGINAL.url, "Brussels Byte")
    assert [(c.source, c.url) for c in story.also] == [("Compute Courier", COPY.url)]


def test_a_story_is_listed_once_under_its_first_topic_with_the_sentence_of_a_copy(engine: Engine) -> None:
    """Topics match whatever their case; a representative without the topic's sentence borrows a copy's."""
    lead = replace(ORIGINAL, tags=[TagRecord("ai act", True, True, 1, "The lead's AI Act sentence.")])
    copy = replace(COPY, tags=[TagRecord("gigafactory", True, True, 2, "The copy's gigafactory sentence."),
                               TagRecord("AI ACT", True, True, 1, "The copy's AI Act sentence.")])
    other = replace(GPAI, tags=[TagRecord("ai act", True, True, 1, "Another AI Act story.")])
    store(engine, lead, copy, other)
    same_story(engine, lead, copy)
    settings = make_settings(engine, 25)  # digest topics: Gigafactory, then AI Act
    digest = build_digest(engine, settings, settings.digests[0], "analyst@example.org")
    sections = {section.topic: [(item.url, item.sentence) for item in section.stories] for section in digest.sections}
    assert sections == {
        "Gigafactory": [(lead.url, "The copy's gigafactory sentence.")],
        "AI Act": [(other.url, "Another AI Act story.")],
    }


def test_recording_deliveries_is_idempotent(archive: Engine) -> None:
    settings = make_settings(archive, 25)
    stories = build_digest(archive, settings, settings.digests[0], "analyst@example.org").stories
    record_deliveries(archive, "EU AI policy", "analyst@example.org", stories)
    record_deliveries(archive, "EU AI policy", "analyst@example.org", stories)

    with archive.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DigestDelivery)) == 3


# --- dry run, login, the command line --------------------------------------------------------------------


def test_dry_run_writes_previews_and_marks_nothing(archive: Engine, smtp_server: MailServer, tmp_path: Path) -> None:
    out = tmp_path / "previews"
    [report] = send_digests(make_settings(archive, smtp_server.port), archive, dry_run_dir=out)

    assert report.status == "previewed" and report.preview == out / "EU-AI-policy--analyst@example.org.html"
    assert "Commission names five AI gigafactories" in report.preview.read_text(encoding="utf-8")
    eml = message_from_bytes(report.preview.with_suffix(".eml").read_bytes(), policy=policy.default)
    assert header(eml, "Subject") == "[newsmon] EU AI policy: 3 new stories (Gigafactory 2, AI Act 1)"
    assert smtp_server.mailbox.received == [] and deliveries(archive) == []


def test_login_uses_the_password_from_the_environment_and_never_shows_it(
    archive: Engine, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    settings = make_settings(archive, smtp_server.port, user=SMTP_USER, password_env=PASSWORD_ENV)

    assert statuses(send_digests(settings, archive)) == {"analyst@example.org": "sent"}
    assert smtp_server.mailbox.logins == [(SMTP_USER.encode(), PASSWORD.encode())]

    monkeypatch.setenv(PASSWORD_ENV, "wrong-" + PASSWORD)
    late = article("late", "Tech Tagesblatt", "A late gigafactory report", "Gigafactory", "Gigafactory news.", 0)
    store(archive, late)
    [report] = send_digests(settings, archive)
    assert report.status == "failed" and "rejected the login of 'newsmon'" in (report.error or "")
    assert PASSWORD not in (report.error or "") and PASSWORD not in caplog.text


def test_a_missing_password_is_one_line_naming_the_variable(archive: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    settings = make_settings(archive, free_port(), user=SMTP_USER, password_env=PASSWORD_ENV)
    [report] = send_digests(settings, archive)

    assert report.status == "failed" and f"${PASSWORD_ENV} is not set" in (report.error or "")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def write_config(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "newsmon.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["digest", "feed"])
def test_help_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0 and f"newsmon {command}" in result.output


def test_digest_command_sends_and_selects_by_name(
    archive: Engine, smtp_server: MailServer, tmp_path: Path
) -> None:
    digests = [DIGEST, {"name": "Stargate watch", "recipients": ["us@example.org"], "topics": ["stargate"]}]
    config = write_config(tmp_path, settings_data(url_of(archive), smtp_server.port, digests))

    result = run("--config", str(config), "digest", "--name", "stargate WATCH")
    assert result.exit_code == 0, result.output
    assert result.stdout == "sent 'Stargate watch' to us@example.org: 1 story\n"
    [received] = smtp_server.mailbox.received
    assert header(received.message, "Subject") == "[newsmon] Stargate watch: 1 new story (Stargate 1)"

    result = run("--config", str(config), "digest", "--name", "Nope")
    assert result.exit_code == 1
    assert result.stderr == "Error: no digest named 'Nope'; configured digests: EU AI policy, Stargate watch\n"


def test_digest_command_reports_a_down_server_in_one_line(archive: Engine, tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, settings_data(url_of(archive), port))
    result = run("--config", str(config), "digest")

    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: cannot reach mail server 127.0.0.1:{port}: ") and "next run" in line
    assert deliveries(archive) == []


def test_dry_run_without_digests_previews_every_topic(archive: Engine, tmp_path: Path) -> None:
    config = write_config(tmp_path, settings_data(url_of(archive), free_port(), digests=[]))
    out = tmp_path / "out"
    result = run("--config", str(config), "digest", "--dry-run", "--out", str(out))

    assert result.exit_code == 0, result.output
    preview = out / "All-topics--reader@example.org.html"
    assert result.stdout == f"preview of 'All topics' to reader@example.org (4 stories): {preview} (and .eml)\n"
    assert "Stargate Norway grows" in preview.read_text(encoding="utf-8") and deliveries(archive) == []

    result = run("--config", str(config), "digest")
    assert result.exit_code == 1 and "no [[digests]] configured" in result.stderr


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--dry-run"], "--dry-run and --out go together"),
        (["--out", "x"], "--dry-run and --out go together"),
        (["--dry-run", "--out", "{file}"], "cannot create the preview folder"),
    ],
)
def test_digest_usage_errors_are_one_line(archive: Engine, tmp_path: Path, args: list[str], fragment: str) -> None:
    config = write_config(tmp_path, settings_data(url_of(archive), free_port()))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    args = [arg.replace("{file}", str(blocker / "sub")) for arg in args]
    result = run("--config", str(config), "digest", *args)

    assert result.exit_code in (1, 2) and fragment in result.stderr and "Traceback" not in result.output
