"""Small sites for crawl tests that need something the sample site does not have: a server that
records when each request arrived and answers from routes (replies that fail, hang or come late),
and a generated news site with pages held back (to interrupt a crawl half-way) and a gzip bomb
(to check memory stays bounded).
"""

from __future__ import annotations

import gzip
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

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


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    gzip: bool = False  # the body is gzipped: sent with Content-Encoding: gzip


HANG = None  # a route answering None never answers: the connection stays open until the site stops
Route = Callable[[str, int], Reply | None]  # called with the path and how many times it was requested, this time included
NOT_FOUND = Reply(404, b"not found", "text/plain")
ROBOTS = Reply(200, b"User-agent: *\nDisallow:\n", "text/plain")


@dataclass(frozen=True, slots=True)
class Hit:
    path: str
    at: float  # time.monotonic() as the request arrived


class RecordingSite:
    """Serves ``routes`` (path: route) on 127.0.0.1, any other path with ``fallback`` (else 404), and
    records each request, when it arrived, and the most requests in flight at once."""

    def __init__(self, routes: Mapping[str, Route] | None = None, fallback: Route | None = None) -> None:
        self.routes = dict(routes or {})
        self.fallback = fallback or (lambda path, n: NOT_FOUND)
        self.hits: list[Hit] = []
        self.most_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requested(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def forget_requests(self) -> None:
        with self._lock:
            self.hits.clear()

    def times(self, path: str) -> list[float]:
        return [hit.at for hit in self.hits if hit.path == path]

    def wait_for_release(self, timeout: float | None = None) -> None:
        """For a route holding its answer back: until :meth:`release`, or the site stops."""
        self._released.wait(timeout)

    def release(self) -> None:
        self._released.set()

    def _arrived(self, path: str) -> int:
        with self._lock:
            self.hits.append(Hit(path, time.monotonic()))
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
            return sum(hit.path == path for hit in self.hits)

    def _answered(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read ``site.hits`` instead."""

            def do_GET(self) -> None:
                count = site._arrived(self.path)
                try:
                    reply = site.routes.get(self.path, site.fallback)(self.path, count)
                    if reply is HANG:
                        site.wait_for_release()
                        self.close_connection = True
                        return
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    if reply.gzip:
                        self.send_header("Content-Encoding", "gzip")
                    self.end_headers()
                    self.wfile.write(reply.body)
                finally:
                    site._answered()

        return Handler

    @contextmanager
    def running(self) -> Iterator[Self]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release()
            self._server.shutdown()
            self._server.server_close()
            thread.join()


class GeneratedSite(RecordingSite):
    """Serves /feed.xml listing /a/<n> articles, optionally held back, plus /bomb (gzip bomb) when asked."""

    def __init__(self, pages: int, bomb: bool = False, hold_after: int | None = None, feeds: int = 1) -> None:
        super().__init__(fallback=self._article)
        self.pages = pages
        self.feeds = feeds  # with several, each article is listed by two of them
        # Article requests after the first ``hold_after`` wait until ``release()``: a crawl can then be
        # interrupted at a known point, whatever the machine's speed.
        self.hold_after = hold_after
        self._served = 0
        self.routes["/robots.txt"] = lambda path, n: ROBOTS
        for feed in self.feed_paths():
            self.routes[feed] = self._feed
        if bomb:
            member = _bomb_member()
            self.routes["/bomb"] = lambda path, n: Reply(200, member * (BOMB_BYTES // 10_000_000), "text/html", gzip=True)

    def article_paths(self) -> list[str]:
        return [f"/a/{n}" for n in range(self.pages)] + (["/bomb"] if "/bomb" in self.routes else [])

    def feed_paths(self) -> list[str]:
        return ["/feed.xml"] if self.feeds == 1 else [f"/feed{i}.xml" for i in range(self.feeds)]

    def feed_articles(self, path: str) -> list[str]:
        if self.feeds == 1:
            return self.article_paths()
        i = int(path.removeprefix("/feed").removesuffix(".xml"))
        return [f"/a/{n}" for n in range(self.pages) if n % self.feeds in (i, (i + 1) % self.feeds)]

    def _feed(self, path: str, count: int) -> Reply:
        return Reply(200, feed_xml(self.base_url, self.feed_articles(path)), "application/rss+xml")

    def _article(self, path: str, count: int) -> Reply:
        if not path.startswith("/a/"):
            return NOT_FOUND
        with self._lock:
            self._served += 1
            held = self.hold_after is not None and self._served > self.hold_after
        if held:
            self.wait_for_release(timeout=120)
        return Reply(200, article_html(int(path[3:])))
