"""A local HTTP server for the sample news site in `demo/site/`, for the demo and end-to-end tests.

`SampleSite` serves `demo/site/www/` on 127.0.0.1 (a free port by default) from a background
thread, fills in the `{{BASE}}` and `{{DATE-N}}`-style placeholders at serve time (see
`demo/site/README.md`), and records every request so tests can assert what a crawler fetched.
It also plays the parts of a real news site that files alone cannot: 301s from the manifest's
redirects table, 404s, ETag/Last-Modified with 304 answers, and a ~12 MB page streamed on the fly.

Run `python -m demo.server [--port N]` to browse the site by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

DEFAULT_ROOT = Path(__file__).resolve().parent / "site"

CONTENT_TYPES = {
    ".html": "text/html",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".gz": "application/x-gzip",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
}
BINARY_SUFFIXES = {".pdf"}

_PLACEHOLDER = re.compile(rb"\{\{(?:BASE|(DATE|DAY|RFC822|HUMAN|DMY)-(\d+(?:\.\d+)?))\}\}")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_DATE_FORMATS: dict[bytes, Callable[[datetime], str]] = {
    b"DATE": lambda d: d.isoformat(timespec="seconds"),
    b"DAY": lambda d: d.date().isoformat(),
    b"RFC822": lambda d: format_datetime(d),
    b"HUMAN": lambda d: f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
    b"DMY": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
}


def fill_placeholders(data: bytes, base_url: str, now: datetime) -> bytes:
    """Replace placeholders in raw bytes.

    Working on bytes (with ASCII replacements) keeps every ASCII-compatible encoding intact, which
    is what lets the ISO-8859-1 page be served without ever decoding it.
    """

    def replace(match: re.Match[bytes]) -> bytes:
        kind, days = match.groups()
        if kind is None:
            return base_url.encode("ascii")
        return _DATE_FORMATS[kind](now - timedelta(days=float(days))).encode("ascii")

    return _PLACEHOLDER.sub(replace, data)


def is_not_modified(headers: Mapping[str, str] | Message, etag: str, last_modified: datetime) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; If-Modified-Since only when it is absent."""
    if (tags := headers.get("If-None-Match")) is not None:
        wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return "*" in wanted or etag in wanted
    if (since := headers.get("If-Modified-Since")) is None:
        return False
    try:
        return last_modified <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored, as the RFC says


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it; `path` keeps the query string."""

    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str


class _Content:
    """The site's files and manifest, rendered for one base URL and one "now" (no HTTP here)."""

    def __init__(self, root: Path, base_url: str, now: datetime) -> None:
        self.www = (root / "www").resolve()
        self.base_url = base_url
        self.now = now
        manifest = _load_manifest(root)
        self.redirects: dict[str, str] = manifest.get("redirects", {})
        self.oversized_path: str | None = (manifest.get("oversized") or {}).get("path")
        self.charsets = {(root / a["file"]).resolve(): a["encoding"] for a in manifest.get("articles", [])}
        self._cache: dict[Path, _Resource] = {}
        self._lock = threading.Lock()

    def find(self, url_path: str) -> _Resource | None:
        """The resource for a URL path, rendered once and then cached (so ETags are stable)."""
        file = self._resolve(url_path)
        if file is None:
            return None
        with self._lock:
            if file not in self._cache:
                self._cache[file] = self._render(file, self.charsets.get(file, "utf-8"))
            return self._cache[file]

    def _resolve(self, url_path: str) -> Path | None:
        """Map /a/b/ to a/b/index.html and extensionless /a/b to a/b.html, never outside www."""
        relative = url_path.lstrip("/")
        candidates = [relative + "index.html"] if url_path.endswith("/") else [relative]
        if "." not in url_path.rsplit("/", 1)[-1]:
            candidates.append(relative + ".html")
        for candidate in candidates:
            try:
                file = (self.www / candidate).resolve()
            except (OSError, ValueError):  # e.g. a NUL byte in the path
                continue
            if file.is_file() and file.is_relative_to(self.www):
                return file
        return None

    def _render(self, file: Path, charset: str) -> _Resource:
        data = file.read_bytes()
        if file.suffix == ".gz":
            data = gzip.compress(self.fill(gzip.decompress(data)), mtime=0)
        elif file.suffix not in BINARY_SUFFIXES:
            data = self.fill(data)
        content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        if file.suffix == ".html":
            content_type = f"text/html; charset={charset}"
        return _Resource(data, content_type, f'"{hashlib.sha1(data).hexdigest()[:16]}"')

    def fill(self, data: bytes) -> bytes:
        return fill_placeholders(data, self.base_url, self.now)


def _load_manifest(root: Path) -> dict[str, Any]:
    """The manifest drives redirects, charsets and the oversized page; a bare root has none."""
    path = root / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class _Oversized:
    """A ~N-byte live blog streamed from one repeated block, so no N-byte string is ever built."""

    def __init__(self, content: _Content, target_bytes: int) -> None:
        self.head = content.fill(_liveblog_head(content.oversized_path or "/").encode())
        self.unit = _liveblog_unit()
        self.tail = b"</main>\n</body>\n</html>\n"
        room = max(target_bytes - len(self.head) - len(self.tail), 1)
        self.count = -(-room // len(self.unit))  # ceiling division: at least target_bytes in total
        self.length = len(self.head) + self.count * len(self.unit) + len(self.tail)

    def write(self, out: Any) -> None:
        out.write(self.head)
        for _ in range(self.count):
            out.write(self.unit)
        out.write(self.tail)


def _liveblog_head(path: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>Live: AI infrastructure week, all the announcements | Compute Courier</title>
<link rel="canonical" href="{{{{BASE}}}}{path}">
<meta property="article:published_time" content="{{{{DATE-0.1}}}}">
</head>
<body>
<main class="liveblog">
<h1>Live: AI infrastructure week, all the announcements</h1>
"""


def _liveblog_unit() -> bytes:
    entry = (
        '<article class="live-entry"><p class="live-entry__time">Update</p><p>Another operator has announced '
        "a new data hall, and our reporters are checking the power figures with the grid operator. "
        "More details as we get them.</p></article>\n"
    )
    return (entry * (16384 // len(entry) + 1)).encode()


class _Server(ThreadingHTTPServer):
    """Tracks open connections so `stop()` can end keep-alive threads instead of waiting on them."""

    def __init__(self, address: tuple[str, int], site: SampleSite) -> None:
        self.site = site
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)
        host, port = self.socket.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        self.content = _Content(site.root, self.base_url, site.now)
        self.oversized = _Oversized(self.content, site.oversize_bytes)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # the client may have closed it already
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (e.g. on the oversized page) are normal; anything else is kept for tests."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError) and error is not None:
            self.site.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    """GET/HEAD only; every response has a Content-Length so connections can be kept alive."""

    protocol_version = "HTTP/1.1"
    server_version = "newsmon-sample-site/1.0"
    timeout = 60  # drop idle keep-alive connections eventually, even without stop()
    server: _Server

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: tests assert on `SampleSite.requests` instead of reading stderr."""

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        self.server.site._record(self, code)

    def _serve(self, send_body: bool) -> None:
        content = self.server.content
        path = unquote(urlsplit(self.path).path)
        if path in content.redirects:
            location = content.base_url + content.redirects[path]
            self._send(301, b"", "text/plain; charset=utf-8", send_body, Location=location)
        elif path == content.oversized_path:
            self._send_oversized(send_body)
        elif (resource := content.find(path)) is None:
            self._send(404, _NOT_FOUND, "text/html; charset=utf-8", send_body)
        else:
            self._send_resource(resource, send_body)

    def _send_resource(self, resource: _Resource, send_body: bool) -> None:
        last_modified = self.server.site.now
        validators = {"ETag": resource.etag, "Last-Modified": format_datetime(last_modified, usegmt=True)}
        if is_not_modified(self.headers, resource.etag, last_modified):
            self._start(304, None, **validators)
            self.end_headers()
        else:
            self._send(200, resource.body, resource.content_type, send_body, **validators)

    def _send(self, status: int, body: bytes, content_type: str, send_body: bool, **headers: str) -> None:
        self._start(status, len(body), **{"Content-Type": content_type, **headers})
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _send_oversized(self, send_body: bool) -> None:
        page = self.server.oversized
        self._start(200, page.length, **{"Content-Type": "text/html; charset=utf-8"})
        self.end_headers()
        if send_body:
            page.write(self.wfile)

    def _start(self, status: int, length: int | None, **headers: str) -> None:
        self.send_response(status)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name, value)


_NOT_FOUND = b"<!DOCTYPE html>\n<html><head><title>Page not found</title></head><body><h1>404</h1></body></html>\n"


class SampleSite:
    """Serves demo/site on 127.0.0.1 on a free port in a background thread; records requests.

    Use it as a context manager (or call start()/stop()). Dates in the pages count back from
    `now`, fixed when the site is created, so a whole test run sees one consistent site.
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        oversize_bytes: int = 12_000_000,
        now: datetime | None = None,
    ) -> None:
        self.root = root or DEFAULT_ROOT
        self.host = host
        self.port = port
        self.oversize_bytes = oversize_bytes
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.errors: list[BaseException] = []
        self._requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://HOST:PORT, without a trailing slash; known once the server is started."""
        if self._httpd is None:
            raise RuntimeError("the sample site is not running: call start() first")
        return self._httpd.base_url

    def url(self, path: str) -> str:
        """Absolute URL for a site path such as '/robots.txt'."""
        return self.base_url + path

    @property
    def manifest(self) -> dict[str, Any]:
        """demo/site/manifest.json: the pages, feeds and traps the site contains."""
        return _load_manifest(self.root)

    def start(self) -> SampleSite:
        if self._httpd is not None:
            raise RuntimeError("the sample site is already running")
        self._httpd = _Server((self.host, self.port), self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sample-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open keep-alive connections and join every server thread."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def requested_paths(self) -> list[str]:
        """Paths (with query) of the requests so far, oldest first."""
        return [r.path for r in self.requests]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        """Called as the status line is sent, i.e. before the body: a client that has read a
        response always finds it recorded."""
        headers = getattr(handler, "headers", None)  # absent when the request line was unparsable
        record = RequestRecord(
            getattr(handler, "command", None) or "",
            getattr(handler, "path", None) or "",
            dict(headers.items()) if headers is not None else {},
            status,
        )
        with self._lock:
            self._requests.append(record)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.server", description="Serve the sample news site.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    args = parser.parse_args(argv)
    with SampleSite(host=args.host, port=args.port) as site:
        print(f"Serving the sample news site at {site.base_url}/ (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
