"""Rewrite the "expected" part of expected.json from what extract_article returns today.

Run from the repository root after changing extraction, then read the diff field by field before
committing it: these values were checked by hand, and a changed value is either a fix or a bug.

    .venv/bin/python -m tests.pages.regenerate

Per page, expected.json holds the inputs (written by hand and kept as they are): the URL it was
fetched from, optional ExtractionOptions values and the boilerplate the body must not contain
("text_excludes"); and under "expected" either every Article field or {"not_an_article": reason}.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.extract import Article, ExtractionOptions, NotAnArticle, extract_article

PAGES = Path(__file__).parent
MANIFEST = PAGES / "expected.json"


def load_manifest() -> dict[str, dict[str, Any]]:
    manifest: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return manifest


def options_for(case: dict[str, Any]) -> ExtractionOptions:
    """Options from the manifest: dates as ISO 8601 strings, everything else as JSON values."""
    values = dict(case.get("options", {}))
    if "fallback_date" in values:
        values["fallback_date"] = datetime.fromisoformat(values["fallback_date"])
    return ExtractionOptions(**values)


def as_json(article: Article) -> dict[str, Any]:
    fields = asdict(article)
    published_at = fields["published_at"]
    return {**fields, "published_at": published_at.isoformat() if published_at else None}


def observed(name: str, case: dict[str, Any]) -> dict[str, Any]:
    """The page's Article as JSON, or the reason it is not one."""
    try:
        article = extract_article((PAGES / name).read_bytes(), case["url"], options_for(case))
    except NotAnArticle as exc:
        return {"not_an_article": exc.reason}
    return as_json(article)


def main() -> None:
    manifest = load_manifest()
    for name, case in manifest.items():
        case["expected"] = observed(name, case)
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
