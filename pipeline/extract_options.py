"""How strict extraction is: one :class:`ExtractionOptions` per crawl, passed to every extraction.

Its own module, free of extraction's libraries: the crawler builds the options for its extraction
workers and never loads trafilatura itself (see :mod:`pipeline.extraction_pool`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Settings


@dataclass(frozen=True, slots=True)
class ExtractionOptions:
    """How strict extraction is; build one per crawl and pass it to every call."""

    min_text_chars: int = 400  # a shorter body is a teaser, a paywall stub or an error page
    fallback_date: datetime | None = None  # from the feed or sitemap entry, trusted over guessing
    favor_precision: bool = True  # trafilatura's precision mode: less sidebar and teaser text
    guess_date: bool = True  # let htmldate search the page when nothing declares a date
    max_link_share: float = 0.5  # a body made mostly of link texts is a listing, not an article
    min_language_hits: int = 10  # stop words needed before the detector names a language


def extraction_options(settings: Settings) -> ExtractionOptions:
    """The options every extraction of this config uses: the crawler's, ``reextract``'s, ``extract``'s."""
    return ExtractionOptions(min_text_chars=settings.crawl.min_text_chars)
