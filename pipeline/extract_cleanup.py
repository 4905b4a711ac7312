"""Boilerplate that survives trafilatura: bylines, datelines, "read more" prompts, calls to action.

Part of :mod:`pipeline.extract`. Two passes, both general (no site names, patterns in the
languages newsmon reads):

- before extraction, :func:`byline_elements` finds short elements that the page itself marks as a
  byline, author, dateline or kicker (class, id, itemprop or rel), which trafilatura often keeps;
- after extraction, :func:`clean_body` drops lines of text by what they say and where they stand.
  Prompts and calls to action ("Read more: ...", "Sign up for our newsletter") go wherever they
  are; lines that only look like boilerplate at the edge of an article (the headline again, a
  byline, a date, link lists, tags, a copyright notice) go only from the start or the end, where
  the article's own sentences rarely look like that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement

__all__ = ["BYLINE_WORD", "BodyContext", "byline_elements", "clean_body", "first_byline", "squash"]

# --- elements marked as byline ------------------------------------------------------------------

# Matched against case-folded values: with re.IGNORECASE instead, this function took 2.2 ms a page on
# the development pages (a news page has a thousand class and id values), 1.2 ms so.
_BYLINE_MARK = re.compile(r"byline|author|autor|auteur|signature|dateline|kicker|eyebrow|overline|dachzeile|rubrique")
_MARKS = XPath("//@class|//@id|//@itemprop|//@rel")  # attribute values: cheaper than visiting every element
_MAX_BYLINE_CHARS = 150  # a byline names people and a date; longer is an author's bio or an article
_NEVER_BYLINES = frozenset({"html", "body", "article", "main", "head", "meta", "link", "script", "style"})


def byline_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Short elements whose class, id, itemprop or rel says byline, author, dateline or kicker."""
    marked = dict.fromkeys(mark.getparent() for mark in _MARKS(tree) if _BYLINE_MARK.search(mark.casefold()))
    return [element for element in marked if _is_short_block(element)]


def first_byline(elements: list[HtmlElement]) -> str | None:
    """The text of the first byline element that reads as one ("By Anna Keller | 5 March")."""
    texts = (" ".join(element.text_content().split()) for element in elements)
    return next((text for text in texts if _is_byline_line(text)), None)


def _is_short_block(element: HtmlElement) -> bool:
    return element.tag not in _NEVER_BYLINES and len(element.text_content().strip()) <= _MAX_BYLINE_CHARS


# --- lines ---------------------------------------------------------------------------------------


_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def squash(text: str) -> str:
    """Letters and digits only, case-folded: how a line is compared with a title or a link text."""
    return _NOT_ALPHANUMERIC.sub("", text.casefold())


@dataclass(frozen=True, slots=True)
class BodyContext:
    """What the page says about itself that tells boilerplate lines apart."""

    titles: frozenset[str]  # squashed headline variants: og:title, <title>, h1
    link_texts: tuple[str, ...]  # squashed texts of the page's links, at least three characters long


_WORDS = re.compile(r"\w+")
_LINK_LINE_SHARE = 0.8  # of a line's letters inside link texts: a headline list, a tag list, a menu
_MAX_PROMPT_CHARS = 200  # "Read more: <a headline>"; longer is a paragraph that happens to start so
_MAX_CTA_CHARS = 300  # a call to action is a sentence or two
_MAX_EDGE_WORDS = 12  # bylines, datelines and labels are short
_MAX_CREDIT_WORDS = 40  # "Reporting by ...; additional reporting by ...; Editing by ..." names several people


def _pattern(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


# "Read more: ...", "Related: ...", "DON'T MISS", "Lesen Sie auch", "À lire aussi" ...
_PROMPT = _pattern(
    r"^\W*(?:read more|read also|related(?: articles?| stories| coverage)?|more|also|see also|also read"
    r"|you may also like|you might also like|recommended|don['’]?t miss|most read\b[^.!?]*|most popular|trending"
    r"|lesen sie auch|lesen sie mehr|mehr zum thema|auch interessant|weitere artikel|meistgelesen"
    r"|à lire aussi|a lire aussi|lire aussi|voir aussi|les plus lus|sur le même sujet"
    r"|leggi anche|potrebbe interessarti|lee también|lea también|te puede interesar|leia também|leia mais"
    r"|lees ook|meer over|zobacz też|zobacz także|czytaj też|czytaj także|przeczytaj też)\b\W*(?::|$|\.\.\.|…)"
)
# Calls to action. A newsletter pitch is an imperative ("Sign up", "Get", "Recevez", at the start of a
# sentence) and a newsletter or inbox in the same line: prose that mentions a newsletter is kept.
_SENTENCE_START = r"(?:^|[.!?:]\s+)\W*"
_PITCH = _pattern(
    _SENTENCE_START + r"(?:sign up|subscribe|get|receive|register|jetzt abonnieren|abonnieren sie|melden sie sich"
    r"|erhalten sie|abonnez-vous|inscrivez-vous|recevez|iscriviti|ricevi|suscríbete|recibe|assine|receba|abonneer"
    r"|schrijf je in|ontvang|zapisz się|otrzymuj)\b"
)
_PITCHED = _pattern(
    r"\b(?:newsletters?|inbox|mailbox|boîte (?:mail|aux lettres|de réception)|postfach|posteingang|bandeja de entrada"
    r"|casella (?:di posta|email)|caixa de entrada|skrzynk\w*)\b"
)
_CALL_TO_ACTION = _pattern(
    _SENTENCE_START
    + r"follow\b[^.!?]*\b(?:twitter|facebook|instagram|youtube|linkedin|tiktok|mastodon|bluesky|https?://)",
    r"\bfollow (?:us|him|her|them|me) on\b",
    r"\b(?:tell us|let us know|we['’]?d like to hear) what you think\b",
    r"^\W*(?:share (?:this|on)|click to tweet|leave a comment|add a comment|join the conversation)\b",
    r"\b(?:folgen sie uns|suivez-nous|seguici su|síguenos|siga-nos|volg ons|obserwuj nas)\b",
)
# the label of an ad slot, alone on its line
_AD_LABEL = _pattern(
    r"^\W*(?:advertisement|advertising|sponsored|anzeige|werbung|gesponsert|publicité|publicidad|pubblicità"
    r"|advertentie|publicidade|reklama)\W*$"
)
_NEWSLETTER_HEADING = _pattern(r"\bnewsletters?\b")  # "Pick Six Newsletter": the title of a sign-up box
# "By", "Von", "Par" ... before the names in a byline; "di" only in lower case, since "Di Maio" is a name
BYLINE_WORD = r"(?i:(?:(?:written|posted|reported)\s+)?(?:by|von|par|por|door|przez))\b|(?-i:di)\b"
# the name after the byline word must start with a capital: "By Anna Keller", not "by the way"
_BYLINE_LINE = re.compile(
    rf"^\W*(?:(?:{BYLINE_WORD})\s+|(?i:text|texto|tekst|words|photos?|autor|author|auteur|autore)\s*:\s*)\W*[^\W\d_]"
)
_CREDIT_LINE = _pattern(
    r"^\W*(?:(?:additional )?reporting|writing|editing|compiled|translated) by\b",
    r"^\W*(?:source|quelle|fuente|fonte|bron|źródło)\s*:",
)
_DATE_LIKE = re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}:\d\d\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
_READING_TIME = _pattern(
    r"\b(?:min(?:ute)?s? read|reading time|read time|lesezeit|temps de lecture|tempo de leitura|tiempo de lectura"
    r"|tempo di lettura|leestijd|czas czytania)\b"
)
_LABEL = _pattern(
    r"^\W*(?:tags?|tagged(?: with)?|topics?|filed under|categories|category|keywords|schlagwörter|schlagworte|themen"
    r"|mots-clés|étiquettes|etiquetas|temas|argomenti|trefwoorden|tagi|\d*\s*comments?|kommentare|commentaires"
    r"|comentarios|comentários|commenti|reacties|komentarze)\b\W*(?::.*)?$"
)
_COPYRIGHT = _pattern(r"^\W*(?:©|\(c\)|copyright\b|all rights reserved)")


def _short(line: str, words: int = _MAX_EDGE_WORDS) -> bool:
    return len(_WORDS.findall(line)) <= words


def _is_prompt(line: str) -> bool:
    return len(line) <= _MAX_PROMPT_CHARS and bool(_PROMPT.search(line))


def _is_call_to_action(line: str) -> bool:
    if len(line) > _MAX_CTA_CHARS:
        return False
    if _PITCH.search(line) and _PITCHED.search(line):
        return True
    return bool(_CALL_TO_ACTION.search(line)) or (_short(line, 4) and bool(_NEWSLETTER_HEADING.search(line)))


def _is_byline_line(line: str) -> bool:
    """ "By Anna Keller", "Par Claire Dubois, le": a capitalized name after a byline word, no sentence."""
    match = _BYLINE_LINE.match(line)
    if match is None or not line[match.end() - 1].isupper():
        return False
    return _short(line) and not line.rstrip().endswith(".")


def _is_dateline(line: str) -> bool:
    """ "Updated June 3, 2024", "sexta-feira, 22 de outubro de 2010 às 20:13", "5 min read"."""
    if not _short(line) or line.rstrip().endswith("."):
        return False
    return bool(_DATE_LIKE.search(line) or _READING_TIME.search(line))


def _links_line(line: str, context: BodyContext) -> bool:
    """Most of the line's letters are the text of links on the page: a menu, tags, more headlines."""
    squashed = squash(line)
    if not squashed:
        return True
    covered = bytearray(len(squashed))
    for link in context.link_texts:
        start = squashed.find(link)
        while start >= 0:
            covered[start : start + len(link)] = b"\x01" * len(link)
            start = squashed.find(link, start + len(link))
    return sum(covered) >= _LINK_LINE_SHARE * len(squashed)


def _is_head_boilerplate(line: str, context: BodyContext) -> bool:
    return squash(line) in context.titles or _is_byline_line(line) or _is_dateline(line) or _links_line(line, context)


def _is_tail_boilerplate(line: str, context: BodyContext) -> bool:
    return (
        _is_byline_line(line)
        or (_short(line) and bool(_LABEL.search(line) or _COPYRIGHT.search(line)))
        or (_short(line, _MAX_CREDIT_WORDS) and bool(_CREDIT_LINE.search(line)))
        or _links_line(line, context)  # calls to action are gone already, wherever they stood
    )


_MAX_BOX_LINES = 3  # a sign-up or follow-us box: the call to action and a few lines after it
_MAX_BOX_LINE = 120  # ... each short: a blurb or a button, not a paragraph of the article


def clean_body(text: str, context: BodyContext) -> str:
    """The article text without the boilerplate lines described in the module docstring."""
    lines = _drop_prompts([line for line in text.split("\n") if line.strip()], context)
    lines = _cut_tail_box(lines)
    lines = [line for line in lines if not (_is_call_to_action(line) or _AD_LABEL.search(line))]
    lines = _trim(lines, lambda line: _is_head_boilerplate(line, context))
    lines = _trim(lines[::-1], lambda line: _is_tail_boilerplate(line, context))[::-1]
    return "\n".join(lines)


def _drop_prompts(lines: list[str], context: BodyContext) -> list[str]:
    """Drop "Read more"-style prompts and the link lines that directly follow one (its headlines)."""
    kept: list[str] = []
    in_prompt = False
    for line in lines:
        in_prompt = _is_prompt(line) or (in_prompt and _links_line(line, context))
        if not in_prompt:
            kept.append(line)
    return kept


def _trim(lines: list[str], is_boilerplate: Callable[[str], bool]) -> list[str]:
    """Lines from the first one that is not boilerplate on."""
    start = next((index for index, line in enumerate(lines) if not is_boilerplate(line)), len(lines))
    return lines[start:]


def _cut_tail_box(lines: list[str]) -> list[str]:
    """End the article at a call to action among its last lines when only short lines follow it:
    a sign-up or follow-us box ("Pick Six Newsletter" / "Get the day's big stories ...")."""
    reach = max(len(lines) - _MAX_BOX_LINES, 1)  # never the first line: the article must keep something
    for index in range(reach, len(lines)):
        if _is_call_to_action(lines[index]) and all(len(line) <= _MAX_BOX_LINE for line in lines[index + 1 :]):
            return lines[:index]
    return lines
