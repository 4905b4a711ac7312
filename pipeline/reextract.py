"""Re-running extraction and tagging over the archive's stored pages, without fetching anything.

Useful after an extraction improvement or a topic change. Each article keeps its identity (URL,
source, fetch time); its extracted fields and tags are replaced. A page that no longer yields an
article keeps what was stored before: re-extraction never loses data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from pipeline.config import Settings, story_options
from pipeline.extraction_pool import ExtractionPool
from pipeline.pages import Dropped, Page
from storage.articles import ArticleRecord, StoredPage, iter_pages, upsert_articles

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReextractResult:
    articles: int
    updated: int
    kept: int  # pages that no longer yield an article: their stored fields were left as they were


def _page(stored: StoredPage) -> Page:
    return Page(
        url=stored.url,
        source=stored.source,
        body=stored.html,
        content_type="text/html; charset=utf-8",  # stored pages are transcoded to UTF-8 at crawl time
        listed_at=stored.published_at,
        fetched_at=stored.fetched_at,
    )


def reextract_archive(engine: Engine, settings: Settings, batch_size: int = 200) -> ReextractResult:
    """Extract and tag every stored page again with the current code and topics, in parallel."""
    pool = ExtractionPool.for_settings(settings)
    articles = updated = kept = 0
    try:
        for batch in iter_pages(engine, batch_size):
            records: list[ArticleRecord] = []
            for stored, result in zip(batch, pool.process_all(_page(page) for page in batch)):
                if isinstance(result, Dropped):
                    logger.warning("%s: kept as stored, re-extraction found no article (%s)", stored.url, result.reason)
                    kept += 1
                else:  # same identity even if the page now declares another canonical URL
                    records.append(replace(result, url=stored.url, aliases=()))
            upsert_articles(engine, records, story_options(settings))
            articles += len(batch)
            updated += len(records)
    finally:
        pool.close()
    return ReextractResult(articles, updated, kept)
