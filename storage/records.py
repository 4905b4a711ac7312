"""What extraction hands to storage: plain records and the stored page's compression.

No database here: the extraction workers build these records, and SQLAlchemy and the models would
double each worker's start-up (0.4 s to 1 s) and add 20 MB to it; ``storage/articles.py`` stores them.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

# Zstandard level 3: on news pages a third of the CPU time of zlib at level 3, for 8 % fewer bytes.
HTML_COMPRESSION_LEVEL = 3
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # how every Zstandard frame starts; zlib streams start with 0x78


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class TagRecord:
    """Why an article carries a topic."""

    topic: str
    in_title: bool
    in_body: bool
    hits: int
    sentence: str


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """An extracted article ready to be stored; ``url`` is already normalized."""

    url: str
    source: str
    title: str | None
    text: str
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    language: str | None = None
    description: str | None = None
    html_gz: bytes | None = None  # the page as fetched, UTF-8, compressed with compress_html
    fetched_at: datetime = field(default_factory=utcnow)
    tags: Sequence[TagRecord] = ()
    aliases: Sequence[str] = ()  # other normalized URLs that lead to this article (redirects, non-canonical)
    minhash: bytes | None = None  # the body's MinHash signature (pipeline/stories.py); None: too short to compare


def compress_html(html: bytes) -> bytes:
    return zstd.compress(html, HTML_COMPRESSION_LEVEL)


def decompress_html(blob: bytes) -> bytes:
    """The page stored by :func:`compress_html`, or by earlier versions with zlib: an archive may hold both."""
    return zstd.decompress(blob) if blob.startswith(_ZSTD_MAGIC) else zlib.decompress(blob)
