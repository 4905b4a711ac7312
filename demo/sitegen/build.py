"""Write `demo/site/www/` and `demo/site/manifest.json` from the outlet modules.

Run `python -m demo.sitegen` after editing an article; `python -m demo.sitegen --check` (and the
test suite) fails when the committed files are not what the modules produce. Keeping pages, feeds
and manifest in one generator is what stops the golden data from drifting away from the pages.
"""

from __future__ import annotations

import argparse
import filecmp
import gzip
import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from posixpath import join as urljoin_path
from urllib.parse import urljoin

from demo.sitegen import brussels_byte, compute_courier, journal_du_numerique, tech_tagesblatt
from demo.sitegen.feeds import render_source
from demo.sitegen.model import TOPICS, Article, Outlet, Page, Source

OUTLETS: tuple[Outlet, ...] = (
    brussels_byte.OUTLET,
    compute_courier.OUTLET,
    journal_du_numerique.OUTLET,
    tech_tagesblatt.OUTLET,
)
SITE_DIR = Path(__file__).resolve().parent.parent / "site"
DISALLOWED_PREFIX = "/private/"
MOST_READ = 4
RELATED = 3


# --- checks -------------------------------------------------------------------------------------


def validate(outlets: Sequence[Outlet]) -> None:
    """Refuse to write a site whose manifest would lie; every message names the article."""
    articles = [a for o in outlets for a in o.articles]
    paths = [a.path for a in articles]
    problems = [f"duplicate path {p}" for p in sorted({p for p in paths if paths.count(p) > 1})]
    problems += [p for a in articles for p in _article_problems(a, set(paths))]
    if not 24 <= len(articles) <= 36:
        problems.append(f"expected 24 to 36 articles, found {len(articles)}")
    if problems:
        raise ValueError("invalid sample site:\n  " + "\n  ".join(problems))


def _article_problems(a: Article, paths: set[str]) -> Iterable[str]:
    if not any(a.body_phrase in p for p in a.paragraphs):
        yield f"{a.path}: body_phrase not in any paragraph"
    if unknown := set(a.topics) - set(TOPICS):
        yield f"{a.path}: unknown topics {sorted(unknown)}"
    if a.trap and a.topics:
        yield f"{a.path}: trap pages must expect no topics"
    if a.syndicated_of and a.syndicated_of not in paths:
        yield f"{a.path}: syndicated_of {a.syndicated_of} is not an article"
    if a.disallowed != a.path.startswith(DISALLOWED_PREFIX):
        yield f"{a.path}: disallowed pages, and only they, live under {DISALLOWED_PREFIX}"
    if not 4 <= len(a.paragraphs) <= 10:
        yield f"{a.path}: expected 4 to 10 paragraphs"


# --- page boxes ---------------------------------------------------------------------------------


def most_read(article: Article, outlet: Outlet) -> list[Article]:
    """Headlines on other topics first: the sidebar trap for the tagger."""
    others = sorted((a for a in outlet.articles if a != article and not a.disallowed), key=_age)
    off_topic = [a for a in others if a.topics and not set(a.topics) & set(article.topics)]
    return (off_topic + [a for a in others if a not in off_topic])[:MOST_READ]


def related(article: Article, outlet: Outlet, taken: Sequence[Article]) -> list[Article]:
    """Same-topic stories first, then the latest; never repeats the sidebar."""
    others = sorted((a for a in outlet.articles if a != article and a not in taken and not a.disallowed), key=_age)
    same = [a for a in others if set(a.topics) & set(article.topics)]
    return (same + [a for a in others if a not in same])[:RELATED]


def _age(article: Article) -> float:
    return article.days_ago


def page(article: Article, outlet: Outlet) -> Page:
    top = most_read(article, outlet)
    return Page(article=article, most_read=top, related=related(article, outlet, top))


# --- writing ------------------------------------------------------------------------------------


def build(site_dir: Path = SITE_DIR, outlets: Sequence[Outlet] = OUTLETS) -> None:
    """(Re)write site_dir/www and site_dir/manifest.json."""
    validate(outlets)
    www = site_dir / "www"
    if www.exists():
        shutil.rmtree(www)
    for outlet in outlets:
        _write_outlet(www, outlet)
    _write(www, "/robots.txt", robots_txt(outlets).encode())
    _write(www, "/index.html", index_html(outlets).encode())
    _write(www, brussels_byte.PDF, pdf_bytes(["InvestAI explained", "A two-page factsheet by Brussels Byte."]))
    text = json.dumps(manifest(outlets), ensure_ascii=False, indent=2) + "\n"
    (site_dir / "manifest.json").write_text(text, encoding="utf-8")


def _write_outlet(www: Path, outlet: Outlet) -> None:
    for article in outlet.articles:
        html = outlet.render(outlet, page(article, outlet))
        _write(www, article.file, html.encode(article.encoding))
    for source in outlet.sources:
        data = render_source(outlet, source).encode()
        _write(www, source.path, gzip.compress(data, mtime=0) if source.path.endswith(".gz") else data)


def _write(www: Path, url_path: str, data: bytes) -> None:
    target = www / url_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def robots_txt(outlets: Sequence[Outlet]) -> str:
    """One Disallow rule for everyone; the sitemaps are advertised as real sites do."""
    sitemaps = [s.path for o in outlets for s in o.sources if s.kind in ("news_sitemap", "sitemap_index")]
    sitemaps = [p for p in sitemaps if not _is_child(p, outlets)]
    lines = ["User-agent: *", f"Disallow: {DISALLOWED_PREFIX}", "Crawl-delay: 0", ""]
    return "\n".join(lines + [f"Sitemap: {{{{BASE}}}}{p}" for p in sitemaps]) + "\n"


def _is_child(path: str, outlets: Sequence[Outlet]) -> bool:
    return any(path in s.children for o in outlets for s in o.sources)


def index_html(outlets: Sequence[Outlet]) -> str:
    """A start page for humans browsing the demo; crawlers never need it."""
    blocks = "\n".join(_index_block(o) for o in outlets)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>newsmon sample news site</title>\n</head>\n<body>\n"
        "<h1>newsmon sample news site</h1>\n"
        "<p>Four fictional outlets for the newsmon demo and tests. All articles are invented.</p>\n"
        f"{blocks}\n</body>\n</html>\n"
    )


def _index_block(outlet: Outlet) -> str:
    sources = "".join(f'<li><a href="{s.path}">{s.path}</a> ({s.kind})</li>' for s in outlet.sources)
    articles = "".join(f'<li><a href="{a.path}">{a.title}</a></li>' for a in outlet.articles)
    return f"<h2>{outlet.name}</h2>\n<ul>{sources}</ul>\n<ol>{articles}</ol>"


def pdf_bytes(lines: Sequence[str]) -> bytes:
    """A minimal valid one-page PDF, so the non-HTML link is a real document."""
    text = " 0 -24 Td ".join(f"({line}) Tj" for line in lines)
    stream = f"BT /F1 18 Tf 72 720 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- manifest -----------------------------------------------------------------------------------


def manifest(outlets: Sequence[Outlet]) -> dict[str, object]:
    """Everything a test needs to know about the site, in URL paths (join them to the base URL)."""
    linked = _linked_from(outlets)
    return {
        "generated_by": "python -m demo.sitegen",
        "topics": list(TOPICS),
        "outlets": [_outlet_row(o) for o in outlets],
        "articles": [_article_row(a, o) for o in outlets for a in o.articles],
        "redirects": {old: a.path for o in outlets for a in o.articles for old in a.redirect_from},
        "missing": [{"path": brussels_byte.MISSING, "linked_from": linked[brussels_byte.MISSING]}],
        "non_html": [
            {"path": brussels_byte.PDF, "content_type": "application/pdf", "linked_from": linked[brussels_byte.PDF]}
        ],
        "oversized": {"path": compute_courier.LIVEBLOG, "linked_from": linked[compute_courier.LIVEBLOG]},
        "broken_sources": [
            {"outlet": o.id, "path": s.path, "kind": s.kind, "problem": s.broken}
            for o in outlets
            for s in o.sources
            if s.broken
        ],
        "robots": {"path": "/robots.txt", "disallow": [DISALLOWED_PREFIX], "crawl_delay": 0},
    }


def _outlet_row(outlet: Outlet) -> dict[str, object]:
    return {
        "id": outlet.id,
        "name": outlet.name,
        "language": outlet.language,
        "sources": [_source_row(s) for s in outlet.sources],
    }


def _source_row(source: Source) -> dict[str, object]:
    return {
        "kind": source.kind,
        "path": source.path,
        "gzipped": source.path.endswith(".gz"),
        "relative_links": source.relative_links,
        "broken": source.broken,
        "children": list(source.children),
        "links": resolved_links(source),
    }


def resolved_links(source: Source) -> list[str]:
    """The URL paths (with query) a crawler should request after reading this source."""
    return [urljoin(source.path, e.href) for e in source.entries]


def _article_row(a: Article, outlet: Outlet) -> dict[str, object]:
    top = most_read(a, outlet)
    return {
        "path": a.path,
        "file": urljoin_path("www", a.file.lstrip("/")),
        "outlet": outlet.id,
        "language": outlet.language,
        "title": a.title,
        "author": a.author,
        "published_days_ago": a.days_ago,
        "date_source": a.date_mode,
        "body_phrase": a.body_phrase,
        "sidebar_phrase": top[0].title,
        "most_read": [t.title for t in top],
        "topics": list(a.topics),
        "trap": a.trap,
        "syndicated_of": a.syndicated_of,
        "disallowed": a.disallowed,
        "redirect_from": list(a.redirect_from),
        "tracking_url": f"{a.path}?{a.tracking_query}" if a.tracking_query else None,
        "encoding": a.encoding,
    }


def _linked_from(outlets: Sequence[Outlet]) -> dict[str, list[str]]:
    linked: dict[str, list[str]] = {}
    for source in (s for o in outlets for s in o.sources):
        for link in resolved_links(source):
            linked.setdefault(link, []).append(source.path)
    return linked


# --- check --------------------------------------------------------------------------------------


def check(site_dir: Path = SITE_DIR) -> list[str]:
    """Paths under site_dir that differ from a fresh build (empty when up to date)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        build(fresh)
        return _diff(fresh, site_dir, ["manifest.json"]) + _diff_tree(fresh / "www", site_dir / "www")


def _diff_tree(fresh: Path, current: Path) -> list[str]:
    names = {p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()}
    if current.exists():
        names |= {p.relative_to(current).as_posix() for p in current.rglob("*") if p.is_file()}
    return [f"www/{n}" for n in _diff(fresh, current, sorted(names))]


def _diff(fresh: Path, current: Path, names: Iterable[str]) -> list[str]:
    return [n for n in names if not _same(fresh / n, current / n)]


def _same(a: Path, b: Path) -> bool:
    if not (a.is_file() and b.is_file()):
        return False
    if a.suffix == ".gz":  # zlib versions may compress differently; compare the content
        return gzip.decompress(a.read_bytes()) == gzip.decompress(b.read_bytes())
    return filecmp.cmp(a, b, shallow=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.sitegen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = check()
        print("\n".join(stale) if stale else "demo/site is up to date")
        return 1 if stale else 0
    build()
    print(f"wrote {SITE_DIR}")
    return 0
