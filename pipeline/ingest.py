"""From a fetched page to a storable article: extract, normalize, tag (pure, no Scrapy).

:func:`process_page` is the one code path for every page newsmon stores: the crawler runs it in its
extraction pool (:mod:`pipeline.extraction_pool`) so that both cores extract while the reactor keeps
downloading, and ``newsmon reextract`` runs it over stored pages. ``newsmon extract`` shows users the
same ``decode_html`` + ``extract_article`` steps on local files.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.extract import ExtractionOptions, NotAnArticle, decode_html, extract_article
from pipeline.pages import Dropped, Page
from pipeline.stories import body_signature
from pipeline.tagging import Tagger, to_record
from pipeline.urls import normalize_url
from storage.records import ArticleRecord, compress_html

HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_html_type(content_type: str | None) -> bool:
    """True for HTML media types, and for a missing header (the body is sniffed later)."""
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


def process_page(page: Page, tagger: Tagger, options: ExtractionOptions) -> ArticleRecord | Dropped:
    """Extract, tag, sign (MinHash, for story clusters) and normalize one page; a bad page returns Dropped."""
    if not is_html_type(page.content_type):
        media_type = (page.content_type or "").split(";", 1)[0].strip()
        return Dropped(page.url, page.source, f"not HTML ({media_type})")
    try:
        html = decode_html(page.body, page.content_type)
        article = extract_article(html, page.url, replace(options, fallback_date=page.listed_at))
    except NotAnArticle as exc:
        return Dropped(page.url, page.source, exc.reason)
    url = normalize_url(article.url)  # extraction only declares a canonical URL that normalizes
    aliases = {normalize_url(u) for u in (page.url, page.requested_url) if u} - {url}
    return ArticleRecord(
        url=url,
        source=page.source,
        title=article.title,
        text=article.text,
        authors=list(article.authors),
        published_at=article.published_at,
        language=article.language,
        description=article.description,
        html_gz=compress_html(html.encode("utf-8")),  # UTF-8: re-extraction never guesses the charset again
        fetched_at=page.fetched_at,
        tags=[to_record(match) for match in tagger.tag(article.title, article.text)],
        aliases=sorted(aliases),
        minhash=body_signature(article.text),
    )
