"""A digest as an e-mail: subject, plain text, HTML, and the multipart message that carries them.

The HTML is built for mail clients, not browsers: every style is an inline ``style=`` attribute (Gmail
and Outlook drop ``<style>`` blocks and never load external CSS), the layout is a presentation table
capped at 640px that shrinks to a phone's width, and no image or script is used. Every string that
comes from an article (title, outlet, URL, sentence) is HTML-escaped, and only http(s) URLs become
links, so a hostile page can neither inject markup nor a ``javascript:`` link into the mail.
"""

from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import TYPE_CHECKING
from urllib.parse import quote

from pipeline.config import DigestSettings, SmtpSettings
from storage.digests import StoryItem, TopicStories

if TYPE_CHECKING:
    from pipeline.digest import Digest

_FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
STYLE = {
    "body": "margin:0;padding:0;background:#f3f4f6",
    "outer": "width:100%;background:#f3f4f6",
    "frame": "padding:16px 8px",
    "card": f"width:100%;max-width:640px;background:#ffffff;{_FONT};color:#1f2937;font-size:16px;line-height:1.5",
    "cell": "padding:20px 24px",
    "h1": "margin:0 0 4px;font-size:22px;line-height:1.3;color:#111827",
    "lead": "margin:0;color:#6b7280;font-size:14px",
    "h2": "margin:28px 0 4px;padding-bottom:4px;border-bottom:2px solid #1d4ed8;font-size:18px;color:#1d4ed8",
    "item": "padding:12px 0;border-bottom:1px solid #e5e7eb",
    "title": "font-size:17px;font-weight:bold;color:#1d4ed8;text-decoration:underline",
    "meta": "margin:4px 0 0;font-size:13px;color:#6b7280",
    "quote": "margin:8px 0 0;padding:0 0 0 10px;border-left:3px solid #cbd5e1;color:#374151;font-size:15px",
    "also": "margin:6px 0 0;font-size:13px;color:#6b7280",
    "link": "color:#1d4ed8",
    "footer": f"padding:16px 24px;{_FONT};font-size:12px;color:#6b7280",
}
UNTITLED = "(no title)"


def subject(digest: Digest) -> str:
    """E.g. "[newsmon] EU AI policy: 7 new stories (Gigafactory 3, AI Act 4)"."""
    count = len(digest.stories)
    if not count:
        return f"[newsmon] {digest.name}: nothing new"
    per_topic = ", ".join(f"{section.topic} {len(section.stories)}" for section in digest.sections)
    return f"[newsmon] {digest.name}: {_stories(count)} ({per_topic})"


def _stories(count: int) -> str:
    return f"{count} new {'story' if count == 1 else 'stories'}"


def _since(digest: Digest) -> str:
    return f"since {digest.since:%d %b %Y %H:%M} UTC"


def _day(when: datetime) -> str:
    return f"{when:%d %b %Y}"


def _oneline(text: str | None) -> str:
    """Article text on one line: titles and sentences may carry newlines and tabs from the page."""
    return " ".join((text or "").split())


def _sentence(item: StoryItem) -> str:
    """The matched sentence, unless it is the title itself (the keyword was in the title)."""
    sentence = _oneline(item.sentence)
    return "" if sentence.casefold().rstrip(".") == _oneline(item.title).casefold().rstrip(".") else sentence


def unsubscribe_target(digest: DigestSettings, smtp: SmtpSettings, recipient: str) -> str:
    """The configured URL or mailto (with {recipient} filled in), else a mail to the sender."""
    if digest.unsubscribe:
        return digest.unsubscribe.replace("{recipient}", quote(recipient, safe="@"))
    return f"mailto:{parseaddr(smtp.sender)[1]}?subject={quote('unsubscribe ' + digest.name)}"


# --- plain text ------------------------------------------------------------------------------------


def render_text(digest: Digest, unsubscribe: str) -> str:
    """The text/plain part: readable as is, URLs on their own lines so every client makes them clickable."""
    count = len(digest.stories)
    lines = [f"{digest.name}: {_stories(count) if count else 'nothing new'} {_since(digest)}", ""]
    for section in digest.sections:
        heading = f"{section.topic} ({len(section.stories)})"
        lines += [heading, "=" * len(heading), ""]
        for item in section.stories:
            lines += [*_text_item(item), ""]
    lines += ["-- ", f"You receive the digest \"{digest.name}\" as {digest.recipient}.", f"Unsubscribe: {unsubscribe}"]
    return "\n".join(lines) + "\n"


def _text_item(item: StoryItem) -> list[str]:
    lines = [f"* {_oneline(item.title) or UNTITLED}", f"  {item.url}", f"  {_oneline(item.source)}, {_day(item.when)}"]
    if _sentence(item):
        lines.append(f"  \"{_sentence(item)}\"")
    if item.also:
        lines.append("  Also covered by: " + ", ".join(f"{_oneline(c.source)} <{c.url}>" for c in item.also))
    return lines


# --- HTML --------------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    """Article text, escaped for HTML content."""
    return html.escape(_oneline(value), quote=True)


def _el(tag: str, style: str, content: str = "", **attrs: str) -> str:
    """An element with its CSS inlined; attribute values are escaped here, ``content`` is HTML already."""
    extra = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in attrs.items())
    return f'<{tag} style="{STYLE[style]}"{extra}>{content}</{tag}>'


def _link(url: str, label: str, style: str = "link") -> str:
    """A link for http(s) and mailto URLs, else the label alone (no javascript: or data: links)."""
    if url.lower().startswith(("http://", "https://", "mailto:")):
        return _el("a", style, label, href=url)
    return label


def render_html(digest: Digest, unsubscribe: str) -> str:
    """The text/html part: one centred column, CSS inlined, every article string escaped."""
    count = len(digest.stories)
    header = _el("h1", "h1", _text(digest.name)) + _el(
        "p", "lead", _text(f"{_stories(count) if count else 'Nothing new'} {_since(digest)}")
    )
    body = header + "".join(_html_section(section) for section in digest.sections)
    footer = (
        f"You receive the digest &ldquo;{_text(digest.name)}&rdquo; as {_text(digest.recipient)}. "
        + _link(unsubscribe, "Unsubscribe")
    )
    return _page(_text(subject(digest)), body, footer)


def _html_section(section: TopicStories) -> str:
    heading = _el("h2", "h2", f"{_text(section.topic)} ({len(section.stories)})")
    return heading + "".join(_html_item(item) for item in section.stories)


def _html_item(item: StoryItem) -> str:
    parts = [
        _link(item.url, _text(item.title) or UNTITLED, "title"),
        _el("p", "meta", f"{_text(item.source)} &middot; {_day(item.when)}"),
    ]
    if _sentence(item):
        parts.append(_el("p", "quote", html.escape(_sentence(item), quote=True)))
    if item.also:
        outlets = ", ".join(_link(c.url, _text(c.source)) for c in item.also)
        parts.append(_el("p", "also", f"Also covered by {outlets}"))
    return _el("div", "item", "".join(parts))


def _page(title: str, body: str, footer: str) -> str:
    table = 'role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>\n"
        f'<body style="{STYLE["body"]}">\n'
        f'<table {table} style="{STYLE["outer"]}"><tr><td align="center" style="{STYLE["frame"]}">\n'
        f'<table {table} style="{STYLE["card"]}">\n'
        f'<tr><td style="{STYLE["cell"]}">{body}</td></tr>\n'
        f'<tr><td style="{STYLE["footer"]}">{footer}</td></tr>\n'
        "</table></td></tr></table>\n</body></html>\n"
    )


# --- the message -------------------------------------------------------------------------------------


def compose_message(digest: Digest, settings: DigestSettings, smtp: SmtpSettings, now: datetime) -> EmailMessage:
    """multipart/alternative (text, then HTML) with the list headers mail clients show an unsubscribe button for."""
    target = unsubscribe_target(settings, smtp, digest.recipient)
    sender_domain = parseaddr(smtp.sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = subject(digest)
    message["From"] = smtp.sender
    message["To"] = digest.recipient
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("newsmon", domain=sender_domain)  # domain given: no DNS lookup
    message["List-Id"] = f"<{_list_label(digest.name)}.newsmon.{sender_domain}>"  # lets readers filter it
    message["List-Unsubscribe"] = f"<{target}>"
    if target.startswith(("http://", "https://")):
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058 one-click
    message.set_content(render_text(digest, target))
    message.add_alternative(render_html(digest, target), subtype="html")
    return message


def _list_label(name: str) -> str:
    return "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in name.lower()).strip("-") or "digest"
