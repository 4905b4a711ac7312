"""Writers for the discovery files: RSS 2.0, Atom, Google News sitemaps, sitemaps and indexes.

Each returns XML text with placeholders. Links are made absolute (`{{BASE}}` + path) unless the
source is marked `relative_links`, in which case they are written exactly as the entry gives them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from demo.sitegen.model import Entry, Outlet, Source, day, iso, rfc822

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def render_source(outlet: Outlet, source: Source) -> str:
    """Dispatch on the source kind; broken sources are cut off mid-file."""
    writers = {
        "rss": _rss,
        "atom": _atom,
        "news_sitemap": _news_sitemap,
        "sitemap": _sitemap,
        "sitemap_index": _sitemap_index,
    }
    text = writers[source.kind](outlet, source)
    return _truncate(text) if source.broken else text


def _href(source: Source, href: str) -> str:
    return href if source.relative_links or not href.startswith("/") else "{{BASE}}" + href


def _rss(outlet: Outlet, source: Source) -> str:
    home = _href(source, f"/{outlet.id}/")
    self_link = "" if source.relative_links else (
        f'    <atom:link href="{{{{BASE}}}}{source.path}" rel="self" type="application/rss+xml"/>\n'
    )
    items = "".join(_rss_item(source, e) for e in source.entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "  <channel>\n"
        f"    <title>{escape(outlet.name)}</title>\n"
        f"    <link>{escape(home)}</link>\n"
        f"    <description>{escape(outlet.name)}: latest stories</description>\n"
        f"    <language>{outlet.language}</language>\n"
        f"    <lastBuildDate>{rfc822(_newest(source))}</lastBuildDate>\n"
        f"{self_link}{items}"
        "  </channel>\n"
        "</rss>\n"
    )


def _rss_item(source: Source, entry: Entry) -> str:
    link = escape(_href(source, entry.href))
    guid = escape(entry.href.split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    return (
        "    <item>\n"
        f"      <title>{escape(entry.title)}</title>\n"
        f"      <link>{link}</link>\n"
        f'      <guid isPermaLink="false">{guid}</guid>\n'
        f"      <pubDate>{rfc822(entry.days_ago)}</pubDate>\n"
        f"      <dc:creator>{escape(entry.author)}</dc:creator>\n"
        f"      <description>{escape(entry.summary)}</description>\n"
        "    </item>\n"
    )


def _atom(outlet: Outlet, source: Source) -> str:
    entries = "".join(_atom_entry(outlet, source, e) for e in source.entries)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.language}">\n'
        f"  <title>{escape(outlet.name)}</title>\n"
        f"  <id>tag:{outlet.id}.example,2025:feed</id>\n"
        f"  <updated>{iso(_newest(source))}</updated>\n"
        f'  <link rel="self" type="application/atom+xml" href="{{{{BASE}}}}{source.path}"/>\n'
        f'  <link rel="alternate" type="text/html" href="{{{{BASE}}}}/{outlet.id}/"/>\n'
        f"{entries}"
        "</feed>\n"
    )


def _atom_entry(outlet: Outlet, source: Source, entry: Entry) -> str:
    return (
        "  <entry>\n"
        f"    <title>{escape(entry.title)}</title>\n"
        f'    <link rel="alternate" type="text/html" href={quoteattr(_href(source, entry.href))}/>\n'
        f"    <id>tag:{outlet.id}.example,2025:{escape(entry.href)}</id>\n"
        f"    <published>{iso(entry.days_ago)}</published>\n"
        f"    <updated>{iso(entry.days_ago)}</updated>\n"
        f"    <author><name>{escape(entry.author)}</name></author>\n"
        f"    <summary>{escape(entry.summary)}</summary>\n"
        "  </entry>\n"
    )


def _news_sitemap(outlet: Outlet, source: Source) -> str:
    urls = "".join(_news_url(outlet, source, e) for e in source.entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{urls}</urlset>\n'
    )


def _news_url(outlet: Outlet, source: Source, entry: Entry) -> str:
    return (
        "  <url>\n"
        f"    <loc>{escape(_href(source, entry.href))}</loc>\n"
        "    <news:news>\n"
        "      <news:publication>\n"
        f"        <news:name>{escape(outlet.name)}</news:name>\n"
        f"        <news:language>{outlet.language}</news:language>\n"
        "      </news:publication>\n"
        f"      <news:publication_date>{iso(entry.days_ago)}</news:publication_date>\n"
        f"      <news:title>{escape(entry.title)}</news:title>\n"
        "    </news:news>\n"
        "  </url>\n"
    )


def _sitemap(outlet: Outlet, source: Source) -> str:
    urls = "".join(
        f"  <url>\n    <loc>{escape(_href(source, e.href))}</loc>\n    <lastmod>{day(e.days_ago)}</lastmod>\n"
        "    <changefreq>monthly</changefreq>\n  </url>\n"
        for e in source.entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{urls}</urlset>\n'


def _sitemap_index(outlet: Outlet, source: Source) -> str:
    by_path = {s.path: s for s in outlet.sources}
    children = "".join(
        f"  <sitemap>\n    <loc>{{{{BASE}}}}{child}</loc>\n"
        f"    <lastmod>{iso(_newest(by_path[child]))}</lastmod>\n  </sitemap>\n"
        for child in source.children
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n{children}</sitemapindex>\n'


def _newest(source: Source) -> float:
    return min((e.days_ago for e in source.entries), default=0)


def _truncate(text: str) -> str:
    """Cut inside the third item's title, like a CMS that died while writing the file."""
    start = text.index("<item>", text.index("<item>", text.index("<item>") + 1) + 1)
    return text[: text.index("<title>", start) + len("<title>") + 12]
