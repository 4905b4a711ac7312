"""Brussels Byte: an English-language EU policy site with a classic WordPress-style template.

Discovery: an RSS 2.0 feed (which also carries the redirect, 404, tracking, PDF and robots traps)
and a Google News sitemap that overlaps it, for de-duplication.
"""

from __future__ import annotations

from demo.sitegen.common import (
    absolute,
    attr,
    date_meta,
    esc,
    json_ld,
    link_items,
    paragraphs,
    visible_date,
)
from demo.sitegen.model import Article, Entry, Outlet, Page, Source, human

NAME = "Brussels Byte"
HOME = "/brussels-byte/"
FEED = "/brussels-byte/feed.rss"
NEWS_SITEMAP = "/brussels-byte/news-sitemap.xml"
OLD_URL = "/brussels-byte/story/4711"
MISSING = "/brussels-byte/news/withdrawn-ai-office-staffing.html"
PDF = "/brussels-byte/files/investai-explainer.pdf"
TRACKING = "utm_source=rss&utm_medium=feed&utm_campaign=morning-briefing"


def render(outlet: Outlet, page: Page) -> str:
    """Classic blog layout: cookie notice first, sidebar after the article."""
    a = page.article
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(a.title)} | {NAME}</title>
<meta name="description" content="{attr(a.description)}">
<meta name="author" content="{attr(a.author)}">
<link rel="canonical" href="{absolute(a.path)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{NAME}">
<meta property="og:title" content="{attr(a.title)}">
<meta property="og:description" content="{attr(a.description)}">
<meta property="og:url" content="{absolute(a.path)}">
{date_meta(a)}{json_ld(a, NAME)}<link rel="alternate" type="application/rss+xml" title="{NAME} RSS"
  href="{absolute(FEED)}">
<style>body{{font-family:Georgia,serif;margin:0}}.wrap{{display:flex;gap:2rem;max-width:70rem;margin:auto}}</style>
</head>
<body class="single single-post">
<div id="cookie-notice" class="cookie-banner" role="dialog" aria-label="Cookie consent">
  <p>We use cookies to measure our audience and to remember your preferences.
  See our <a href="/brussels-byte/privacy/">privacy policy</a>.</p>
  <button type="button" class="accept">Accept all</button>
  <button type="button" class="refuse">Refuse</button>
</div>
<header class="site-header">
  <a class="logo" href="{HOME}">Brussels <span>Byte</span></a>
  <nav class="main-navigation" aria-label="Main menu">
    <ul class="menu">
      <li><a href="/brussels-byte/category/policy/">Policy</a></li>
      <li><a href="/brussels-byte/category/tech/">Tech</a></li>
      <li><a href="/brussels-byte/category/research/">Research</a></li>
      <li><a href="/brussels-byte/category/world/">World</a></li>
      <li><a href="/brussels-byte/category/opinion/">Opinion</a></li>
    </ul>
  </nav>
</header>
<div class="wrap">
<main id="main" class="site-main">
<article class="post type-post">
  <p class="cat-links"><a href="/brussels-byte/category/{a.section.lower()}/">{esc(a.section)}</a></p>
  <h1 class="entry-title">{esc(a.title)}</h1>
  <p class="byline">By <span class="author vcard">{esc(a.author)}</span>{visible_date(a, human, " | ")}</p>
  <div class="entry-content">
{paragraphs(a, "    ")}
  </div>
  <section class="related-posts">
    <h2>Related</h2>
    <ul>
{link_items(page.related, "      ")}
    </ul>
  </section>
</article>
</main>
<aside id="secondary" class="widget-area">
  <section class="widget most-read">
    <h2 class="widget-title">Most read</h2>
    <ol>
{link_items(page.most_read, "      ")}
    </ol>
  </section>
  <section class="widget newsletter-signup">
    <h2 class="widget-title">The morning briefing</h2>
    <p>Every weekday at 7:00: what happened in Brussels overnight, in five minutes.</p>
    <form action="/brussels-byte/subscribe" method="post">
      <input type="email" name="email" placeholder="you@example.org">
      <button type="submit">Subscribe</button>
    </form>
  </section>
</aside>
</div>
<footer class="site-footer">
  <p>&copy; Brussels Byte Media. All rights reserved.</p>
  <ul>
    <li><a href="/brussels-byte/about/">About us</a></li>
    <li><a href="/brussels-byte/contact/">Contact</a></li>
    <li><a href="/brussels-byte/privacy/">Privacy</a></li>
  </ul>
</footer>
</body>
</html>
"""


GIGAFACTORY_CALL = Article(
    path="/brussels-byte/news/commission-opens-ai-gigafactory-call.html",
    title="Commission opens call for AI gigafactories under InvestAI",
    description="Consortia can now bid for EU support to build very large AI computing sites.",
    author="Marta Kowalczyk",
    section="Policy",
    days_ago=1,
    topics=("Gigafactory", "InvestAI"),
    body_phrase="several hundred megawatts of reliable power",
    paragraphs=(
        "The European Commission has opened the formal call for AI gigafactories, the very large computing "
        "sites it wants built in Europe with a mix of public and private money. Consortia of companies, "
        "research centres and member states can now submit full proposals, after a first round of expressions "
        "of interest drew more candidate sites than officials had expected.",
        "Each gigafactory is meant to house on the order of 100,000 advanced AI chips, several times the "
        "capacity of the largest European research machines today. The aim is to let European companies and "
        "laboratories train frontier models at home instead of renting capacity from American cloud providers.",
        "The money comes from InvestAI, the initiative the Commission presented at the AI Action Summit in Paris "
        "in February 2025. InvestAI is meant to mobilise around EUR 200 billion for artificial intelligence, "
        "including a EUR 20 billion fund earmarked for the gigafactories themselves.",
        "Officials stress that the public share is meant to take risk off private investors rather than replace "
        "them. \"We are not building these sites alone, and we do not want to,\" said a Commission official "
        "involved in drafting the call, who asked not to be named because the selection is under way.",
        "Energy is the question most applicants will have to answer first. A site of this size needs several "
        "hundred megawatts of reliable power, and the call asks consortia to show grid connections, cooling "
        "plans and how they will source low-carbon electricity.",
        "Industry groups welcomed the launch but warned that the timetable is tight. Lena Hartmann, who follows "
        "the file for a Brussels association of cloud providers, said the hardware market remains stretched and "
        "that delivery slots for accelerators are being booked a year or more in advance.",
        "The Commission expects to announce the first selected projects later in the year. Member states that "
        "host a winning bid will be asked to co-finance the site and to speed up its permits.",
    ),
)

GPAI_CODE = Article(
    path="/brussels-byte/news/gpai-code-of-practice-signatories.html",
    title="GPAI code of practice: what signatories have signed up to",
    description="Three chapters, one documentation form and a copyright pledge: the code explained.",
    author="Tom Verhoeven",
    section="Policy",
    days_ago=3,
    topics=("AI Act", "GPAI code of practice"),
    body_phrase="respect machine-readable opt-outs",
    paragraphs=(
        "Providers of general-purpose AI models that want a simple way to show they comply with the AI Act have "
        "a ready-made route: the GPAI code of practice, drawn up by independent experts with input from "
        "industry, researchers and civil society, and published by the Commission's AI Office.",
        "The code has three chapters. The transparency chapter comes with a model documentation form that "
        "providers fill in and keep up to date. The copyright chapter asks them to respect machine-readable "
        "opt-outs when they crawl the web for training data. The safety and security chapter applies only to "
        "the small group of models considered to pose systemic risk.",
        "Signing is voluntary. Providers that stay out must show compliance with the obligations of the AI Act "
        "in other ways, which lawyers say means more paperwork and more questions from the regulator.",
        "The obligations for general-purpose AI models have applied since August 2025. Models that were already "
        "on the market before that date have a longer transition period, and the AI Office can only fine "
        "providers from August 2026.",
        "\"For most companies the transparency chapter is where the real work is,\" said Ines Navarro, a "
        "compliance consultant in Madrid who advises several model developers. \"Filling in the documentation "
        "form properly takes weeks, not days.\"",
        "Civil-society groups argue that the code leaves too much to the providers' own assessment of risk. The "
        "AI Office has said it will review the code regularly and can update it as the technology changes.",
    ),
)

AI_ACT_DELAY = Article(
    path="/brussels-byte/news/meps-question-ai-act-delay.html",
    title="MEPs question plan to delay parts of the AI Act",
    description="Parliament committee members push back on the digital omnibus timetable for high-risk rules.",
    author="Marta Kowalczyk",
    section="Policy",
    days_ago=5,
    date_mode="jsonld",
    topics=("AI Act",),
    body_phrase="link the start of the high-risk obligations to the availability of harmonised standards",
    paragraphs=(
        "Members of the European Parliament have pushed back against proposals to postpone some of the AI Act's "
        "rules for high-risk systems, arguing that companies have already invested in compliance and that a "
        "delay would reward those who waited.",
        "The proposals are part of the Commission's 'digital omnibus', a package meant to simplify EU digital "
        "rules. It would link the start of the high-risk obligations to the availability of harmonised "
        "standards and support tools, which are running late.",
        "\"Legal certainty works both ways,\" said one centre-right MEP on the committee, who backed the goal of "
        "simplification but asked for a firm end date. Several Greens and Socialists said the package should not "
        "reopen the text of Regulation (EU) 2024/1689 at all.",
        "Business groups have largely welcomed the idea. A representative of a federation of small software "
        "firms told the committee that many of its members were still waiting for guidance on how to classify "
        "their products.",
        "The omnibus still needs the agreement of both Parliament and the Council. Diplomats expect member "
        "states to support its broad lines, but the length of any delay remains contested.",
        "Consumer organisations warn that every month of delay leaves people exposed to automated decisions on "
        "credit, jobs and public services without the safeguards the law promised.",
    ),
)

STARGATE_NORWAY = Article(
    path="/brussels-byte/news/stargate-norway-europe.html",
    title="Stargate Norway puts Europe on OpenAI's data-centre map",
    description="A hydropowered site near Narvik arrives while the EU is still choosing its gigafactories.",
    author="Sofia Lindqvist",
    section="Tech",
    days_ago=2,
    topics=("Stargate", "Gigafactory"),
    body_phrase="The electrons are Norwegian, the customers will be European",
    paragraphs=(
        "The first European site of Stargate, the AI infrastructure programme driven by OpenAI, is taking shape "
        "in northern Norway. The data centre near Narvik is designed to run on the region's abundant hydropower "
        "and to take advantage of a cool climate that keeps cooling costs low.",
        "Stargate was announced in January 2025 by OpenAI, SoftBank, Oracle and the Abu Dhabi investor MGX, "
        "with a pledge of up to USD 500 billion over four years for data centres in the United States, starting "
        "in Abilene, Texas. Sites abroad followed, first in the United Arab Emirates and then in Norway.",
        "For Brussels the timing is awkward. The EU's own plan for AI gigafactories, large public-private "
        "computing sites, is still in its selection phase, while the Norwegian project already has partners, "
        "power and a timetable.",
        "Norway is not an EU member but belongs to the European Economic Area, and local officials are keen to "
        "present the site as European capacity. \"The electrons are Norwegian, the customers will be "
        "European,\" said Eirik Solberg, a regional development officer in Nordland.",
        "Analysts caution against treating the two as rivals. The gigafactories are meant to serve European "
        "researchers and companies on terms set by public funders, while Stargate capacity will mostly be sold "
        "by private operators to their own customers.",
        "Either way, demand for power in the Nordics is rising fast. Grid operators in Norway and Sweden have "
        "warned that large data-centre projects will compete with industry and electrified transport for the "
        "same transmission capacity.",
    ),
)

CYBER_LABEL = Article(
    path="/brussels-byte/news/cybersecurity-label-smart-home.html",
    title="Member states back a cybersecurity label for smart home devices",
    description="Shoppers would see how long cameras and doorbells receive security updates.",
    author="Tom Verhoeven",
    section="Tech",
    days_ago=4,
    body_phrase="state a minimum support period on the packaging",
    paragraphs=(
        "EU governments have backed a voluntary cybersecurity label for connected home devices such as cameras, "
        "doorbells and baby monitors, aiming to give shoppers a simple way to tell which products receive "
        "security updates and for how long.",
        "The label would sit alongside the Cyber Resilience Act, which sets mandatory security requirements for "
        "products with digital elements and whose main obligations apply from the end of 2027. Supporters say "
        "the label fills the gap until then.",
        "Manufacturers would have to state a minimum support period on the packaging. Consumer groups have long "
        "complained that cheap devices stop receiving patches within months of sale, leaving them open to "
        "botnets.",
        "\"People read energy labels; they will read this one too,\" said Karel Dvořák, a consumer-rights "
        "campaigner in Prague. Retailers were more cautious, warning that yet another sticker could confuse "
        "customers if it is not aligned with national schemes in Germany and Finland.",
        "The Commission is expected to propose how the scheme would be run. Industry associations have asked "
        "for at least eighteen months to adapt packaging and online listings.",
    ),
)

AI_FACTORIES_WAVE = Article(
    path="/brussels-byte/news/eurohpc-new-ai-factories.html",
    title="EuroHPC names new AI factories in latest selection round",
    description="More member states get AI-oriented supercomputing capacity and support teams.",
    author="Sofia Lindqvist",
    section="Research",
    days_ago=6,
    topics=("AI factories",),
    redirect_from=(OLD_URL,),
    body_phrase="sit with a start-up and get their first training run working",
    paragraphs=(
        "The EuroHPC Joint Undertaking has added another group of AI factories to its network, extending "
        "AI-oriented computing capacity to more member states and bringing the number of sites selected since "
        "late 2024 to well over a dozen.",
        "AI factories are built around the EuroHPC supercomputers. Each one combines new or upgraded machines "
        "optimised for machine learning with support services: help with data, model training and access for "
        "start-ups and small firms that cannot afford their own hardware.",
        "The new sites will share costs with the joint undertaking and their host countries. Some are smaller "
        "'antennas' that connect a national ecosystem to an existing AI factory instead of operating a large "
        "machine of their own.",
        "\"The hardware is only half of it,\" said Piet Janssens, who runs the user-support team at one of the "
        "hosting centres. \"The other half is people who can sit with a start-up and get their first training "
        "run working.\"",
        "Access to the AI factories is free for eligible researchers and subsidised for companies, through calls "
        "that the joint undertaking runs several times a year. Start-ups say the application process has become "
        "faster but is still heavier than renting cloud capacity.",
    ),
)

GIGAFACTORY_RACE = Article(
    path="/brussels-byte/news/ai-gigafactory-race.html",
    title="The race to host an AI gigafactory: who is bidding where",
    description="Power, land and cooling: how governments are pitching their candidate sites.",
    author="Jane Doe",
    section="Policy",
    days_ago=7,
    topics=("Gigafactory",),
    tracking_query=TRACKING,
    body_phrase="who can actually deliver a firm connection by the time the chips arrive",
    paragraphs=(
        "From the Baltic coast to the south of Spain, governments and companies are positioning themselves to "
        "host one of the EU's planned AI gigafactories. The sites would be among the largest computing "
        "facilities in the world, and winning one has become a matter of national prestige.",
        "Most bids follow a similar recipe: a large industrial plot, a connection to the high-voltage grid, "
        "access to water or free cooling, and a consortium that mixes a telecoms operator, a utility and a "
        "national research centre.",
        "Countries with cheap low-carbon electricity argue they have a natural advantage. Nordic candidates "
        "point to hydropower and cold air, southern bids highlight solar capacity and land, and central European "
        "ones stress their closeness to industrial customers and universities.",
        "\"Everyone is promising gigawatts,\" said Roberto Ferri, an energy analyst in Milan. \"What matters is "
        "who can actually deliver a firm connection by the time the chips arrive.\"",
        "Some governments are also pitching cross-border projects, arguing that one shared site is better than "
        "several half-funded ones. The Commission has signalled that it is open to joint bids, provided the "
        "governance is clear.",
        "The winners will need to line up private investors for most of the cost. Bankers involved in early "
        "talks say the business case depends on long-term contracts with customers who will actually use the "
        "capacity.",
    ),
)

PROHIBITED_PRACTICES = Article(
    path="/brussels-byte/news/guidelines-prohibited-ai-practices.html",
    title="Commission guidelines spell out banned AI practices",
    description="From social scoring to emotion recognition at work: examples for each prohibition.",
    author="Tom Verhoeven",
    section="Policy",
    days_ago=38,
    topics=("AI Act",),
    body_phrase="scraping facial images from the internet to build recognition databases",
    paragraphs=(
        "The European Commission has published guidelines explaining which uses of artificial intelligence are "
        "banned under the AI Act, from manipulative techniques to social scoring and most real-time facial "
        "recognition by the police in public spaces.",
        "The prohibitions were the first part of the regulation to apply, in February 2025. The guidelines are "
        "not legally binding, but regulators and courts are expected to lean on them when they interpret the "
        "law.",
        "They give examples for each ban. Emotion recognition at work and in schools is prohibited, with "
        "exceptions for medical and safety reasons; scraping facial images from the internet to build "
        "recognition databases is banned outright.",
        "Digital-rights groups welcomed the clarity on some points but said the exceptions for law enforcement "
        "remain broad. Industry lawyers said the examples would help companies audit products that sit close to "
        "the line, such as tools that infer stress levels from a caller's voice.",
        "\"A lot of clients asked us whether their call-centre analytics were suddenly illegal,\" said Hanna "
        "Virtanen, a technology lawyer in Helsinki. \"For most of them the answer is no, and now we can point to "
        "a document that says so.\"",
    ),
)

COLORADO = Article(
    path="/brussels-byte/news/colorado-ai-act-revisited.html",
    title="Colorado revisits its AI Act before the law takes effect",
    description="The first broad US state law on algorithmic discrimination faces another round of changes.",
    author="Jane Doe",
    section="World",
    days_ago=9,
    trap="us_state_ai_act",
    body_phrase="there is no private right of action",
    paragraphs=(
        "Colorado lawmakers are once again reworking the state's AI Act, the first broad American law aimed at "
        "discrimination by automated decision systems, before most of its obligations take effect.",
        "The law requires developers and deployers of high-risk systems, those that make or substantially shape "
        "decisions on jobs, housing, lending, insurance and health care, to take reasonable care to avoid "
        "algorithmic discrimination and to tell people when such a system is used.",
        "The governor signed the bill with reservations, and its start date has already been pushed back once "
        "after technology companies and some local employers warned that the obligations were vague and costly.",
        "Consumer advocates in Denver say the delays are eroding a law that was meant to set an example for "
        "other states. \"Every session there is a new reason to wait,\" said Maria Delgado of a civil-rights "
        "coalition that backed the original bill.",
        "The state attorney general will enforce the law, and there is no private right of action. Lawyers "
        "expect several other states to watch how the rules work in practice before moving ahead with bills of "
        "their own.",
    ),
)

EMBARGOED = Article(
    path="/private/brussels-byte/gigafactory-shortlist-embargoed.html",
    title="EMBARGOED: Draft shortlist of AI gigafactory sites",
    description="Not for publication before the announcement.",
    author="Marta Kowalczyk",
    section="Policy",
    days_ago=0.5,
    topics=("Gigafactory",),
    disallowed=True,
    body_phrase="A draft shortlist of sites for the EU's first AI gigafactories",
    paragraphs=(
        "EMBARGOED: not for publication before the announcement. A draft shortlist of sites for the EU's first "
        "AI gigafactories has been circulated to member states, according to a document seen by Brussels Byte.",
        "The draft ranks proposals on the strength of their energy supply, the quality of their private "
        "financing and how quickly they could start operating. Several bids from the same country have been "
        "asked to merge.",
        "Officials insist that the list is provisional and that the final choice rests with the selection "
        "committee. Governments that are not on the draft have until the end of the month to send more "
        "information.",
        "Representatives of two consortia said they had not been told of their ranking and declined to comment "
        "on a document they had not seen.",
    ),
)

ARTICLES = (
    GIGAFACTORY_CALL,
    GPAI_CODE,
    AI_ACT_DELAY,
    STARGATE_NORWAY,
    CYBER_LABEL,
    AI_FACTORIES_WAVE,
    GIGAFACTORY_RACE,
    PROHIBITED_PRACTICES,
    COLORADO,
    EMBARGOED,
)

_FEED_ENTRIES = (
    Entry.of(EMBARGOED),
    Entry.of(GIGAFACTORY_CALL),
    Entry(href=PDF, title="InvestAI explained: our two-page factsheet (PDF)", days_ago=1.5, author="Brussels Byte"),
    Entry.of(STARGATE_NORWAY),
    Entry.of(GPAI_CODE),
    Entry(href=MISSING, title="AI Office staffing: an update", days_ago=3.5, author="Tom Verhoeven",
          summary="This story has been withdrawn."),
    Entry.of(CYBER_LABEL),
    Entry.of(AI_ACT_DELAY),
    Entry.of(AI_FACTORIES_WAVE, href=OLD_URL),
    Entry.of(GIGAFACTORY_RACE, href=f"{GIGAFACTORY_RACE.path}?{TRACKING}"),
    Entry.of(COLORADO),
    Entry.of(PROHIBITED_PRACTICES),
)

OUTLET = Outlet(
    id="brussels-byte",
    name=NAME,
    language="en",
    articles=ARTICLES,
    render=render,
    sources=(
        Source(kind="rss", path=FEED, entries=_FEED_ENTRIES),
        Source(
            kind="news_sitemap",
            path=NEWS_SITEMAP,
            entries=tuple(
                Entry.of(a)
                for a in (
                    EMBARGOED,
                    GIGAFACTORY_CALL,
                    STARGATE_NORWAY,
                    GPAI_CODE,
                    AI_FACTORIES_WAVE,
                    GIGAFACTORY_RACE,
                )
            ),
        ),
    ),
)
