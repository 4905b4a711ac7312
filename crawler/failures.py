"""What a failed request means for newsmon: a counted failure, an expected drop, and whether to retry.

Scrapy reports failures as exceptions of many kinds; the crawl needs three answers for each: a short
category to count, whether it is a failure (something is wrong with the source) or an expected drop
(a page we chose not to take), and when, if ever, the URL deserves another fetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

GONE_RETRY = timedelta(days=30)  # a 404 page or an oversized one is checked again after this


@dataclass(frozen=True, slots=True)
class FailureReason:
    category: str  # counted per source: "HTTP 404", "too large", "timed out"...
    message: str  # one line for the log and the crawl report
    dropped: bool = False  # an expected outcome rather than a problem with the source
    retry_after: datetime | None = None  # set: remember the URL and skip it until then


def _later(delta: timedelta) -> datetime:
    return datetime.now(UTC) + delta


def describe_failure(failure: Failure) -> FailureReason:
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        category = f"HTTP {status}"
        retry = _later(GONE_RETRY) if status in (404, 410) else None
        return FailureReason(category, category, retry_after=retry)
    if _too_large(error):
        return FailureReason("too large", f"too large ({error})", dropped=True, retry_after=_later(GONE_RETRY))
    if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):
        return FailureReason("disallowed by robots.txt", "disallowed by robots.txt", dropped=True)
    for kind, category in _NETWORK:
        if isinstance(error, kind):
            return FailureReason(category, f"{category} ({error})" if str(error) else category)
    return FailureReason(type(error).__name__, f"{type(error).__name__}: {error}")


def _too_large(error: BaseException) -> bool:
    """Scrapy cancels a download past DOWNLOAD_MAXSIZE, or ignores it when decompression exceeds it."""
    if isinstance(error, DownloadCancelledError):
        return True
    text = str(error)
    return isinstance(error, IgnoreRequest) and ("DOWNLOAD_MAXSIZE" in text or "max size" in text)


_NETWORK: list[tuple[type[BaseException], str]] = [
    (CannotResolveHostError, "DNS lookup failed"),
    (DownloadTimeoutError, "timed out"),
    (DownloadConnectionRefusedError, "connection refused"),
    (ResponseDataLossError, "connection lost"),
    (TimeoutError, "timed out"),
    (ConnectionError, "connection failed"),
]
