"""A generated news site for benchmarks, and a fast HTTP/1.1 server for it.

    .venv/bin/python benchmarks/synthetic_site.py [--pages 2000] [--seed 1]

Serves on 127.0.0.1 (a free port) four outlets that share the pages between them: one lists its
articles in an RSS feed, one in an Atom feed, one in a Google News sitemap and one in a sitemap
index of two news sitemaps, all dated within the last ten days; robots.txt allows them.

Articles are 600 to 1,200 words of seeded news prose (one in three touches EU AI policy, one in 25
is another outlet's syndicated copy of the article before it) in a page built like real ones (see
``article_html``), 80 to 105 kB: cookie banner, mega-menu, share buttons, related cards, comments,
"most read" sidebar, footer, meta tags, JSON-LD, inline CSS and scripts.

Every response is rendered once, plain and gzipped, before the server prints ``ready <base url>``
on stdout; serving is then a dictionary look-up and one write on an asyncio loop with keep-alive,
a few hundredths of a millisecond of CPU per page.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import Any


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    slug: str
    listing: str  # rss, atom, news_sitemap or sitemap_index


OUTLETS = (
    Outlet("Brussels Wire", "brussels-wire", "rss"),
    Outlet("Compute Ledger", "compute-ledger", "atom"),
    Outlet("Digital Single Post", "digital-single-post", "news_sitemap"),
    Outlet("Euro Tech Observer", "euro-tech-observer", "sitemap_index"),
)
LISTING_PATHS = {
    "rss": "feed.rss", "atom": "feed.atom", "news_sitemap": "news-sitemap.xml", "sitemap_index": "sitemap.xml",
}
INDEX_CHILDREN = 2  # news sitemaps behind a sitemap index

# --- prose ------------------------------------------------------------------------------------
# A grammar over large word lists, so that unrelated articles share few three-word shingles (as real
# ones do, which keeps newsmon's near-duplicate index realistic), and about one article in 25 is a
# syndicated copy of the one before it, which newsmon should put in the same story.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Anna Marc Sofia Jens Elena Pieter Ingrid Luca Agnieszka Tomas Clara Mikkel Ioana Dimitris Laura Jonas Marta "
    "Henrik Chiara Pablo Eva Stefan Nora Matteo Katarzyna Lukas Ines Bram Zofia Antoine Lena Ruben Petra Emil "
    "Alessia Karl Irene Olivier Maja Viktor"
)
SURNAMES = _words(
    "Kowalska Dubois Rossi Albrecht Garcia Vries Nilsson Bianchi Nowak Novak Lefebvre Jensen Popescu Papadopoulos "
    "Martin Schmidt Ferreira Hansen Romano Lopez Horvat Wagner Lindqvist Moretti Wozniak Becker Santos Peeters "
    "Zielinska Girard Hoffmann Janssens Dvorak Larsen Conti Keller Marin Laurent Varga Petrov"
)
PLACES = _words(
    "Lisbon Porto Seville Valencia Lyon Marseille Toulouse Ghent Antwerp Utrecht Rotterdam Bremen Leipzig Dresden "
    "Graz Linz Brno Ostrava Krakow Gdansk Poznan Vilnius Riga Tallinn Tampere Turku Aarhus Malmo Gothenburg Bergen "
    "Cork Galway Bilbao Zaragoza Bologna Turin Naples Bari Trieste Ljubljana Zagreb Split Timisoara Cluj Plovdiv "
    "Varna Thessaloniki Patras Debrecen Szeged Kosice Namur Liege Lille Nantes Bordeaux Strasbourg Basel Innsbruck"
)
NOUNS = _words(
    "budget contract tender railway harbour pension hospital school court ministry council regulator grid pipeline "
    "subsidy tariff licence airport motorway bridge tunnel reservoir port refinery warehouse campus laboratory "
    "clinic library stadium festival museum market exchange bank insurer pharmacy bakery brewery vineyard farm "
    "forest river coastline dam turbine substation battery heatpump tram metro ferry bus depot terminal runway "
    "cable satellite antenna server datacentre chip foundry startup incubator fund bond loan deficit surplus tax "
    "levy fee wage salary strike union election referendum coalition party mayor governor treaty summit "
    "inspection audit inquiry lawsuit verdict appeal fine ban quota permit zoning housing rent mortgage "
    "tenancy shelter border customs visa asylum census survey poll forecast harvest drought flood wildfire storm "
    "heatwave vaccine trial diagnosis ambulance"
)
ADJECTIVES = _words(
    "regional national municipal provincial cross-border coastal rural urban northern southern eastern western "
    "central local public private cooperative independent temporary permanent experimental ambitious modest "
    "controversial popular unpopular costly cheap delayed accelerated revised draft final interim annual "
    "quarterly long-awaited overdue expanded reduced digital green electric hydrogen solar offshore onshore "
    "agricultural industrial medical academic cultural historic disputed emergency voluntary mandatory joint "
    "bilateral multilateral confidential leaked official informal unified fragmented shared"
)
VERBS = _words(
    "approved rejected delayed expanded postponed cancelled launched suspended reviewed audited financed "
    "criticised defended renegotiated extended shortened privatised nationalised restructured merged relocated "
    "reopened closed upgraded dismantled inspected challenged endorsed blocked lifted tightened relaxed doubled "
    "halved capped scrapped revived unveiled published leaked announced confirmed denied questioned"
)
KINDS = _words("authority agency board institute association federation union office fund council chamber consortium")
ROLES = ("a spokesperson", "the director", "an economist", "an analyst", "a lawyer", "a researcher", "the chair",
         "a senior member", "an adviser", "the deputy mayor", "a board member", "the treasurer")
TIMES = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "last week", "earlier this month",
         "over the weekend", "late on Tuesday", "this morning", "in a statement", "after a long meeting")
MONTHS = _words("January February March April May June July August September October November December")
FOCUS_HEADS = _words("plan project reform deal programme review scheme strategy")
SECTIONS = ("Policy", "Business", "Cities", "Climate", "Health", "Opinion")
AI_PHRASES = ("the AI Act", "the EU's AI factories programme", "the InvestAI initiative", "EuroHPC supercomputers",
              "rules for general-purpose AI models", "plans for AI gigafactories", "the European AI Office")


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def _noun_phrase(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _org(rng: random.Random) -> str:
    return f"the {rng.choice(PLACES)} {rng.choice(NOUNS)} {rng.choice(KINDS)}"


SENTENCES: tuple[Callable[[random.Random, str], str], ...] = (
    lambda r, f: f"{_upper_first(_org(r))} {r.choice(VERBS)} the {f} {r.choice(TIMES)}.",
    lambda r, f: f"\u201cWe {r.choice(VERBS)} the {_noun_phrase(r)} because the {r.choice(NOUNS)} was "
                 f"{r.choice(ADJECTIVES)},\u201d said {_person(r)}, {r.choice(ROLES)} at {_org(r)}.",
    lambda r, f: f"The {_noun_phrase(r)} would cost about \u20ac{r.randint(2, 950)} million and cover "
                 f"{r.randint(3, 400)} {_plural(r.choice(NOUNS))} in {r.choice(PLACES)}, according to {_org(r)}.",
    lambda r, f: f"{_person(r)}, who {r.choice(VERBS)} a {_noun_phrase(r)} in {r.randint(1998, 2024)}, said the "
                 f"{f} looked {r.choice(ADJECTIVES)} compared with the {_noun_phrase(r)} in {r.choice(PLACES)}.",
    lambda r, f: f"In {r.choice(PLACES)}, {r.randint(2, 90)} {_plural(r.choice(NOUNS))} were {r.choice(VERBS)} "
                 f"{r.choice(TIMES)}, and the {_noun_phrase(r)} was {r.choice(VERBS)} in {r.choice(MONTHS)}.",
    lambda r, f: f"Officials in {r.choice(PLACES)} {r.choice(VERBS)} plans for a {_noun_phrase(r)} after the "
                 f"{r.choice(NOUNS)} {r.choice(VERBS)} its {_noun_phrase(r)}.",
    lambda r, f: f"Critics of the {f} pointed to the {_noun_phrase(r)} that {_org(r)} {r.choice(VERBS)} in "
                 f"{r.choice(MONTHS)} {r.randint(2015, 2025)}.",
    lambda r, f: f"The {r.choice(NOUNS)} {r.choice(KINDS)} of {r.choice(PLACES)} expects {r.randint(2, 60)} per cent "
                 f"more {_plural(r.choice(NOUNS))} by {r.randint(2026, 2035)}, {_person(r)} told reporters.",
    lambda r, f: f"Neither the {_noun_phrase(r)} nor the {_noun_phrase(r)} has been {r.choice(VERBS)} so far.",
    lambda r, f: f"A vote on the {f} is expected in {r.choice(MONTHS)}; {_org(r)} has {r.choice(VERBS)} "
                 f"{r.randint(2, 30)} amendments.",
)
AI_SENTENCES: tuple[Callable[[random.Random, str], str], ...] = (
    lambda r, f: f"The European Commission {r.choice(VERBS)} {r.choice(AI_PHRASES)} {r.choice(TIMES)}, linking "
                 f"it to the {f}.",
    lambda r, f: f"Under {r.choice(AI_PHRASES)}, {_org(r)} would have to report on the {_noun_phrase(r)} "
                 f"to Brussels by {r.choice(MONTHS)}.",
)


def sentence(rng: random.Random, focus: str, ai_share: float) -> str:
    if rng.random() < ai_share:
        return rng.choice(AI_SENTENCES)(rng, focus)
    return rng.choice(SENTENCES)(rng, focus)


def paragraphs(rng: random.Random, words: int, focus: str) -> list[str]:
    """Paragraphs of two to six sentences until ``words`` words; one article in three touches EU AI policy."""
    ai_share = 0.12 if rng.random() < 0.33 else 0.0
    out: list[str] = []
    count = 0
    while count < words:
        paragraph = " ".join(sentence(rng, focus, ai_share) for _ in range(rng.randint(2, 6)))
        out.append(paragraph)
        count += len(paragraph.split())
    return out


def headline(rng: random.Random, focus: str) -> str:
    return f"{_upper_first(_org(rng).removeprefix('the '))} {rng.choice(VERBS)} {focus}"


# --- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Story:
    index: int
    outlet: Outlet
    path: str
    title: str
    focus: str  # what the article is about, a noun phrase repeated in its text
    published_at: datetime
    copy_of: int | None  # the article whose text this syndicated copy carries


SYNDICATED_EVERY = 25  # one article in 25 is another outlet's copy of the article before it


def stories(pages: int, now: datetime, seed: int = 1) -> list[Story]:
    """The site's articles, spread evenly over the outlets and over at most the last ten days."""
    step = min(120.0, 10 * 86400 / max(pages, 1))  # seconds between two articles
    out: list[Story] = []
    for index in range(pages):
        outlet = OUTLETS[index % len(OUTLETS)]
        path = f"/{outlet.slug}/news/{2026 - index % 3}/story-{index:05d}.html"
        rng = random.Random(f"{seed}:story:{index}")
        copy_of = index - 1 if index % SYNDICATED_EVERY == SYNDICATED_EVERY - 1 else None
        focus = out[copy_of].focus if copy_of is not None else f"{_noun_phrase(rng)} {rng.choice(FOCUS_HEADS)}"
        when = now - timedelta(seconds=300 + step * index)
        out.append(Story(index, outlet, path, headline(rng, focus), focus, when, copy_of))
    return out


def body_text(story: Story, seed: int) -> list[str]:
    """The article's paragraphs; a syndicated copy has the original's, with its own lede and without the last."""
    source = story.copy_of if story.copy_of is not None else story.index
    rng = random.Random(f"{seed}:body:{source}")
    body = paragraphs(rng, rng.randint(600, 1200), story.focus)
    if story.copy_of is None:
        return body
    lede = random.Random(f"{seed}:lede:{story.index}")
    return [" ".join(sentence(lede, story.focus, 0.0) for _ in range(3)), *body[1:-1]]


def article_html(story: Story, base_url: str, seed: int, related: list[Story]) -> str:
    """A page built like a component-based CMS's: wrappers in wrappers, a block around each paragraph.

    What makes trafilatura's work is the tree more than the bytes, so the template follows the 85 real
    pages of the Zyte extraction benchmark (``../shared/data/extraction-dev``), whose medians are 743
    elements (128 of them ``div``), 16 levels deep, 135 links and 116 kB; a page here has about 670
    elements (150 ``div``), 18 levels, 150 links and 92 kB. Plain ``trafilatura.extract`` takes about
    13 ms on such a page, half what it takes on the real ones (23 ms median): they also hold forms,
    tables, comment threads and markup no generator imitates well. A page built semantically, as this
    one was before (420 elements, 23 ``div``, 10 levels), took 6 ms.
    """
    rng = random.Random(f"{seed}:page:{story.index}")
    body, author = body_text(story, seed), _person(rng)
    return "".join((
        _head(story, base_url, body, author, related, rng),
        '<div id="app"><div class="page">',
        _masthead(story.outlet, rng),
        '<div class="l-layout"><div class="l-grid"><div class="l-col l-col--main"><main id="main" class="l-main">',
        _article(story, body, author, related, rng),
        _comments(rng),
        '</main></div><div class="l-col l-col--aside">',
        _sidebar(story.outlet, related),
        "</div></div></div>",
        _footer(story.outlet),
        "</div></div>\n",
        _SCRIPTS,
        "</body>\n</html>\n",
    ))


def _head(story: Story, base_url: str, body: list[str], author: str, related: list[Story], rng: random.Random) -> str:
    url, date = base_url + story.path, story.published_at.isoformat(timespec="seconds")
    title, outlet = escape(story.title), escape(story.outlet.name)
    json_ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title, "url": url,
        "datePublished": date, "dateModified": date, "author": {"@type": "Person", "name": author},
        "publisher": {"@type": "Organization", "name": story.outlet.name},
    }
    state = {"page": {"id": story.index, "section": rng.choice(SECTIONS)}, "teasers": [
        {"id": rng.randrange(10**6), "title": headline(rng, _noun_phrase(rng)), "url": s.path,
         "summary": sentence(rng, "", 0)}
        for s in related for _ in range(rng.randint(4, 40))
    ]}
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {outlet}</title>
<meta name="description" content="{escape(body[0][:160])}">
<meta name="author" content="{author}">
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{outlet}">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{date}">
<meta name="twitter:card" content="summary_large_image">
<link rel="preload" href="/static/fonts/serif.woff2" as="font" crossorigin>
<link rel="stylesheet" href="/static/main.{story.index % 7}.css">
<script type="application/ld+json">{json.dumps(json_ld)}</script>
<style>{_STYLE}</style>
<script>{_CONSENT_SCRIPT}</script>
<script>window.__APP_STATE__ = {json.dumps(state)};</script>
<script async src="/static/analytics.js"></script>
{_HEAD_EXTRAS}
</head>
<body class="single single-post section-{story.outlet.slug}">
<div id="cookie-notice" class="cookie-banner" role="dialog" aria-label="Cookie consent">
<div class="cookie-banner__inner">
  <p>We and our 143 partners use cookies to measure our audience, show personalised ads and remember your
  preferences. See our <a href="/{story.outlet.slug}/privacy/">privacy policy</a> and
  <a href="/{story.outlet.slug}/cookies/">cookie settings</a>.</p>
  <button type="button" class="accept">Accept all</button> <button type="button" class="refuse">Refuse</button>
</div></div>
"""


def _masthead(outlet: Outlet, rng: random.Random) -> str:
    menu = "".join(
        f'<div class="menu__item"><div class="menu__label"><a href="/{outlet.slug}/{section.lower()}/"><span class="menu__text">{section}</span>'
        f'<span class="menu__chevron" aria-hidden="true"></span></a>'
        f'</div><div class="menu__panel"><div class="menu__column"><ul>'
        + "".join(f'<li><a href="/{outlet.slug}/{section.lower()}/{place.lower()}/">{place}</a></li>'
                  for place in rng.sample(PLACES, 8))
        + "</ul></div></div></div>"
        for section in SECTIONS
    )
    return (f'<header class="site-header"><div class="header__top"><div class="l-container"><div class="header__row">'
            f'<div class="header__logo"><a class="logo" href="/{outlet.slug}/">{_ICON}<span>{escape(outlet.name)}</span>'
            f'</a></div><div class="header__tools"><div class="search"><form action="/{outlet.slug}/search">'
            f'<input type="search" name="q" placeholder="Search"></form></div><div class="header__account">'
            f'<a class="subscribe" href="/{outlet.slug}/subscribe/">Subscribe</a></div></div></div></div></div>'
            f'<div class="header__nav"><div class="l-container"><nav class="main-navigation" aria-label="Main menu">'
            f'<div class="menu">{menu}</div></nav></div></div></header>\n')


def _block(kind: str, html: str) -> str:
    """One component of the article body, in the wrapper such CMSs put around each."""
    return f'<div class="block block--{kind}">{html}</div>'


def _picture(slug: str, name: str) -> str:
    return (f'<picture><source type="image/avif" srcset="/{slug}/img/{name}.avif 1x, /{slug}/img/{name}@2x.avif 2x">'
            f'<source type="image/webp" srcset="/{slug}/img/{name}.webp 1x, /{slug}/img/{name}@2x.webp 2x">'
            f'<img src="/{slug}/img/{name}.jpg" alt="" loading="lazy" width="640" height="360"></picture>')


def _inline_markup(text: str, slug: str, rng: random.Random) -> str:
    """A paragraph's text, its first sentence in bold one time in five and a phrase linked one time in three."""
    first, _, rest = escape(text).partition(". ")
    if rest and rng.random() < 0.2:
        first = f"<strong>{first}</strong>"
    if rest and rng.random() < 0.33:
        words = rest.split(" ")
        at = rng.randrange(max(len(words) - 3, 1))
        linked = " ".join(words[at : at + 3])
        words[at : at + 3] = [f'<a href="/{slug}/news/{rng.choice(PLACES).lower()}/">{linked}</a>']
        rest = " ".join(words)
    return f"{first}. {rest}" if rest else first


def _article(story: Story, body: list[str], author: str, related: list[Story], rng: random.Random) -> str:
    slug, date = story.outlet.slug, story.published_at.isoformat(timespec="seconds")
    content = [_block("text", f"<p>{_inline_markup(text, slug, rng)}</p>") for text in body]
    content.insert(len(body) // 2, _block("heading", f"<h2>{escape(headline(rng, _noun_phrase(rng)))}</h2>"))
    content.insert(3, _block("ad", '<div class="ad-container"><div class="ad-label">Advertisement</div>'
                                   '<div class="ad-slot" data-slot="mid-article" data-sizes="300x250,336x280">'
                                   f'<div id="ad-mid-{rng.randrange(10**6)}"></div></div></div>'))
    content.insert(2, _block("related-link", f'<p class="also-read">Also read: <a href="{related[0].path}">'
                                             f"{escape(related[0].title)}</a></p>"))
    content.insert(1, _block("image", f'<figure><div class="image__wrapper">{_picture(slug, str(rng.randint(1, 999)))}'
                                      f"</div><figcaption>The {escape(_noun_phrase(rng))} in {rng.choice(PLACES)}. "
                                      "Photo: agency</figcaption></figure>"))
    cards = "".join(f'<div class="card"><div class="card__media"><a href="{s.path}" tabindex="-1">'
                    f'{_picture(slug, f"t{s.index}")}</a></div><div class="card__content"><div class="card__kicker">'
                    f'{rng.choice(SECTIONS)}</div><h3 class="card__title"><a href="{s.path}">{escape(s.title)}</a></h3>'
                    f'<div class="card__summary"><p>{escape(sentence(rng, s.focus, 0))}</p></div><div class="card__meta">'
                    f'<span class="card__time">{rng.randint(1, 23)}h</span><span class="card__read">'
                    f'{rng.randint(2, 9)} min read</span></div></div></div>'
                    for s in related[1:])
    tags = "".join(f'<li><a href="/{slug}/tag/{place.lower()}/">{place}</a></li>' for place in rng.sample(PLACES, 4))
    return f"""<article class="post type-post"><div class="l-container"><div class="article__header">
  <nav class="breadcrumbs"><a href="/{slug}/">Home</a> &rsaquo; <a href="/{slug}/news/">News</a></nav>
  <h1 class="entry-title">{escape(story.title)}</h1>
  <div class="article__meta"><div class="byline"><div class="byline__avatar"><img src="/{slug}/authors/{rng.randint(1, 99)}.jpg"
  alt=""></div><div class="byline__text"><p class="byline">By <span class="author vcard">{author}</span> |
  <time datetime="{date}">{story.published_at.strftime("%d %B %Y")}</time></p></div></div>
  <div class="share">{_SHARE}</div></div></div>
  <div class="article__body"><div class="entry-content">
    {"".join(content)}
  </div></div>
  <div class="article__footer"><div class="article__tags"><ul>{tags}</ul></div>
  <div class="share share--bottom">{_SHARE}</div></div>
  <section class="related"><h2>More on this</h2><div class="cards">{cards}</div></section>
</div></article>
"""


def _comments(rng: random.Random) -> str:
    comments = "".join(
        f'<li class="comment"><div class="comment__body"><div class="comment__meta"><b>{_person(rng)}</b> '
        f"{rng.randint(1, 23)} hours ago</div><div class=\"comment__text\"><p>{escape(sentence(rng, _noun_phrase(rng), 0))} "
        f"{escape(sentence(rng, _noun_phrase(rng), 0))}</p></div></div></li>"
        for _ in range(rng.randint(0, 8))
    )
    return f'<section id="comments" class="comments"><h2>Comments</h2><ol>{comments}</ol></section>\n'


def _sidebar(outlet: Outlet, related: list[Story]) -> str:
    most_read = "".join(f'<div class="most-read__item"><span class="most-read__rank">{rank}</span>'
                        f'<div class="most-read__text"><a href="{s.path}">{escape(s.title)}</a></div></div>'
                        for rank, s in enumerate(related, 1))
    return f"""<aside id="secondary" class="widget-area">
  <section class="widget most-read"><div class="widget__header"><h2 class="widget-title">Most read</h2></div>
  <div class="widget__content">{most_read}</div></section>
  <div class="ad-container"><div class="ad-slot" data-slot="sidebar" data-sizes="300x600"><div></div></div></div>
  <section class="widget newsletter-signup"><div class="widget__header"><h2 class="widget-title">The morning briefing</h2>
  </div><div class="widget__content"><p>Every weekday at 7:00: what happened overnight, in five minutes.</p>
    <form action="/{outlet.slug}/subscribe" method="post"><div class="form__row">
      <input type="email" name="email"><button>Subscribe</button></div></form></div>
  </section>
</aside>
"""


def _footer(outlet: Outlet) -> str:
    columns = "".join(
        f'<div class="footer__col"><div class="footer__heading"><h3>{section}</h3></div><ul>'
        + "".join(f'<li><a href="/{outlet.slug}/{section.lower()}/{place.lower()}/">{place}</a></li>'
                  for place in PLACES[i::6][:8])
        + "</ul></div>"
        for i, section in enumerate(SECTIONS)
    )
    legal = "".join(f'<a href="/{outlet.slug}/{page}/">{page.title()}</a> '
                    for page in _words("about contact imprint jobs advertise terms privacy cookies"))
    return (f'<footer class="site-footer"><div class="l-container"><div class="footer__columns">{columns}</div>'
            f'<div class="footer__bottom"><p class="legal">{legal}</p>'
            f"<p>&copy; 2026 {escape(outlet.name)}. All rights reserved.</p></div></div></footer>\n"
            '<noscript><img src="/pixel.gif?nojs=1" alt=""></noscript>\n')


_STYLE = "".join(
    f".c-{n}{{margin:{n % 5}px {n % 7}px;padding:{n % 3}rem;color:#{n * 2654435761 % 16**6:06x};"
    f"font-size:{12 + n % 9}px;line-height:1.{n % 9}}}"
    for n in range(160)
)
_CONSENT_SCRIPT = (
    "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
    + "".join(f"gtag('consent','default',{{'purpose_{n}':'denied','vendor_{n}':'pending','wait_for_update':{n * 50}}});"
              for n in range(60))
)
_ICON = '<svg width="24" height="24" viewBox="0 0 24 24"><path d="' + " ".join(
    f"M{n} {n * 3 % 24}l{n % 5} {n % 7}h{n % 4}v{n % 6}z" for n in range(40)) + '"/></svg>'
_SHARE = "".join(f'<a class="share__{name}" href="https://{name}.example/share">{_ICON}'
                 f'<span class="visually-hidden">Share on {name}</span></a>'
                 for name in _words("x facebook linkedin whatsapp email"))


_HEAD_EXTRAS = "\n".join((
    *(f'<meta name="{name}" content="{value}">' for name, value in (
        ("robots", "max-image-preview:large"), ("theme-color", "#0b2540"), ("format-detection", "telephone=no"),
        ("twitter:site", "@outlet"), ("twitter:creator", "@newsdesk"), ("apple-itunes-app", "app-id=123456789"),
        ("google-site-verification", "x" * 43), ("msapplication-TileColor", "#0b2540"),
    )),
    *(f'<meta property="{name}" content="{value}">' for name, value in (
        ("og:image", "/static/og.jpg"), ("og:image:width", "1200"), ("og:image:height", "630"),
        ("og:locale", "en_GB"), ("fb:app_id", "1234567890"), ("article:section", "Policy"),
        *(("article:tag", tag) for tag in _words("Europe Technology Economy Politics Regulation")),
    )),
    *(f'<link rel="preconnect" href="https://{host}.example">' for host in _words("cdn img ads tags fonts consent")),
    *(f'<link rel="dns-prefetch" href="https://{host}.example">' for host in _words("metrics video comments pixel")),
    *(f'<link rel="icon" href="/static/icon-{size}.png" sizes="{size}x{size}">' for size in (16, 32, 96, 192, 512)),
    '<link rel="apple-touch-icon" href="/static/icon-180.png">', '<link rel="manifest" href="/manifest.json">',
    '<link rel="alternate" type="application/rss+xml" href="/feed.rss">',
    *(f'<script async src="/static/vendor/{name}.js"></script>' for name in _words("polyfills consent gpt prebid")),
))
_SCRIPTS = "".join(
    [f'<script src="/static/chunks/{n:03d}.{n * 7919 % 4096:x}.js" defer></script>' for n in range(18)]
    + [f'<script>window.adSlots=window.adSlots||[];adSlots.push({{"id":"slot-{n}","sizes":[[300,250],[728,90]],'
       f'"targeting":{{"pos":"{n}","section":"news"}}}});</script>' for n in range(6)]
)


# --- listings ---------------------------------------------------------------------------------


def rss(outlet: Outlet, items: list[Story], base_url: str) -> str:
    entries = "".join(
        f"<item><title>{escape(s.title)}</title><link>{base_url}{s.path}</link><guid>{base_url}{s.path}</guid>"
        f"<pubDate>{format_datetime(s.published_at)}</pubDate></item>\n"
        for s in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{outlet.name}</title>'
            f"<link>{base_url}/{outlet.slug}/</link><description>News</description>\n{entries}</channel></rss>\n")


def atom(outlet: Outlet, items: list[Story], base_url: str) -> str:
    entries = "".join(
        f'<entry><title>{escape(s.title)}</title><link rel="alternate" href="{base_url}{s.path}"/>'
        f"<id>{base_url}{s.path}</id><updated>{s.published_at.isoformat()}</updated></entry>\n"
        for s in items
    )
    updated = items[0].published_at.isoformat() if items else "2026-01-01T00:00:00+00:00"
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{outlet.name}</title><id>{base_url}/{outlet.slug}/</id><updated>{updated}</updated>\n"
            f"{entries}</feed>\n")


def news_sitemap(outlet: Outlet, items: list[Story], base_url: str) -> str:
    entries = "".join(
        f"<url><loc>{base_url}{s.path}</loc><news:news><news:publication><news:name>{outlet.name}</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>"
        f"{s.published_at.isoformat()}</news:publication_date><news:title>{escape(s.title)}</news:title>"
        f"</news:news></url>\n"
        for s in items
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{entries}</urlset>\n')


def sitemap_index(outlet: Outlet, base_url: str) -> str:
    entries = "".join(
        f"<sitemap><loc>{base_url}/{outlet.slug}/news-sitemap-{n}.xml</loc></sitemap>\n" for n in range(INDEX_CHILDREN)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n')


def listings(outlet: Outlet, items: list[Story], base_url: str) -> dict[str, tuple[str, str]]:
    """{path: (content type, text)} of an outlet's feed or sitemaps."""
    path = f"/{outlet.slug}/{LISTING_PATHS[outlet.listing]}"
    xml = "application/xml; charset=utf-8"
    if outlet.listing == "rss":
        return {path: ("application/rss+xml; charset=utf-8", rss(outlet, items, base_url))}
    if outlet.listing == "atom":
        return {path: ("application/atom+xml; charset=utf-8", atom(outlet, items, base_url))}
    if outlet.listing == "news_sitemap":
        return {path: (xml, news_sitemap(outlet, items, base_url))}
    out = {path: (xml, sitemap_index(outlet, base_url))}
    for n in range(INDEX_CHILDREN):
        out[f"/{outlet.slug}/news-sitemap-{n}.xml"] = (xml, news_sitemap(outlet, items[n::INDEX_CHILDREN], base_url))
    return out


def sources(base_url: str) -> list[dict[str, Any]]:
    """The outlets as newsmon ``[[sources]]`` tables: a name and its feed or top-level sitemap."""
    out = []
    for outlet in OUTLETS:
        key = "feeds" if outlet.listing in ("rss", "atom") else "sitemaps"
        out.append({"name": outlet.name, key: [f"{base_url}/{outlet.slug}/{LISTING_PATHS[outlet.listing]}"]})
    return out


def site(pages: int, base_url: str, seed: int, now: datetime) -> dict[str, tuple[str, str]]:
    """Every resource of the site: {path: (content type, text)}."""
    all_stories = stories(pages, now, seed)
    out = {"/robots.txt": ("text/plain; charset=utf-8", "User-agent: *\nDisallow: /private/\n")}
    for story in all_stories:
        rng = random.Random(f"{seed}:related:{story.index}")
        related = [all_stories[rng.randrange(pages)] for _ in range(6)]
        out[story.path] = ("text/html; charset=utf-8", article_html(story, base_url, seed, related))
    for outlet in OUTLETS:
        out.update(listings(outlet, [s for s in all_stories if s.outlet is outlet], base_url))
    return out


def article_paths(pages: int) -> list[str]:
    return [story.path for story in stories(pages, datetime.now(UTC))]


# --- serving ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rendered:
    plain: bytes  # the whole response: status line, headers, body
    gzipped: bytes


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n"


def render(content_type: str, text: str) -> Rendered:
    body = text.encode("utf-8")
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nVary: Accept-Encoding\r\n"
    return Rendered(
        (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body,
        (head + f"Content-Encoding: gzip\r\nContent-Length: {len(packed)}\r\n\r\n").encode() + packed,
    )


class HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 GET with keep-alive and pipelining; each answer is one pre-rendered bytes object."""

    def __init__(self, responses: dict[bytes, Rendered]) -> None:
        self.responses = responses
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end].lower(), self.buffer[end + 4 :]
            self.answer(head)

    def answer(self, head: bytes) -> None:
        assert self.transport is not None
        target = head.split(b" ", 2)[1].split(b"?", 1)[0] if head.count(b" ") >= 2 else b""
        rendered = self.responses.get(target)
        if rendered is None:
            self.transport.write(NOT_FOUND)
        else:
            gzipped = b"gzip" in _http_header(head, b"accept-encoding")
            self.transport.write(rendered.gzipped if gzipped else rendered.plain)
        if _http_header(head, b"connection") == b"close":
            self.transport.close()


def _http_header(head: bytes, name: bytes) -> bytes:
    start = head.find(b"\r\n" + name + b":")
    if start < 0:
        return b""
    end = head.find(b"\r\n", start + 2)
    return head[start + len(name) + 3 : end if end >= 0 else None].strip()


async def serve(sock: socket.socket, responses: dict[bytes, Rendered]) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HttpProtocol(responses), sock=sock, backlog=512)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sock = socket.create_server(("127.0.0.1", 0))  # paths are lower-cased before the look-up: keep them lower-case
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    started = time.perf_counter()
    resources = site(args.pages, base_url, args.seed, datetime.now(UTC))
    responses = {path.lower().encode(): render(*resource) for path, resource in resources.items()}
    size = sum(len(r.plain) for r in responses.values())
    print(f"generated {len(responses)} resources ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)
    print(f"ready {base_url}", flush=True)
    asyncio.run(serve(sock, responses))


if __name__ == "__main__":
    main()
