"""A small generated news site for crawl tests that need something the sample site does not have:
pages held back (to interrupt a crawl half-way) and a gzip bomb (to check memory stays bounded).
"""

from __future__ import annotations

import gzip
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Seeded prose, different on every page: pages alike enough to be near-duplicates would all fall into
# one story, and clustering (which these tests do not look at) would do far more work than on real news.
SUBJECTS = ("Officials in Brussels", "Delegates from Lisbon", "The rapporteur", "Ministers from six capitals",
            "A Commission spokesperson", "Regulators in Paris", "Industry groups", "Two liberal MEPs",
            "The council presidency", "Researchers in Vienna", "Data-centre operators", "A Dutch negotiator")
VERBS = ("questioned", "welcomed", "rejected", "postponed", "reviewed", "defended", "rewrote", "costed",
         "delayed", "praised", "challenged", "summarised")
OBJECTS = ("the hosting bids", "the compute budget", "the data-sharing rules", "a fresh audit plan",
           "the energy estimates", "the procurement timetable", "the safety testing annex", "the grid connection",
           "a draft on chips", "the cloud quotas", "the open-model exemption", "the staffing figures")
WHEN = ("on Monday", "late on Tuesday", "before the summer break", "after a long session", "in a closed meeting",
        "during the plenary", "at the weekend", "ahead of the vote", "over dinner", "by written procedure")
BOMB_BYTES = 1_000_000_000  # what the bomb decompresses to


def paragraph(rng: random.Random) -> str:
    return " ".join(
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}, "
        f"citing note {rng.randrange(10_000)}." for _ in range(4)
    )


def article_html(n: int) -> bytes:
    rng = random.Random(n)
    paragraphs = "".join(f"<p>{paragraph(rng)}</p>" for _ in range(6))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Story number {n}</title>"
        f"<meta property='article:published_time' content='{datetime.now(UTC).isoformat()}'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Story number {n}</h1>{paragraphs}</article>"
        "<footer>Generated site</footer></body></html>"
    ).encode()


def feed_xml(base: str, paths: list[str]) -> bytes:
    date = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    items = "".join(
        f"<item><title>{path}</title><link>{base}{path}</link><pubDate>{date}</pubDate></item>" for path in paths
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Generated</title>{items}</channel></rss>'.encode()


def _bomb_member() -> bytes:
    """10 MB of zeros as one gzip member (about 10 KB); repeated members decompress as one stream."""
    return gzip.compress(b"\0" * 10_000_000, compresslevel=9)


class GeneratedSite:
    """Serves /feed.xml listing /a/<n> articles, optionally held back, plus /bomb (gzip bomb) when asked."""

    def __init__(self, pages: int, bomb: bool = False, hold_after: int | None = None, feeds: int = 1) -> None:
        self.pages = pages
        self.feeds = feeds  # with several, each article is listed by two of them
        self.bomb = bomb
        # Article requests after the first ``hold_after`` wait until ``release()``: a crawl can then be
        # interrupted at a known point, whatever the machine's speed.
        self.hold_after = hold_after
        self._released = threading.Event()
        self._served = 0
        self.requested: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._bomb_member = _bomb_member() if bomb else b""

    def article_paths(self) -> list[str]:
        return [f"/a/{n}" for n in range(self.pages)] + (["/bomb"] if self.bomb else [])

    def feed_paths(self) -> list[str]:
        return ["/feed.xml"] if self.feeds == 1 else [f"/feed{i}.xml" for i in range(self.feeds)]

    def feed_articles(self, path: str) -> list[str]:
        if self.feeds == 1:
            return self.article_paths()
        i = int(path.removeprefix("/feed").removesuffix(".xml"))
        return [f"/a/{n}" for n in range(self.pages) if n % self.feeds in (i, (i + 1) % self.feeds)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read ``site.requested`` instead."""

            def do_GET(self) -> None:
                with site._lock:
                    site.requested.append(self.path)
                if self.path in site.feed_paths():
                    self._send(feed_xml(site.base_url, site.feed_articles(self.path)), "application/rss+xml")
                elif self.path == "/robots.txt":
                    self._send(b"User-agent: *\nDisallow:\n", "text/plain")
                elif self.path == "/bomb" and site.bomb:
                    self._send(site._bomb_member * (BOMB_BYTES // 10_000_000), "text/html", gzip=True)
                elif self.path.startswith("/a/"):
                    site._hold()
                    self._send(article_html(int(self.path[3:])), "text/html; charset=utf-8")
                else:
                    self._send(b"not found", "text/plain", status=404)

            def _send(self, body: bytes, content_type: str, status: int = 200, gzip: bool = False) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if gzip:
                    self.send_header("Content-Encoding", "gzip")
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _hold(self) -> None:
        with self._lock:
            self._served += 1
            held = self.hold_after is not None and self._served > self.hold_after
        if held:
            self._released.wait(timeout=120)

    def release(self) -> None:
        """Let held article requests (and all later ones) through."""
        self._released.set()

    @contextmanager
    def running(self) -> Iterator[GeneratedSite]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release()
            self._server.shutdown()
            self._server.server_close()
            thread.join()
