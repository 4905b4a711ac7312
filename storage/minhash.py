"""MinHash signatures as stored: their byte format, the similarity they estimate, and their LSH buckets.

A signature is :data:`SLOTS` unsigned 64-bit numbers, little-endian, 1 KiB per article; the
pipeline computes it from the body (``pipeline/stories.py``). Two signatures agree in each slot with
probability equal to the Jaccard similarity s of the two bodies' shingle sets, so the share of
agreeing slots estimates s, with a standard error of sqrt(s(1 - s) / 128), at most 0.044.

Finding candidates without comparing an article with every recent one: banding (locality-sensitive
hashing). The first BANDS x ROWS slots are cut into BANDS bands of ROWS slots, and each band is hashed
to a bucket; two articles are candidates when they share the bucket of at least one band, which
happens with probability 1 - (1 - s^ROWS)^BANDS. With 42 bands of 3 rows:

    s            0.05   0.10   0.20   0.30   0.37   0.45   0.50   0.60
    candidate   0.005  0.041  0.286  0.683  0.887  0.982  0.996  1.000

The curve is steepest near (1/42)^(1/3) = 0.29, below the default similarity threshold (0.45) on
purpose: a pair the index misses can never join, while a false candidate costs one comparison of two
signatures. Unrelated articles (s under 0.05) are almost never candidates. 32 bands of 4 rows would
put the steep point at 0.42 but find only 74 % of pairs at 0.45. A threshold configured under 0.4
misses a growing share of pairs near it (a third at 0.3), so the configuration refuses one under 0.3.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from hashlib import blake2b

SLOTS = 128  # a power of two: the pipeline picks a shingle's slot from the low bits of its hash
BANDS = 42
ROWS = 3
_FORMAT = struct.Struct(f"<{SLOTS}Q")
_BAND_BYTES = ROWS * 8


def pack(values: Sequence[int]) -> bytes:
    return _FORMAT.pack(*values)


def estimated_similarity(first: bytes, second: bytes) -> float:
    """The share of slots in which two signatures agree: an estimate of the bodies' Jaccard similarity."""
    return sum(map(int.__eq__, _FORMAT.unpack(first), _FORMAT.unpack(second))) / SLOTS


def band_buckets(signature: bytes) -> list[tuple[int, int]]:
    """(band, bucket) for every band; buckets are signed 64-bit numbers, to fit a BIGINT column."""
    return [(band, _bucket(signature[band * _BAND_BYTES : (band + 1) * _BAND_BYTES])) for band in range(BANDS)]


def _bucket(band: bytes) -> int:
    return int.from_bytes(blake2b(band, digest_size=8).digest(), "little", signed=True)
