"""Tag articles with the topics they are about. The product promises precision, so the rules are strict:

* A topic matches when one of its ``keywords`` (or ``patterns``) occurs in the title or body, one of its
  ``context`` terms (if it has any) occurs anywhere, and none of its ``exclude`` terms occurs anywhere.
  Context and exclude keep Tesla's gigafactories and the Stargate TV series out of AI-policy topics.
* Terms match whole words, bounded by ``(?<!\\w)`` and ``(?!\\w)``: "AI-gigafactory" and "(gigafactory)"
  count, "megagigafactoryX" does not.
* Terms ignore case and diacritics both ways ("regles" finds "règles", "règlement" finds "reglement"). Each
  letter becomes a class of its accented forms, so the regex runs on the original text and quotes it as is.
* Spaces and hyphens in a term match any run of spaces, no-break spaces, hyphens or dashes ("KI-Gigafabrik"
  finds "KI Gigafabrik"); an apostrophe matches ' and ’ ("d'IA" finds "d’IA").
* ``*`` stands for any word characters, usually at the end: "gigafactor*" finds gigafactory, gigafactories.
* Acronym rule: a single-word term in capitals with at most five letters ("AI", "KI", "IA", "GPAI", "EU")
  matches case-sensitively, because in lower case such words are common words in other languages (Italian
  "ai", French "j'ai"). Multi-word terms such as "AI Act" ignore case like all other terms.
* ``patterns`` are regular expressions used like keywords, case-insensitive, without added boundaries. They
  share one regex with the keywords, so they must not use numbered backreferences or global inline flags.

Speed: retagging runs over 100,000 articles, so a topic's keywords, context and exclude terms are compiled once
into one regex each. Before a regex runs, substring searches look for its terms' skeletons (no accents, case,
spaces, hyphens or apostrophes) in the article's skeleton; most topics are skipped without any regex.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from storage.records import TagRecord

_SEPARATOR = r"[\s\-\u2010-\u2015\u2212]+"  # \s includes the no-break spaces
_APOSTROPHE = "['\u2018\u2019\u02bc]"
_TERM_TOKEN = re.compile(rf"({_SEPARATOR})|({_APOSTROPHE})|(\*)|(.)", re.DOTALL)
_SQUEEZED = bytes(code for code in range(128) if re.match(r"[\s\-']", chr(code)))
_WORD_CHAR = re.compile(r"\w")
_LEFT_EDGE = r"(?<!\w)"
_GROUP_PREFIX = 4
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_WHITESPACE = re.compile(r"\s+")
_MAX_SENTENCE = 300
_ACRONYM_MAX_LETTERS = 5


class TopicLike(Protocol):
    """What the tagger reads from a configured topic (the validated config provides it)."""

    @property
    def name(self) -> str: ...
    @property
    def keywords(self) -> Sequence[str]: ...
    @property
    def context(self) -> Sequence[str]: ...
    @property
    def exclude(self) -> Sequence[str]: ...
    @property
    def patterns(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One topic found in an article, with the evidence a reader needs to trust it."""

    topic: str
    in_title: bool
    in_body: bool
    hits: int
    sentence: str


def to_record(match: TopicMatch) -> TagRecord:
    """The match as storage keeps it."""
    return TagRecord(match.topic, match.in_title, match.in_body, match.hits, match.sentence)


def _skeleton(text: str) -> bytes:
    """Text without accents, case, other scripts, spaces, hyphens or apostrophes, for the prefilter.

    A term's regex accepts for each letter only characters with that letter as skeleton, and separators have
    none, so the skeleton of any match contains the skeleton of the term's parts between wildcards.
    """
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").lower().translate(None, _SQUEEZED)


def _fold(char: str) -> str:
    """Skeleton of one character, usually one ASCII letter or digit, or "" for separators and other scripts."""
    return _skeleton(char).decode("ascii")


def _letter_variants() -> dict[str, str]:
    """Map each ASCII letter, per case, to itself and every Latin letter that folds to it ("e" -> "eéèê…")."""
    variants = {letter: letter for letter in string.ascii_letters}
    for char in map(chr, (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))):
        base = _fold(char)
        if char.isalpha() and len(base) == 1 and base.isalpha():
            variants[base.upper() if char.isupper() else base] += char
    return variants


_VARIANTS = _letter_variants()


def _char_source(char: str, exact_case: bool) -> str:
    """Regex for one term character: its accented and (unless exact_case) other-case forms."""
    base = _fold(char)
    if len(base) == 1 and base.isalpha():
        chars = _VARIANTS[base.upper()] if exact_case else _VARIANTS[base] + _VARIANTS[base.upper()]
    elif exact_case:
        chars = char
    else:
        cases = (char, char.lower(), char.upper())
        chars = "".join(dict.fromkeys(c for c in cases if len(c) == 1 and _fold(c) == base))
    return re.escape(chars) if len(chars) == 1 else f"[{re.escape(chars)}]"


def _token_source(token: re.Match[str], exact_case: bool) -> str:
    """Regex for one token of a term: a separator run, an apostrophe, a wildcard or a character."""
    separator, apostrophe, star, char = token.groups()
    if separator:
        return _SEPARATOR
    if apostrophe:
        return _APOSTROPHE
    return r"\w*" if star else _char_source(char, exact_case)


def _is_acronym(term: str) -> bool:
    """True for short all-capital single words ("AI", "GPAI", "GPU*"), which match case-sensitively."""
    word = term.rstrip("*")
    return word.isalnum() and word.isupper() and sum(map(str.isalpha, word)) <= _ACRONYM_MAX_LETTERS


def compile_term(term: str) -> str:
    """Regex source for one keyword, context or exclude term, following the rules in the module docstring.

    Public so that the config validator can reject bad terms with the same code that will run them.
    """
    term = _clean(term)
    exact_case = _is_acronym(term)
    body = "".join(_token_source(token, exact_case) for token in _TERM_TOKEN.finditer(term))
    left = _LEFT_EDGE if term[0] == "*" or _WORD_CHAR.match(term[0]) else ""
    right = r"(?!\w)" if _WORD_CHAR.match(term[-1]) else ""
    return left + body + right


def _clean(term: str) -> str:
    """The term stripped and composed like the text it runs on; blank or punctuation-only terms are errors."""
    term = unicodedata.normalize("NFC", term.strip())
    if not any(char.isalnum() for char in term):
        raise ValueError(f"term {term!r} needs at least one letter or digit")
    return term


def _anchor(term: str) -> bytes:
    """The longest skeleton piece between wildcards: any match of the term has it in its skeleton."""
    return max((_skeleton(piece) for piece in _clean(term).split("*")), key=len)


def _alternation(sources: Sequence[str]) -> re.Pattern[str]:
    """One regex for many terms, longest first so the fullest form is quoted.

    The shared left boundary is tested once per position instead of once per term: ten times faster.
    """
    ordered = sorted(sources, key=len, reverse=True)
    bounded = [source.removeprefix(_LEFT_EDGE) for source in ordered if source.startswith(_LEFT_EDGE)]
    parts = [f"(?:{source})" for source in ordered if not source.startswith(_LEFT_EDGE)]
    if bounded:
        parts.insert(0, _LEFT_EDGE + "(?:" + "|".join(bounded) + ")")
    return re.compile("|".join(parts))


def _anchor_groups(terms: Iterable[str]) -> tuple[tuple[bytes, tuple[bytes, ...]], ...]:
    """Anchors grouped by their first bytes: one search for the shared start saves most of the others."""
    groups: dict[bytes, list[bytes]] = {}
    for anchor in dict.fromkeys(map(_anchor, terms)):
        groups.setdefault(anchor[:_GROUP_PREFIX], []).append(anchor)
    return tuple((start, tuple(anchors)) for start, anchors in groups.items())


@dataclass(slots=True)
class _Terms:
    """A list of terms as one regex, plus anchors to skip the regex; no anchors (None) when patterns are used.

    The regex is compiled when an article first gets past the anchors. Compiling a list takes up to 50 ms
    (every letter is a class of its accented forms), and many lists are never needed by a crawl: the
    exclude terms of a topic its articles do not mention, or a topic whose keywords never occur.
    """

    sources: tuple[str, ...]
    anchors: tuple[tuple[bytes, tuple[bytes, ...]], ...] | None
    _regex: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, terms: Sequence[str], patterns: Sequence[str] = ()) -> _Terms | None:
        """Terms and patterns as the sources of one regex, or None when there are none."""
        sources = [compile_term(term) for term in terms] + [f"(?i:{pattern})" for pattern in patterns]
        if not sources:
            return None
        return cls(tuple(sources), None if patterns else _anchor_groups(terms))

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = _alternation(self.sources)
        return self._regex

    def __getstate__(self) -> tuple[tuple[str, ...], tuple[tuple[bytes, tuple[bytes, ...]], ...] | None]:
        """Without the compiled regex: an unpickled list (in an extraction worker) compiles at its first use."""
        return self.sources, self.anchors

    def __setstate__(self, state: tuple[tuple[str, ...], tuple[tuple[bytes, tuple[bytes, ...]], ...] | None]) -> None:
        (self.sources, self.anchors), self._regex = state, None

    def may_occur(self, skeleton: bytes) -> bool:
        """Cheap substring test on the article's skeleton; False means no term can occur in the article."""
        if self.anchors is None:
            return True
        return any(start in skeleton and any(a in skeleton for a in group) for start, group in self.anchors)

    def occur(self, title: str, body: str, skeleton: bytes) -> bool:
        """Whether a term occurs in title or body, searched apart so that no match spans the two."""
        if not self.may_occur(skeleton):
            return False
        return self.regex.search(title) is not None or self.regex.search(body) is not None


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], whitespace collapsed, cut around the hit when too long."""
    left = max((stop.end() for stop in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END.search(text, end)
    right = stop.end() if stop else len(text)
    before = _WHITESPACE.sub(" ", text[left:start]).lstrip()
    after = _WHITESPACE.sub(" ", text[end:right]).rstrip()
    return _shorten(before, _WHITESPACE.sub(" ", text[start:end]), after)


def _shorten(before: str, hit: str, after: str, limit: int = _MAX_SENTENCE) -> str:
    """Join the pieces, cutting both sides with "…" (shorter side kept whole) to stay within limit."""
    if len(before) + len(hit) + len(after) <= limit:
        return before + hit + after
    room = max(limit - len(hit) - 2, 0)
    keep_before = min(len(before), max(room // 2, room - len(after)))
    keep_after = room - keep_before
    if keep_before < len(before):
        before = "…" + before[len(before) - keep_before :].lstrip()
    if keep_after < len(after):
        after = after[:keep_after].rstrip() + "…"
    return before + hit + after


@dataclass(frozen=True, slots=True)
class _CompiledTopic:
    """A configured topic as regex sources and anchors, built once (each regex compiles at its first use)."""

    name: str
    keywords: _Terms
    context: _Terms | None
    exclude: _Terms | None

    @classmethod
    def build(cls, topic: TopicLike) -> _CompiledTopic:
        """A configured topic's regex sources; a topic with nothing to look for, or a blank term, is a
        configuration error."""
        keywords = _Terms.build(topic.keywords, topic.patterns)
        if keywords is None:
            raise ValueError(f"topic {topic.name!r} has no keywords or patterns")
        return cls(topic.name, keywords, _Terms.build(topic.context), _Terms.build(topic.exclude))

    def match(self, title: str, body: str, skeleton: bytes) -> TopicMatch | None:
        """Apply keyword, context and exclude rules; describe the hits if the topic matches."""
        if not self.keywords.may_occur(skeleton):
            return None
        title_hits = list(self.keywords.regex.finditer(title))
        body_hits = list(self.keywords.regex.finditer(body))
        if not (title_hits or body_hits) or not self._context_allows(title, body, skeleton):
            return None
        text, first = (title, title_hits[0]) if title_hits else (body, body_hits[0])
        sentence = _sentence(text, first.start(), first.end())
        hits = len(title_hits) + len(body_hits)
        return TopicMatch(self.name, bool(title_hits), bool(body_hits), hits, sentence)

    def _context_allows(self, title: str, body: str, skeleton: bytes) -> bool:
        """A context term is present (if any are configured) and no exclude term is."""
        if self.context is not None and not self.context.occur(title, body, skeleton):
            return False
        return self.exclude is None or not self.exclude.occur(title, body, skeleton)


class Tagger:
    """Built once from topics; reused for every article (retag runs over 100,000 articles).

    Building it compiles no regex: each list of terms is compiled at the first article that may hold
    one (see :class:`_Terms`), and a pickled tagger carries only regex sources. Compiling all the
    default topics takes about 0.3 s; a crawler builds the tagger only to send it to its extraction
    workers, so its start-up does not wait for that, and each worker compiles only the lists its
    articles need.
    """

    def __init__(self, topics: Iterable[TopicLike]) -> None:
        self._topics = [_CompiledTopic.build(topic) for topic in topics]

    def tag(self, title: str | None, text: str | None) -> list[TopicMatch]:
        """Topics found in an article, in topic order; a missing title or body counts as empty."""
        title = unicodedata.normalize("NFC", title or "")
        body = unicodedata.normalize("NFC", text or "")
        skeleton = _skeleton(f"{title}\n{body}")
        matches = (topic.match(title, body, skeleton) for topic in self._topics)
        return [match for match in matches if match is not None]
