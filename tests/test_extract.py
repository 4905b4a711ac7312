"""extract_article on golden pages (tests/pages, one parametrized test per field) and on small made-up pages.

The golden pages' expected values live in tests/pages/expected.json; after a deliberate change,
rewrite them with ``python -m tests.pages.regenerate`` and review the diff.
"""

from __future__ import annotations

import json
import re
from copy import copy
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from trafilatura.utils import load_html

from demo.server import DEFAULT_ROOT, fill_placeholders
from pipeline.extract import (
    Article,
    ExtractionOptions,
    NotAnArticle,
    clean_authors,
    decode_html,
    detect_language,
    extract_article,
    parse_html,
    strip_site_name,
)

PAGES = Path(__file__).parent / "pages"
MANIFEST: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
FIELDS = Article.__slots__

URL = "https://news.example.eu/policy/council-adopts-ai-rules"
BODY = """
<h1>Council adopts position on artificial intelligence rules</h1>
<p>Ministers meeting in Brussels on Tuesday agreed the Council's negotiating position on the proposed rules
for artificial intelligence, clearing the way for talks with the European Parliament later this year.</p>
<p>The position narrows the definition of an AI system, adds exemptions for national security and gives
member states more time to set up the authorities that will supervise the market.</p>
<p>Civil society groups said the changes weakened the protection of fundamental rights, while industry
associations welcomed the longer transition period and the clarified obligations for providers.</p>
"""


def page(head: str = "", body: str = BODY, html_attributes: str = "") -> str:
    """A minimal but complete news page around ``body``."""
    return (
        f"<!DOCTYPE html><html{html_attributes}><head><meta charset='utf-8'><title>Council adopts AI rules</title>"
        f"{head}</head><body><header><a href='/'>Home</a></header><main><article>{body}</article></main>"
        "<footer>© 2024 Example News</footer></body></html>"
    )


def json_ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(key: str, content: str, attribute: str = "property") -> str:
    return f'<meta {attribute}="{key}" content="{content}">'


# --- golden pages -----------------------------------------------------------------------------


@cache
def golden(name: str) -> dict[str, Any]:
    """What extract_article gives for a golden page, as the JSON expected.json holds."""
    case = MANIFEST[name]
    options = dict(case.get("options", {}))
    if "fallback_date" in options:
        options["fallback_date"] = datetime.fromisoformat(options["fallback_date"])
    try:
        article = extract_article((PAGES / name).read_bytes(), case["url"], ExtractionOptions(**options))
    except NotAnArticle as exc:
        return {"not_an_article": exc.reason}
    published_at = article.published_at.isoformat() if article.published_at else None
    return {field: getattr(article, field) for field in FIELDS} | {"published_at": published_at}


def test_every_golden_page_is_listed() -> None:
    assert sorted(path.name for path in PAGES.glob("*.html")) == sorted(MANIFEST)


@pytest.mark.parametrize(
    ("name", "field"),
    [(name, field) for name, case in MANIFEST.items() for field in case["expected"]],
)
def test_golden_page(name: str, field: str) -> None:
    assert golden(name)[field] == MANIFEST[name]["expected"][field]


@pytest.mark.parametrize(
    ("name", "boilerplate"),
    [(name, text) for name, case in MANIFEST.items() for text in case["text_excludes"]],
)
def test_golden_page_body_has_no_boilerplate(name: str, boilerplate: str) -> None:
    assert boilerplate not in golden(name)["text"]


# --- decoding ---------------------------------------------------------------------------------

SENTENCE = "Comité d’éthique: 10 €"  # é is in Latin-1; ’ and € only in cp1252, which browsers use for Latin-1


def encoded(declaration: str, codec: str) -> bytes:
    return f"<html><head>{declaration}</head><body><p>{SENTENCE}</p></body></html>".encode(codec)


@pytest.mark.parametrize(
    ("body", "header"),
    [
        # the header wins over the page's own declaration
        (encoded('<meta charset="utf-8">', "cp1252"), "text/html; charset=ISO-8859-1"),
        # <meta charset> and http-equiv; ISO-8859-1 and latin-1 decode as cp1252
        (encoded('<meta charset="iso-8859-1">', "cp1252"), None),
        (encoded('<meta http-equiv="Content-Type" content="text/html; charset=latin-1">', "cp1252"), "text/html"),
        # nothing declared: UTF-8 when the bytes are valid UTF-8, else cp1252
        (encoded("", "utf-8"), None),
        (encoded("", "cp1252"), None),
        # a byte-order mark wins over everything and is removed
        (b"\xef\xbb\xbf" + encoded("", "utf-8"), "text/html; charset=windows-1252"),
        (encoded("", "utf-16"), None),
    ],
)
def test_decode_html(body: bytes, header: str | None) -> None:
    decoded = decode_html(body, header)
    assert decoded.startswith("<html>")
    assert SENTENCE in decoded


def test_bytes_and_text_give_the_same_article() -> None:
    html = page(meta("article:published_time", "2024-03-05T10:00:00Z"), html_attributes=' lang="en"')
    assert extract_article(html.encode("utf-8"), URL) == extract_article(html, URL)


@pytest.mark.parametrize(
    "html",
    [
        page(),
        "<p>a fragment, alone</p>",
        "<div>a fragment</div><div>and another</div>",
        '<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>declares its encoding</p></body></html>',
        "<!DOCTYPE html>\n<html/>\n<body><p>self-closing html tag</p></body>",
        "just text, no markup at all",
        "",
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        "<html><body><p>an XHTML doctype, which libxml2 chokes on</p></body></html>",
        "<html><body><p>control characters\x00 XML\x08 forbids\x0b\x0c and\x1f keeps\t\r\n</p></body></html>",
        "<html><body><p>noncharacters\ufffe and\uffff</p></body></html>",
        "<html><body><p>Zażółć gęślą jaźń, 中文, a line\u2028separator, a next\x85line</p></body></html>",
    ],
    ids=["page", "fragment", "fragments", "xml declaration", "self-closing html", "text", "empty", "xhtml doctype",
         "control characters", "noncharacters", "non-ascii"],
)
def test_parse_html_builds_the_tree_trafilatura_would(html: str) -> None:
    """Extraction parses with its own parser (see the next test), and must not change what it reads."""
    ours, theirs = parse_html(html), load_html(html)
    assert (ours is None) is (theirs is None)
    if ours is not None and theirs is not None:
        assert lxml.html.tostring(ours.getroottree()) == lxml.html.tostring(theirs.getroottree())  # with the doctype
        assert isinstance(ours, lxml.html.HtmlElement)


def test_extraction_never_asks_python_for_an_element_class(monkeypatch: pytest.MonkeyPatch) -> None:
    """lxml.html's parser calls a Python method for each element handed to Python: 1,400 times in a page's
    extraction. (trafilatura's comparison with readability, for weak texts only, parses its own output.)"""
    calls = []
    python_lookup = lxml.html.HtmlElementClassLookup.lookup
    monkeypatch.setattr(
        lxml.html.HtmlElementClassLookup, "lookup", lambda *args: calls.append(args) or python_lookup(*args)
    )
    list(lxml.html.fromstring(page()).iter())
    assert calls, "the patch must see lxml.html's own lookups"
    calls.clear()
    tree = parse_html(page())
    assert tree is not None
    # what extraction does to the tree: walk it, query it, copy it (trafilatura works on a copy)
    assert {element.tag for element in copy(tree).iter()} >= {"html", "article", "p"}
    assert tree.xpath("//p") and tree.find(".//article") is not None
    assert calls == []


# --- not an article ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR<html>",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<p>",
        b"GIF89a\x01\x00\x01\x00<",
        b"PK\x03\x04 an epub or docx <html>",
        b"just plain text, " * 100 + b"<p>late markup</p>",
        "",
    ],
)
def test_non_html_is_not_an_article(content: str | bytes) -> None:
    with pytest.raises(NotAnArticle, match=r"^not HTML$"):
        extract_article(content, URL)


def test_too_short_names_the_length() -> None:
    with pytest.raises(NotAnArticle, match=r"^too short \(\d+ chars\)$") as caught:
        extract_article(page(body="<p>The Council adopted its position on the AI Act on Tuesday.</p>"), URL)
    assert caught.value.reason.startswith("too short")


def test_min_text_chars_is_an_option() -> None:
    short = page(body="<p>The Council adopted its position on the AI Act on Tuesday, after months of talks.</p>")
    assert extract_article(short, URL, ExtractionOptions(min_text_chars=20)).text.startswith("The Council")


def test_page_without_body_text() -> None:
    with pytest.raises(NotAnArticle, match=r"^no article body$"):
        extract_article("<!DOCTYPE html><html><head><title>x</title></head><body><div></div></body></html>", URL)


# one headline link a paragraph, as on press-release indexes (trafilatura drops <ul> link lists itself)
LINK_LIST = "<h1>Latest</h1>" + "".join(
    f'<p><a href="/policy/story-{n}">Story {n} about the artificial intelligence act and its consequences</a></p>'
    for n in range(12)
)


@pytest.mark.parametrize(
    ("html", "url"),
    [
        (page(json_ld({"@type": "CollectionPage", "name": "AI policy"})), URL),
        (page(), "https://news.example.eu/"),
        (page(), "https://news.example.eu/tag/ai-act"),
        (page(), "https://news.example.eu/topics/artificial-intelligence/"),
        (page(), "https://news.example.eu/2024/03/"),
        (page(), "https://news.example.eu/policy/page/3"),
        (page(body=LINK_LIST), URL),
    ],
)
def test_index_pages(html: str, url: str) -> None:
    with pytest.raises(NotAnArticle, match=r"^index page$"):
        extract_article(html, url)


@pytest.mark.parametrize(
    "head",
    [json_ld({"@type": "NewsArticle", "headline": "Council adopts AI rules"}), meta("og:type", "article")],
)
def test_a_declared_article_is_never_an_index_page(head: str) -> None:
    assert extract_article(page(head), "https://news.example.eu/topics/ai-act").text


# --- dates, in order of trust -----------------------------------------------------------------

LD_DATE = json_ld({"@type": "NewsArticle", "datePublished": "2024-03-05T11:00:00+01:00"})
META_DATE = meta("article:published_time", "2024-03-04T09:00:00+00:00")
TIME_DATE = '<time itemprop="datePublished" datetime="2024-03-03T08:00:00Z">3 March</time>'
FALLBACK = datetime(2024, 3, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "body_extra", "fallback", "url", "expected"),
    [
        (LD_DATE + META_DATE, TIME_DATE, FALLBACK, URL, datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
        (META_DATE, TIME_DATE, FALLBACK, URL, datetime(2024, 3, 4, 9, 0, tzinfo=UTC)),
        ("", TIME_DATE, FALLBACK, URL, datetime(2024, 3, 3, 8, 0, tzinfo=UTC)),
        ("", "<p>Updated 1 March 2024</p>", FALLBACK, URL, FALLBACK),
        # nothing declared, no fallback: htmldate's guess, here from the URL
        ("", "", None, "https://news.example.eu/2024/03/01/ai-rules", datetime(2024, 3, 1, tzinfo=UTC)),
        ("", "", None, URL, None),
        # @graph: the Article's date, not the WebPage's
        (
            json_ld(
                {
                    "@graph": [
                        {"@type": "WebPage", "datePublished": "2023-01-01T00:00:00Z"},
                        {"@type": ["Article", "NewsArticle"], "datePublished": "2024-03-06T12:00:00Z"},
                    ]
                }
            ),
            "",
            None,
            URL,
            datetime(2024, 3, 6, 12, 0, tzinfo=UTC),
        ),
        # a CMS placeholder or garbage in JSON-LD falls through to the next source
        (
            json_ld({"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00+01:00"}) + META_DATE,
            "",
            None,
            URL,
            datetime(2024, 3, 4, 9, 0, tzinfo=UTC),
        ),
        (
            json_ld({"@type": "NewsArticle", "datePublished": "soon"}) + META_DATE,
            "",
            None,
            URL,
            datetime(2024, 3, 4, 9, 0, tzinfo=UTC),
        ),
        # naive means UTC; RFC 2822 is accepted
        (
            json_ld({"@type": "BlogPosting", "datePublished": "2024-03-07 08:30"}),
            "",
            None,
            URL,
            datetime(2024, 3, 7, 8, 30, tzinfo=UTC),
        ),
        (
            meta("date", "Fri, 08 Mar 2024 10:15:00 +0100", "name"),
            "",
            None,
            URL,
            datetime(2024, 3, 8, 9, 15, tzinfo=UTC),
        ),
    ],
)
def test_published_at_order_of_trust(
    head: str, body_extra: str, fallback: datetime | None, url: str, expected: datetime | None
) -> None:
    article = extract_article(page(head, BODY + body_extra), url, ExtractionOptions(fallback_date=fallback))
    assert article.published_at == expected
    assert article.published_at is None or article.published_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("fallback", "expected"),
    [
        (datetime(2024, 3, 2, 7, 0), datetime(2024, 3, 2, 7, 0, tzinfo=UTC)),
        (datetime(2024, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=2))), datetime(2024, 3, 2, 7, 0, tzinfo=UTC)),
    ],
)
def test_fallback_date_comes_out_in_utc(fallback: datetime, expected: datetime) -> None:
    assert extract_article(page(), URL, ExtractionOptions(fallback_date=fallback)).published_at == expected


def test_date_guessing_can_be_switched_off() -> None:
    options = ExtractionOptions(guess_date=False)
    assert extract_article(page(), "https://news.example.eu/2024/03/01/ai-rules", options).published_at is None


# --- authors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Anna Keller"], ["Anna Keller"]),
        (["BY ANNA KELLER and Tom Baker"], ["ANNA KELLER", "Tom Baker"]),
        (["Von Julia Becker und Markus Lang"], ["Julia Becker", "Markus Lang"]),
        (["Par Claire Dubois et Jean Martin"], ["Claire Dubois", "Jean Martin"]),
        (["Por Lucía Pérez y Carlos Ruiz"], ["Lucía Pérez", "Carlos Ruiz"]),
        (["Marco Rossi e Giulia Bianchi"], ["Marco Rossi", "Giulia Bianchi"]),
        (["Anna Keller, Tom Baker; Eva Lind"], ["Anna Keller", "Tom Baker", "Eva Lind"]),
        (["Anna Keller (anna@example.eu)", "@annakeller", "anna.keller@example.eu"], ["Anna Keller"]),
        (["Anna Keller | Example News"], ["Anna Keller"]),
        (["Anna Keller", "anna keller", "By Anna Keller"], ["Anna Keller"]),
        (["Example News"], []),
        (["Written by Tom Baker"], ["Tom Baker"]),
        (["Byron Adams"], ["Byron Adams"]),
        (["https://example.eu/authors/anna", ""], []),
        (["Anna Keller is a senior reporter covering the European Parliament for us"], []),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw, ["Example News", "example"]) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (json_ld({"@type": "NewsArticle", "author": "By Anna Keller"}), ["Anna Keller"]),
        (json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Anna Keller"}}), ["Anna Keller"]),
        (
            json_ld({"@type": "NewsArticle", "author": [{"name": "Anna Keller"}, {"name": "Tom Baker"}, "Eva Lind"]}),
            ["Anna Keller", "Tom Baker", "Eva Lind"],
        ),
        (
            json_ld(
                {
                    "@graph": [
                        {"@type": "Article", "author": {"@id": "#anna"}},
                        {"@type": "Person", "@id": "#anna", "name": "Anna Keller"},
                    ]
                }
            ),
            ["Anna Keller"],
        ),
        # the outlet as author is dropped, whether named by og:site_name or the host
        (
            json_ld({"@type": "NewsArticle", "author": [{"name": "Example News"}, {"name": "Anna Keller"}]}),
            ["Anna Keller"],
        ),
        # JSON-LD wins over meta; meta is used when JSON-LD names nobody; a profile URL is no name
        (
            json_ld({"@type": "NewsArticle", "author": "Anna Keller"}) + meta("author", "Tom Baker", "name"),
            ["Anna Keller"],
        ),
        (meta("article:author", "https://example.eu/anna") + meta("author", "Tom Baker", "name"), ["Tom Baker"]),
    ],
)
def test_authors_from_declarations(head: str, expected: list[str]) -> None:
    assert extract_article(page(head), URL).authors == expected


def test_authors_from_the_visible_byline() -> None:
    body = '<p class="byline">By Anna Keller and Tom Baker</p>' + BODY
    assert extract_article(page(body=body), URL).authors == ["Anna Keller", "Tom Baker"]


# --- titles -----------------------------------------------------------------------------------

SITES = ["Example News", None, "example"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Council adopts AI rules | Example News", "Council adopts AI rules"),
        ("Council adopts AI rules - Example News", "Council adopts AI rules"),
        ("Council adopts AI rules – Example News", "Council adopts AI rules"),
        ("Council adopts AI rules — EXAMPLE NEWS", "Council adopts AI rules"),
        ("Example News: Council adopts AI rules", "Council adopts AI rules"),
        ("Example News | Council adopts AI rules", "Council adopts AI rules"),
        # the part only has to contain an outlet name, the host label counts too
        ("Council adopts AI rules | Example.eu", "Council adopts AI rules"),
        ("Council adopts AI rules | Tech | Example News", "Council adopts AI rules | Tech"),
        # never strip what is not the outlet, never leave fewer than two words
        ("AI Act: what changes for start-ups", "AI Act: what changes for start-ups"),
        ("Council adopts AI rules - analysis", "Council adopts AI rules - analysis"),
        ("Update | Example News", "Update | Example News"),
        ("Example News", "Example News"),
    ],
)
def test_strip_site_name(title: str, expected: str) -> None:
    assert strip_site_name(title, SITES) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (meta("og:title", "Council adopts AI rules | Example News"), "Council adopts AI rules"),
        (json_ld({"@type": "NewsArticle", "headline": "AI rules &amp; more"}), "AI rules & more"),
        (meta("og:site_name", "Policy Post") + meta("og:title", "Policy Post: AI rules agreed"), "AI rules agreed"),
        # no og:title or headline: trafilatura's choice, the single h1 here
        ("", "Council adopts position on artificial intelligence rules"),
    ],
)
def test_title(head: str, expected: str) -> None:
    assert extract_article(page(head), URL).title == expected


# --- language ---------------------------------------------------------------------------------

SAMPLES = {
    "en": "The Commission said that the rules for these systems will apply from next year, and that providers "
    "have been asked to prepare. It is not clear which of the national authorities will be in charge of this.",
    "de": "Die Kommission hat erklärt, dass die Regeln für diese Systeme ab dem nächsten Jahr gelten werden und "
    "dass sich die Anbieter darauf vorbereiten sollen. Es ist nicht klar, welche Behörde auf nationaler Ebene "
    "die Aufsicht über die Einhaltung der Regeln hat.",
    "fr": "La Commission a déclaré que les règles pour ces systèmes seront applicables dès l'année prochaine et que "
    "les fournisseurs sont invités à se préparer. Il n'est pas encore clair quelle autorité sera chargée de la "
    "surveillance dans les États membres, mais le texte est publié.",
    "es": "La Comisión ha dicho que las normas para estos sistemas se aplicarán desde el próximo año y que los "
    "proveedores deben prepararse. Todavía no está claro cuál de las autoridades nacionales estará a cargo de "
    "la supervisión, pero el texto también prevé sanciones para las empresas.",
    "it": "La Commissione ha detto che le regole per questi sistemi saranno applicate dal prossimo anno e che i "
    "fornitori sono invitati a prepararsi. Non è ancora chiaro quale delle autorità nazionali sarà incaricata "
    "della vigilanza, anche se il testo è stato pubblicato nella Gazzetta.",
    "nl": "De Commissie heeft gezegd dat de regels voor deze systemen vanaf volgend jaar gelden en dat de "
    "aanbieders zich moeten voorbereiden. Het is nog niet duidelijk welke van de nationale toezichthouders "
    "het toezicht op zich zal nemen, maar er wordt aan gewerkt.",
    "pl": "Komisja poinformowała, że przepisy dla tych systemów będą stosowane od przyszłego roku i że dostawcy "
    "powinni się do tego przygotować. Nie jest jeszcze jasne, który z krajowych organów będzie odpowiedzialny "
    "za nadzór, ale to może się zmienić, jak tylko rząd przedstawi projekt ustawy.",
    "pt": "A Comissão afirmou que as regras para estes sistemas serão aplicadas a partir do próximo ano e que os "
    "fornecedores devem preparar-se. Ainda não é claro qual das autoridades nacionais será responsável pela "
    "supervisão, mas o texto também prevê sanções para as empresas que não cumprirem.",
}


@pytest.mark.parametrize(("language", "text"), SAMPLES.items())
def test_detect_language(language: str, text: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "AI Act", "Brussels, 5 March 2024 — 12:00 CET", "Le AI Act de la UE"])
def test_detect_language_is_unsure_on_little_text(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("head", "html_attributes", "expected"),
    [
        ("", ' lang="en-GB"', "en"),
        ("", ' xml:lang="de"', "de"),
        (meta("og:locale", "de_DE"), "", "de"),
        ('<meta http-equiv="content-language" content="fr-FR, en">', "", "fr"),
        (json_ld({"@type": "NewsArticle", "inLanguage": "nl-NL"}), "", "nl"),
        # the declared language wins over the text's (BODY is English); garbage is ignored
        ("", ' lang="pl"', "pl"),
        ("", ' lang="english"', "en"),
        ("", "", "en"),
    ],
)
def test_language(head: str, html_attributes: str, expected: str) -> None:
    assert extract_article(page(head, html_attributes=html_attributes), URL).language == expected


# --- canonical URL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://news.example.eu/policy/council-ai-rules", "https://news.example.eu/policy/council-ai-rules"),
        ("/policy/council-ai-rules?id=7", "https://news.example.eu/policy/council-ai-rules?id=7"),
        ("//amp.example.eu/policy/council-ai-rules", "https://amp.example.eu/policy/council-ai-rules"),
        ("https://partner.example.com/syndicated/ai-rules", "https://partner.example.com/syndicated/ai-rules"),
        # ignored: the home page, template placeholders, other schemes, nothing
        ("https://news.example.eu/", URL),
        ("/", URL),
        ("{{ canonical_url }}", URL),
        ("javascript:void(0)", URL),
        ("ftp://news.example.eu/policy/council-ai-rules", URL),
        ("https://news.example.eu:abc/policy/council-ai-rules", URL),  # a URL the archive cannot store
        ("", URL),
        (None, URL),
    ],
)
def test_canonical_url(href: str | None, expected: str) -> None:
    head = "" if href is None else f'<link rel="canonical" href="{href}">'
    assert extract_article(page(head), URL).url == expected


def test_canonical_rel_is_matched_as_a_token() -> None:
    head = '<link rel="alternate" href="/feed"><link rel="Canonical" href="/policy/council-ai-rules">'
    assert extract_article(page(head), URL).url == "https://news.example.eu/policy/council-ai-rules"


# --- other fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "sitename", "description"),
    [
        (
            meta("og:site_name", "Example News")
            + meta("og:description", "The Council agreed.")
            + meta("description", "Other.", "name"),
            "Example News",
            "The Council agreed.",
        ),
        (
            json_ld({"@type": "NewsArticle", "publisher": {"name": "Example News"}, "description": "Agreed."}),
            "Example News",
            "Agreed.",
        ),
        (meta("og:site_name", "@examplenews") + meta("description", "Agreed.", "name"), "examplenews", "Agreed."),
        (meta("og:site_name", "https://news.example.eu"), None, None),
    ],
)
def test_sitename_and_description(head: str, sitename: str | None, description: str | None) -> None:
    article = extract_article(page(head), URL)
    assert (article.sitename, article.description) == (sitename, description)


def test_text_has_one_paragraph_a_line() -> None:
    """Line breaks inside a paragraph's markup are not paragraph breaks; the headline is the title."""
    lines = extract_article(page(), URL).text.split("\n")
    assert [line.split()[0] for line in lines] == ["Ministers", "The", "Civil"]


# --- the body: boilerplate that survives trafilatura -------------------------------------------

P1, P2, P3 = re.findall(r"<p>.*?</p>", BODY, re.DOTALL)
FIRST, LAST = "Ministers meeting in Brussels", "Civil society groups said"
FIRST_WORDS = ["Ministers", "The", "Civil"]
BODY_LINES = BODY.replace("<h1>", "<p>").replace("</h1>", "</p>")  # the same article without its headline


def body_of(body: str, head: str = "") -> str:
    return extract_article(page(head, body), URL).text


@pytest.mark.parametrize(
    "line",
    [
        "<p>By Anna Keller</p>",
        "<p>BY ANNA KELLER AND TOM BAKER | March 5, 2024</p>",
        "<p>Von Julia Becker, Stand: 05.03.2024</p>",
        "<p>Par Claire Dubois, le 5 mars 2024</p>",
        "<p>Por Lucía Pérez</p>",
        "<p>di Marco Rossi</p>",
        "<p>Door Sanne de Vries</p>",
        "<p>Przez Jan Kowalski</p>",
        "<p>Author: Eva Lind</p>",
        "<p>Updated June 3, 2024 at 10:15</p>",
        "<p>Tuesday, 5 March 2024 - 12:00 CET</p>",
        "<p>5 min read</p>",
        "<p>Lesezeit: 3 Minuten</p>",
        "<p>Temps de lecture : 2 min</p>",
        '<p><a href="/policy">Policy</a> | <a href="/tech">Tech</a></p>',
    ],
)
def test_byline_and_dateline_lines_go_from_the_start(line: str) -> None:
    text = body_of(line + BODY)
    assert text.startswith(FIRST), text


@pytest.mark.parametrize(
    "element",
    [
        '<div class="author-line">Anna Keller and Tom Baker</div>',
        '<p class="article-byline">Written by Anna Keller on 5 March</p>',
        '<span class="Dateline">BRUSSELS</span>',
        '<div id="STORY-AUTHOR">Anna Keller, Brussels</div>',
        '<div itemprop="author"><a href="/anna">Anna Keller</a></div>',
        '<p class="kicker">Artificial intelligence</p>',
        '<p class="dachzeile">Künstliche Intelligenz</p>',
        '<p class="rubrique">Politique</p>',
    ],
)
def test_elements_marked_as_byline_or_kicker_are_not_body(element: str) -> None:
    assert body_of(element + BODY).startswith(FIRST)


def test_a_long_element_with_an_author_class_is_body() -> None:
    """Some CMSs put "author" in the class of the article itself; bylines are short."""
    assert body_of(f'<div class="author-content">{BODY_LINES}</div>').startswith("Council adopts position")


@pytest.mark.parametrize(
    "line",
    [
        "<p>Read more: <a href='/policy/ai-office'>AI Office guidance slips to next year</a></p>",
        "<p>READ MORE: Commission fines platform over ads</p>",
        "<p>[Related: Parliament committee backs AI liability rules]</p>",
        "<p>Lesen Sie auch: KI-Verordnung tritt in Kraft</p>",
        "<p>À lire aussi : le règlement sur l'IA publié au Journal officiel</p>",
        "<p>Leggi anche: l'AI Act entra in vigore</p>",
        "<p>Sign up for our free daily newsletter and get the news first.</p>",
        "<p>Get the day's top stories delivered to your inbox every morning.</p>",
        "<p>Recevez chaque matin l'essentiel de l'actualité dans votre boîte mail.</p>",
        "<p>Jetzt abonnieren: die wichtigsten Nachrichten direkt in Ihr Postfach.</p>",
        "<p>Follow us on Twitter and LinkedIn for more policy news.</p>",
        "<p>Advertisement</p>",
        "<p>Anzeige</p>",
    ],
)
def test_prompts_and_calls_to_action_go_wherever_they_are(line: str) -> None:
    assert [line.split()[0] for line in body_of(P1 + line + P2 + P3).split("\n")] == FIRST_WORDS


def test_a_prompt_takes_its_headlines_with_it() -> None:
    related = (
        "<p>Related:</p><ul><li><a href='/a'>Spain's pilot sandbox publishes first results</a></li>"
        "<li><a href='/b'>AI Act published in the Official Journal</a></li></ul>"
    )
    assert [line.split()[0] for line in body_of(P1 + related + P2 + P3).split("\n")] == FIRST_WORDS


@pytest.mark.parametrize(
    "ending",
    [
        "<p>Reporting by Anna Keller; additional reporting by Tom Baker in Berlin; Editing by Eva Lind</p>",
        "<p>Source: Example News Agency</p>",
        "<p>Tags: <a href='/tag/ai'>AI Act</a>, <a href='/tag/council'>Council</a></p>",
        "<p>Filed under: Policy</p>",
        "<p>12 comments</p>",
        "<p>© 2024 Example News. All rights reserved.</p>",
        (
            "<ul><li><a href='/x'>Chips Act subsidies come under review</a></li>"
            "<li><a href='/y'>Senate privacy bill stalls again</a></li></ul>"
        ),
        "<h3>The Brussels Brief newsletter</h3><p>The day's EU policy news, every morning at seven.</p>",
        "<p>Follow Example News on Instagram, Facebook and YouTube.</p><p>Listen to our podcast every Friday.</p>",
    ],
)
def test_boxes_and_credits_go_from_the_end(ending: str) -> None:
    assert body_of(BODY + ending).split("\n")[-1].startswith(LAST)


@pytest.mark.parametrize(
    "line",
    [
        "<p>By the end of the year, every member state must name a market surveillance authority.</p>",
        "<p>More than 200 companies have signed the voluntary pledge so far, officials said.</p>",
        "<p>Like Facebook and Google, smaller platforms will have to label AI-generated images.</p>",
        "<p>Readers of the EU AI Act Newsletter get a weekly summary of such decisions, its editor said.</p>",
        "<p>Phishing messages written by AI models now land in your inbox in perfect German.</p>",
        "<p>The vote is scheduled for 12 March 2024.</p>",
        "<p>Related parties must disclose their interests before the hearing.</p>",
    ],
)
def test_sentences_that_only_resemble_boilerplate_stay(line: str) -> None:
    lines = body_of(line + P1 + P2 + P3 + line).split("\n")
    assert lines[0] == lines[-1] == line.removeprefix("<p>").removesuffix("</p>")


# --- the body: several containers, declared articleBody -----------------------------------------

TEASER = "<p>The Council adopted its position on the AI Act on Tuesday, after months of talks among ministers.</p>"


def article_body(text: str) -> str:
    return json_ld({"@type": "NewsArticle", "headline": "Council adopts AI rules", "articleBody": text})


def test_a_declared_article_body_much_longer_than_the_page_text_wins() -> None:
    """A paywalled page shows a teaser, while its JSON-LD holds the whole article."""
    declared = "Ministers agreed the Council's position.\n" + " ".join(BODY.split()) + "\n\nThe talks start in June."
    text = extract_article(page(article_body(declared), TEASER * 2), URL, ExtractionOptions(min_text_chars=20)).text
    assert text.startswith("Ministers agreed the Council's position.") and text.endswith("The talks start in June.")


def test_a_declared_summary_does_not_replace_the_article() -> None:
    assert body_of(BODY, article_body("The Council agreed its position.")).startswith(FIRST)


def test_article_body_with_markup_is_read_as_text() -> None:
    declared = "<p>Ministers agreed &amp; signed.</p>" + "<p>" + "The talks go on. " * 40 + "</p>"
    text = extract_article(page(article_body(declared), TEASER), URL, ExtractionOptions(min_text_chars=20)).text
    assert text.startswith("Ministers agreed & signed.\nThe talks go on.") and "<p>" not in text


def test_a_page_that_defeats_trafilatura_fast_mode_is_extracted_again() -> None:
    """Paragraphs split by <br> in a bare <div>: the fast mode finds only the list item, 11
    characters, and the comparison with readability and jusText finds the article."""
    paragraphs = [" ".join(paragraph.split("<p>")[-1].split()) for paragraph in BODY.split("</p>")[:-1]]
    html = (
        "<html><head><title>Council adopts AI rules</title></head><body><h1>Council adopts AI rules</h1>"
        f"<ul><li><p>Latest news</p></li></ul><div>{'<br><br>'.join(paragraphs)}</div></body></html>"
    )
    assert extract_article(html, URL).text == "\n".join(paragraphs)


def test_an_article_split_into_containers_of_one_class_is_read_whole() -> None:
    """Around an ad, some CMSs close the body container and open another of the same class."""
    first, *rest = (" ".join(paragraph.split()) for paragraph in BODY.split("</p>")[:-1])
    html = (
        f"<h1>Council adopts AI rules</h1><div class='grid'><div class='article-body'>{first}</p></div></div>"
        "<div class='ad'><p>Advertisement</p></div>"
        f"<div class='grid'><div class='article-body'>{'</p>'.join(rest)}</p></div></div>"
    )
    assert [line.split()[0] for line in body_of(html).split("\n")] == FIRST_WORDS


# --- authors from the visible byline ------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        (
            '<p class="signature">Par Claire Dubois et Jean Martin | Publié le 5 mars</p>',
            ["Claire Dubois", "Jean Martin"],
        ),
        ('<p class="autor-zeile">Von Anna Becker, Stand: 18.11.2026</p>', ["Anna Becker"]),
        ('<div class="byline">By Eva Lind — Updated 2 hours ago</div>', ["Eva Lind"]),
        (
            '<span class="byline">Door Sanne de Vries en Piet Jansen op 10 januari</span>',
            ["Sanne de Vries", "Piet Jansen"],
        ),
        ('<p class="autore">di Marco Rossi, 7 febbraio 2024</p>', ["Marco Rossi"]),
        ('<p class="autor">Przez Jan Kowalski i Annę Nowak, dnia 5 marca</p>', ["Jan Kowalski", "Annę Nowak"]),
    ],
)
def test_authors_from_a_visible_byline_without_its_dateline(byline: str, expected: list[str]) -> None:
    article = extract_article(page(body=byline + BODY), URL)
    assert article.authors == expected
    assert not any(name in article.text for name in expected)


def test_only_the_first_visible_byline_counts() -> None:
    """Later bylines belong to teasers of other articles."""
    teaser = '<aside><p class="byline">By Tom Baker</p><a href="/other">Other story</a></aside>'
    assert extract_article(page(body='<p class="byline">By Anna Keller</p>' + BODY + teaser), URL).authors == [
        "Anna Keller"
    ]


# --- the bundled sample site, as the crawler fetches it -------------------------------------------

SAMPLE_BASE = "http://127.0.0.1:8000"
SAMPLE_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SAMPLE_MANIFEST: dict[str, Any] = json.loads((DEFAULT_ROOT / "manifest.json").read_text(encoding="utf-8"))
SAMPLE_ARTICLES = {a["path"]: a for a in SAMPLE_MANIFEST["articles"]}


def sample(path: str) -> Article:
    """A sample article as the sample site serves it (placeholders filled), extracted."""
    raw = fill_placeholders((DEFAULT_ROOT / SAMPLE_ARTICLES[path]["file"]).read_bytes(), SAMPLE_BASE, SAMPLE_NOW)
    return extract_article(raw, SAMPLE_BASE + path)


BYLINE_START = re.compile(r"^(?:By|Von|Par|Publié|Stand)\b")


@pytest.mark.parametrize("path", SAMPLE_ARTICLES)
def test_sample_site_article(path: str) -> None:
    """Every sample article: its title, author, language and date, its body without bylines or sidebars."""
    expected, article = SAMPLE_ARTICLES[path], sample(path)
    assert (article.title, article.authors, article.language) == (
        expected["title"],
        [expected["author"]],
        expected["language"],
    )
    published = SAMPLE_NOW - timedelta(days=expected["published_days_ago"])
    assert article.published_at is not None and article.published_at.date() == published.date()
    assert expected["body_phrase"] in article.text
    assert not any(headline in article.text for headline in expected["most_read"])
    assert not BYLINE_START.match(article.text) and expected["author"] not in article.text.split("\n")[0]


def test_the_french_sample_body_has_no_byline() -> None:
    """The bug seen in the demo: this body began with "Par Julien Marchand | Publié le"."""
    article = sample("/journal-du-numerique/articles/gigafactories-ia-consultation.html")
    assert "Par Julien Marchand" not in article.text and "Publié le" not in article.text
    assert article.authors == ["Julien Marchand"]
