"""extract_article on golden pages (tests/pages, one parametrized test per field) and on small made-up pages.

The golden pages' expected values live in tests/pages/expected.json; after a deliberate change,
rewrite them with ``python -m tests.pages.regenerate`` and review the diff.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pipeline.extract import (
    Article,
    ExtractionOptions,
    NotAnArticle,
    clean_authors,
    decode_html,
    detect_language,
    extract_article,
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
        "%PDF-1.4 decoded by mistake <html>",
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
    """Line breaks inside a paragraph's markup are not paragraph breaks."""
    lines = extract_article(page(), URL).text.split("\n")
    assert [line.split()[0] for line in lines] == ["Council", "Ministers", "The", "Civil"]
