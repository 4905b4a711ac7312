"""An article body's MinHash signature, computed at extraction time so storage can find near-duplicates.

Two bodies are one story when their sets of word shingles (runs of :data:`SHINGLE_WORDS` words,
lower-cased, accents removed) are similar enough by Jaccard similarity, |A ∩ B| / |A ∪ B|. Storage
compares signatures rather than texts: a signature is :data:`storage.minhash.SLOTS` numbers whose
agreement rate estimates the Jaccard similarity (see ``storage/minhash.py`` for the format, the
estimate and the index that finds candidates).

Signature: one-permutation MinHash
    Classic MinHash hashes every shingle once per slot: 128 x 1,000 hashes for a 1,000-word body,
    about 40 ms in pure Python. One-permutation hashing (Li, Owen and Zhang, 2012) hashes each shingle
    once (BLAKE2b, 64 bits), uses its low 7 bits to pick one of 128 slots and keeps the smallest hash
    per slot; a slot no shingle fell into borrows the value of the first filled slot in a fixed
    pseudo-random order of its own ("optimal densification", Shrivastava, 2017). Each slot of two
    signatures then agrees with probability equal to the Jaccard similarity, as in classic MinHash,
    for about 1 ms per 1,000 words. Changing the shingling, hash, seed or slot count changes every
    signature: stored ones would have to be recomputed.

Tuning (``python -m tests.story_pairs`` prints the table; the pairs are in ``tests/story_pairs.py``)
    Jaccard similarity of 3-word shingles and this signature's estimate, per labelled pair:

    pair                                                       label  Jaccard  estimate
    wire copy, own first and last line, curly quotes           same     0.90      0.93
    copy with dateline, 'Read also' lines, one paragraph cut   same     0.74      0.75
    light edit: lede and quote reworded, a paragraph cut       same     0.67      0.72
    light edit: lede reworded, paragraphs reordered            same     0.76      0.73
    shortened copy: first four of seven paragraphs             same     0.61      0.61
    edited throughout: a few words changed in every paragraph  same     0.51      0.51
    teaser: first three of seven paragraphs                    same     0.50      0.48
    same event rewritten from scratch                          other    0.02      0.01
    follow-up reusing a background paragraph                   other    0.11      0.12
    follow-up reusing two background paragraphs                other    0.22      0.23
    two short briefs sharing a newsletter footer               other    0.37      0.39
    same topic, same week, other story                         other    0.03      0.03
    related topic (AI factories vs gigafactories)              other    0.00      0.00
    unrelated policy stories                                   other    0.01      0.02

    Outside the table: the sample site's syndicated copy scores 0.96 and its other 405 pairs at most
    0.05; the 3,570 pairs of the 85 real articles in the extraction-dev set score at most 0.07.

    Shingle size: the lowest "same" and highest "other" Jaccard are 0.50 / 0.37 with 3 words,
    0.42 / 0.37 with 4, 0.35 / 0.36 with 5 (every edited word breaks as many shingles as it has words,
    so longer shingles punish light edits, while unrelated bodies stay under 0.07 even with 3 words).

    Threshold 0.45: midway between 0.37 and 0.50 in true Jaccard. The estimate's standard error with
    128 slots is about 0.044 there, so a pair at 0.50 joins about 9 times in 10 and one at 0.37
    wrongly joins about 3 times in 100; copies and light edits (0.55 and up) join every time.
    Rewrites from scratch and translations are not near-duplicates and stay separate stories.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from hashlib import blake2b

from storage.minhash import SLOTS, pack

SHINGLE_WORDS = 3
MIN_SHINGLES = 50  # shorter bodies (about 50 words) get no signature: too little text to call a copy
_EMPTY = 1 << 64  # above every 64-bit hash: marks a slot no shingle fell into
_WORD = re.compile(r"\w+")
_COMBINING = re.compile("[" + "".join(c for c in map(chr, range(0x300, 0xFE30)) if unicodedata.combining(c)) + "]")


def _words(text: str) -> list[str]:
    """Lower-cased words without accents or punctuation, so typography and casing never tell copies apart."""
    return _WORD.findall(_COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold())))


def shingles(text: str) -> set[str]:
    """The body's distinct runs of SHINGLE_WORDS consecutive words."""
    words = _words(text)
    return set(map(" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)))))


def _hashes(items: set[str]) -> tuple[int, ...]:
    return struct.unpack(f"<{len(items)}Q", b"".join([_hash(item) for item in items]))


def _probe_orders() -> tuple[tuple[int, ...], ...]:
    """For each slot, the pseudo-random order in which it looks for a filled slot to borrow from when empty.

    Ordered by a hash rather than drawn with ``random``, whose sequences may change between Python
    versions: stored signatures must stay comparable with new ones.
    """
    return tuple(tuple(sorted(range(SLOTS), key=lambda other: _hash(f"probe {slot} {other}"))) for slot in range(SLOTS))


def _hash(text: str) -> bytes:
    return blake2b(text.encode(), digest_size=8).digest()


_PROBES = _probe_orders()


def body_signature(text: str) -> bytes | None:
    """The body's MinHash signature, or None for a body too short to compare."""
    items = shingles(text)
    if len(items) < MIN_SHINGLES:
        return None
    lowest = [_EMPTY] * SLOTS
    for value in _hashes(items):
        slot = value & (SLOTS - 1)
        if value < lowest[slot]:
            lowest[slot] = value
    return pack([_densified(lowest, slot) for slot in range(SLOTS)])


def _densified(lowest: list[int], slot: int) -> int:
    """The slot's own minimum, or the first filled slot's in its probe order (the values keep their slot bits)."""
    if lowest[slot] != _EMPTY:
        return lowest[slot]
    return next(lowest[other] for other in _PROBES[slot] if lowest[other] != _EMPTY)
