"""Tech Tagesblatt: a German site with a semantic HTML5 template and a consent-management banner.

Discovery: a Google News sitemap only. Its RSS feed is broken (truncated mid-item), as happens when
a CMS times out while writing the file: the "broken source" case.
"""

from __future__ import annotations

from demo.sitegen.common import absolute, attr, date_meta, esc, json_ld, link_items, paragraphs, visible_date
from demo.sitegen.model import Article, Entry, Outlet, Page, Source, dmy

NAME = "Tech Tagesblatt"
HOME = "/tech-tagesblatt/"
NEWS_SITEMAP = "/tech-tagesblatt/sitemap-news.xml"
BROKEN_FEED = "/tech-tagesblatt/feed.rss"


def render(outlet: Outlet, page: Page) -> str:
    """Semantic layout: CMP banner, Ressort navigation, article with Vorspann, Randspalte."""
    a = page.article
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(a.title)} | {NAME}</title>
<meta name="description" content="{attr(a.description)}">
<meta property="og:title" content="{attr(a.title)}">
<meta property="og:url" content="{absolute(a.path)}">
<meta property="og:site_name" content="{NAME}">
{date_meta(a)}{json_ld(a, NAME)}<link rel="canonical" href="{absolute(a.path)}">
</head>
<body>
<aside id="cmp-banner" class="cmp" role="dialog" aria-label="Datenschutz-Einstellungen">
  <p>Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren und Zugriffe zu analysieren.</p>
  <button type="button">Alle akzeptieren</button>
  <button type="button">Einstellungen</button>
</aside>
<header class="kopf">
  <a class="marke" href="{HOME}">Tech Tagesblatt</a>
  <nav class="ressorts" aria-label="Ressorts">
    <a href="/tech-tagesblatt/politik/">Politik</a>
    <a href="/tech-tagesblatt/wirtschaft/">Wirtschaft</a>
    <a href="/tech-tagesblatt/wissenschaft/">Wissenschaft</a>
    <a href="/tech-tagesblatt/verbraucher/">Verbraucher</a>
    <a href="/tech-tagesblatt/recht/">Recht</a>
  </nav>
</header>
<div class="seite">
  <main id="inhalt">
    <article class="beitrag">
      <header>
        <p class="dachzeile">{esc(a.section)}</p>
        <h1>{esc(a.title)}</h1>
        <p class="vorspann">{esc(a.description)}</p>
        <p class="autor-zeile">Von {esc(a.author)}{visible_date(a, dmy, ", Stand: ")}</p>
      </header>
      <div class="beitrag-text">
{paragraphs(a, "        ")}
      </div>
      <nav class="weiterlesen" aria-label="Mehr zum Thema">
        <h2>Mehr zum Thema</h2>
        <ul>
{link_items(page.related, "          ")}
        </ul>
      </nav>
    </article>
  </main>
  <aside class="randspalte">
    <section class="meistgelesen">
      <h2>Meistgelesen</h2>
      <ol>
{link_items(page.most_read, "        ")}
      </ol>
    </section>
    <section class="newsletter-box">
      <h2>Der Tagesblatt-Newsletter</h2>
      <p>Jeden Morgen die wichtigsten Tech-Nachrichten, kostenlos und jederzeit kündbar.</p>
      <form action="/tech-tagesblatt/newsletter" method="post">
        <input type="email" name="email" placeholder="E-Mail-Adresse">
        <button type="submit">Anmelden</button>
      </form>
    </section>
  </aside>
</div>
<footer class="fuss">
  <a href="/tech-tagesblatt/impressum/">Impressum</a>
  <a href="/tech-tagesblatt/datenschutz/">Datenschutz</a>
  <a href="/tech-tagesblatt/kontakt/">Kontakt</a>
  <p>Tech Tagesblatt Verlags-GmbH</p>
</footer>
</body>
</html>
"""


GIGAFABRIKEN = Article(
    path="/tech-tagesblatt/artikel/ki-gigafabriken-standorte.html",
    title="KI-Gigafabriken: Deutschland schickt mehrere Standorte ins Rennen",
    description="Industrie, Energieversorger und Forschung bewerben sich gemeinsam um europäische Förderung.",
    author="Anna Becker",
    section="Politik",
    days_ago=2,
    topics=("Gigafactory",),
    body_phrase="müssen beim Netzanschluss schneller werden",
    paragraphs=(
        "Deutschland bewirbt sich mit mehreren Standorten um eine der KI-Gigafabriken, die die Europäische Union "
        "in den kommenden Jahren aufbauen will. Im Gespräch sind Flächen in Nordrhein-Westfalen, Bayern und im "
        "Osten des Landes, jeweils mit Partnern aus Industrie, Energiewirtschaft und Forschung.",
        "Eine KI-Gigafabrik soll Rechenleistung in einer Größenordnung bündeln, die es in Europa bislang nicht "
        "gibt: rund 100.000 spezialisierte Chips pro Standort. Damit sollen europäische Unternehmen und "
        "Forschungseinrichtungen große Modelle trainieren können, ohne auf Anbieter aus den USA angewiesen zu "
        "sein.",
        "Entscheidend wird die Stromversorgung sein. Ein einzelner Standort braucht mehrere Hundert Megawatt, "
        "und die Netzbetreiber warnen schon jetzt vor langen Wartezeiten für neue Anschlüsse.",
        "„Wir haben die Flächen, wir haben die Industrie als Kunden, aber wir müssen beim Netzanschluss "
        "schneller werden“, sagt Tobias Krüger, Geschäftsführer eines Rechenzentrumsbetreibers aus Frankfurt.",
        "Über die Auswahl entscheidet am Ende ein Gremium auf europäischer Ebene. Mehrere Bundesländer haben "
        "angekündigt, einen Zuschlag mit eigenen Mitteln zu unterstützen.",
    ),
)

VERHALTENSKODEX = Article(
    path="/tech-tagesblatt/artikel/ki-verordnung-verhaltenskodex-gpai.html",
    title="KI-Verordnung: Was der Verhaltenskodex für Anbieter großer Modelle bedeutet",
    description="Transparenz, Urheberrecht, Sicherheit: die drei Kapitel des GPAI-Kodex im Überblick.",
    author="Jonas Weiß",
    section="Recht",
    days_ago=5,
    topics=("AI Act", "GPAI code of practice"),
    body_phrase="maschinenlesbare Nutzungsvorbehalte",
    paragraphs=(
        "Seit August 2025 gelten die Pflichten der europäischen KI-Verordnung für Anbieter von KI-Modellen mit "
        "allgemeinem Verwendungszweck, kurz GPAI-Modelle. Wer sie erfüllen will, kann sich auf einen "
        "Verhaltenskodex stützen, den unabhängige Fachleute im Auftrag der EU-Kommission ausgearbeitet haben.",
        "Der Kodex besteht aus drei Kapiteln: Transparenz, Urheberrecht sowie Sicherheit und Gefahrenabwehr. Das "
        "letzte Kapitel betrifft nur die leistungsfähigsten Modelle, bei denen die Kommission ein systemisches "
        "Risiko annimmt.",
        "Für deutsche Anbieter ist vor allem das Urheberrechtskapitel relevant. Es verlangt, maschinenlesbare "
        "Nutzungsvorbehalte von Rechteinhabern zu beachten, wenn Trainingsdaten im Netz gesammelt werden.",
        "„Der Kodex ist freiwillig, aber wer ihn nicht unterzeichnet, muss die Einhaltung der Pflichten auf "
        "anderem Weg nachweisen“, erklärt die Berliner Rechtsanwältin Miriam Öztürk. Das bedeute mehr "
        "Dokumentation und mehr Nachfragen der Aufsicht.",
        "Bußgelder kann das KI-Büro der Kommission erst ab August 2026 verhängen. Für Modelle, die schon vor dem "
        "Stichtag auf dem Markt waren, gelten längere Übergangsfristen.",
    ),
)

KI_FABRIKEN = Article(
    path="/tech-tagesblatt/artikel/ki-fabriken-rechenzeit-start-ups.html",
    title="KI-Fabriken öffnen Rechenzeit für Start-ups",
    description="Deutsche Höchstleistungsrechenzentren vergeben Kontingente an junge Unternehmen.",
    author="Anna Becker",
    section="Wissenschaft",
    days_ago=8,
    date_mode="visible",
    topics=("AI factories",),
    body_phrase="Sprachmodelle für die Verwaltung",
    paragraphs=(
        "An den großen deutschen Rechenzentren können sich Start-ups und kleine Unternehmen inzwischen um "
        "Rechenzeit für das Training eigener KI-Modelle bewerben. Möglich machen das die KI-Fabriken, die die "
        "Europäische Union gemeinsam mit dem EuroHPC Joint Undertaking und den Mitgliedstaaten fördert.",
        "Eine KI-Fabrik verbindet einen für maschinelles Lernen optimierten Supercomputer mit Beratung: "
        "Fachleute helfen bei der Aufbereitung von Daten, der Wahl der Software und der Planung von "
        "Trainingsläufen.",
        "„Für uns war das der Einstieg“, sagt Lena Hoffmann, Mitgründerin eines Dresdner Start-ups, das "
        "Sprachmodelle für die Verwaltung entwickelt. „Die Rechenzeit hätten wir uns in der Cloud schlicht nicht "
        "leisten können.“",
        "Die Anträge sind kürzer als bei klassischen Forschungsprojekten, werden aber fachlich begutachtet. "
        "Unternehmen müssen zudem die Sicherheitsvorgaben der Rechenzentren einhalten.",
        "Die Nachfrage ist groß. Die Betreiber rechnen damit, dass die Kapazitäten schnell ausgelastet sein "
        "werden, und verweisen auf weitere Ausbaustufen.",
    ),
)

AKKUS = Article(
    path="/tech-tagesblatt/artikel/austauschbare-akkus-smartphones.html",
    title="Austauschbare Akkus: Neue EU-Regeln für Smartphones rücken näher",
    description="Ab 2027 sollen Nutzer Gerätebatterien selbst wechseln können.",
    author="Jonas Weiß",
    section="Verbraucher",
    days_ago=1,
    body_phrase="Verklebte Akkus, die nur mit Spezialwerkzeug",
    paragraphs=(
        "Smartphones und andere Geräte sollen sich künftig wieder leichter reparieren lassen. Die europäische "
        "Batterieverordnung schreibt vor, dass Gerätebatterien ab 2027 grundsätzlich vom Endnutzer entfernt und "
        "ersetzt werden können.",
        "Hersteller müssen ihre Konstruktionen dafür teils grundlegend ändern. Verklebte Akkus, die nur mit "
        "Spezialwerkzeug oder Wärme gelöst werden können, sollen dann die Ausnahme sein.",
        "„Das ist ein echter Gewinn für die Lebensdauer der Geräte“, sagt Petra Lang von einer "
        "Verbraucherzentrale. Viele Smartphones würden heute nur deshalb ersetzt, weil der Akku nachlässt.",
        "Die Industrie verweist auf Ausnahmen, etwa für Geräte, die regelmäßig mit Wasser in Berührung kommen. "
        "Wie weit diese Ausnahmen reichen, ist unter Juristen umstritten.",
        "Unabhängige Reparaturbetriebe hoffen auf mehr Aufträge. Sie fordern zugleich, dass auch Ersatzteile und "
        "Reparaturanleitungen zu fairen Preisen verfügbar sein müssen.",
    ),
)

STARGATE_NORWEGEN = Article(
    path="/tech-tagesblatt/artikel/stargate-norwegen-narvik.html",
    title="Stargate Norwegen: OpenAI plant großes KI-Rechenzentrum bei Narvik",
    description="Der erste europäische Stargate-Standort soll mit Wasserkraft laufen.",
    author="Felix Hartmann",
    section="Wirtschaft",
    days_ago=0.25,
    topics=("Stargate",),
    body_phrase="mit Strom aus Wasserkraft betrieben werden",
    paragraphs=(
        "Mit Stargate Norwegen entsteht der erste europäische Standort des Infrastrukturprogramms, das OpenAI "
        "mit Partnern wie SoftBank und Oracle vorantreibt. Das Rechenzentrum bei Narvik im Norden des Landes "
        "soll mit Strom aus Wasserkraft betrieben werden.",
        "Das kühle Klima senkt den Aufwand für die Kühlung, und die Abwärme soll nach den Plänen der Betreiber "
        "für Unternehmen in der Region nutzbar gemacht werden.",
        "Stargate war im Januar 2025 in den USA vorgestellt worden: OpenAI, SoftBank, Oracle und der Investor "
        "MGX kündigten an, über vier Jahre bis zu 500 Milliarden US-Dollar in Rechenzentren zu investieren. Der "
        "erste Standort liegt in Abilene, Texas.",
        "„Norwegen bietet genau das, was solche Projekte brauchen: sauberen Strom, Platz und politische "
        "Stabilität“, sagt Henrik Larsen, Analyst bei einer Osloer Beratungsfirma.",
        "Kritiker in der Region fragen, ob der Strom nicht besser der Industrie vor Ort zugutekommen sollte. "
        "Die Betreiber betonen, dass die Anlage schrittweise wächst und ihr Bedarf mit dem Netzbetreiber "
        "abgestimmt ist.",
    ),
)

INVESTAI = Article(
    path="/tech-tagesblatt/artikel/investai-private-milliarden.html",
    title="InvestAI: Wie die EU private Milliarden für KI mobilisieren will",
    description="200 Milliarden Euro lautet das Ziel, der größte Teil soll von Investoren kommen.",
    author="Felix Hartmann",
    section="Wirtschaft",
    days_ago=10,
    date_mode="jsonld",
    topics=("InvestAI",),
    body_phrase="Versicherer und Pensionskassen",
    paragraphs=(
        "Mit InvestAI will die Europäische Kommission insgesamt rund 200 Milliarden Euro für künstliche "
        "Intelligenz mobilisieren. Vorgestellt wurde die Initiative im Februar 2025 beim KI-Gipfel in Paris.",
        "Der größte Teil des Geldes soll nicht aus dem EU-Haushalt kommen, sondern von privaten Investoren. "
        "Öffentliche Mittel sollen das Risiko für Fonds, Versicherer und Pensionskassen senken und so "
        "zusätzliche Investitionen anstoßen.",
        "Parallel zum Gipfel hatten europäische Unternehmen und Investoren eigene Zusagen in dreistelliger "
        "Milliardenhöhe angekündigt. Wie viel davon tatsächlich neues Kapital ist, lässt sich bislang schwer "
        "beziffern.",
        "„Die Summe ist ein politisches Signal“, sagt der Frankfurter Finanzanalyst Stefan Roth. „Entscheidend "
        "ist, ob am Ende Projekte finanziert werden, die ohne die öffentliche Absicherung nicht zustande "
        "gekommen wären.“",
        "Die Kommission verweist auf die Europäische Investitionsbank, die bei der Strukturierung der "
        "Finanzierung helfen soll. Konkrete Fondsstrukturen sollen in den kommenden Monaten vorgestellt werden.",
    ),
)

ARTICLES = (GIGAFABRIKEN, VERHALTENSKODEX, KI_FABRIKEN, AKKUS, STARGATE_NORWEGEN, INVESTAI)

OUTLET = Outlet(
    id="tech-tagesblatt",
    name=NAME,
    language="de",
    articles=ARTICLES,
    render=render,
    sources=(
        Source(kind="news_sitemap", path=NEWS_SITEMAP, entries=tuple(Entry.of(a) for a in ARTICLES)),
        Source(
            kind="rss",
            path=BROKEN_FEED,
            entries=tuple(Entry.of(a) for a in ARTICLES),
            broken="truncated XML: the file ends in the middle of an <item>",
        ),
    ),
)
