"""Re-applying the configured topics to every stored article, without fetching anything.

Run after editing topics: tags are recomputed from the stored title and body, and only the
differences are written, so a retag of an unchanged archive writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from pipeline.tagging import Tagger, to_record
from storage.articles import StoredText, apply_tag_changes, iter_texts, tags_of
from storage.records import TagRecord


@dataclass(frozen=True, slots=True)
class RetagResult:
    articles: int
    added: int  # (article, topic) pairs that gained the tag
    removed: int  # pairs that lost it
    updated: int  # pairs kept, with a new sentence or hit count


def retag_archive(engine: Engine, tagger: Tagger, batch_size: int = 2000) -> RetagResult:
    """Recompute every article's tags with ``tagger``; each batch is committed on its own."""
    totals = [0, 0, 0, 0]
    for batch in iter_texts(engine, batch_size):
        with engine.begin() as connection:
            old = tags_of(connection, [article.id for article in batch])
            removed, upserted, added = _diff(batch, old, tagger)
            apply_tag_changes(connection, removed, upserted)
        for index, value in enumerate((len(batch), added, len(removed), len(upserted) - added)):
            totals[index] += value
    return RetagResult(*totals)


def _diff(
    batch: list[StoredText], old: dict[int, dict[str, TagRecord]], tagger: Tagger
) -> tuple[list[tuple[int, str]], list[tuple[int, TagRecord]], int]:
    removed: list[tuple[int, str]] = []
    upserted: list[tuple[int, TagRecord]] = []
    added = 0
    for article in batch:
        new = {match.topic: to_record(match) for match in tagger.tag(article.title, article.text)}
        before = old[article.id]
        removed.extend((article.id, topic) for topic in before.keys() - new.keys())
        for topic, record in new.items():
            if before.get(topic) != record:
                upserted.append((article.id, record))
                added += topic not in before
    return removed, upserted, added
