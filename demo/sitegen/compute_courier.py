"""Compute Courier: an English data-centre trade site with a modern, class-heavy template.

Discovery: an Atom feed (which links the oversized live blog) and a sitemap index pointing to a
gzipped Google News sitemap and a plain archive sitemap. Republishes one Brussels Byte story.
"""

from __future__ import annotations

from dataclasses import replace

from demo.sitegen import brussels_byte
from demo.sitegen.common import absolute, attr, date_meta, esc, json_ld, link_items, paragraphs, visible_date
from demo.sitegen.model import Article, Entry, Outlet, Page, Source, human

NAME = "Compute Courier"
HOME = "/compute-courier/"
FEED = "/compute-courier/feed.atom"
SITEMAP_INDEX = "/compute-courier/sitemap.xml"
NEWS_SITEMAP_GZ = "/compute-courier/sitemaps/news.xml.gz"
ARCHIVE_SITEMAP = "/compute-courier/sitemaps/archive.xml"
LIVEBLOG = "/compute-courier/live/ai-infrastructure-liveblog"


def render(outlet: Outlet, page: Page) -> str:
    """App-shell layout: consent overlay, top bar, story column and a right rail."""
    a = page.article
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{esc(a.title)} | {NAME}</title>
<meta name="description" content="{attr(a.description)}">
<meta property="og:site_name" content="{NAME}">
<meta property="og:type" content="article">
<meta property="og:title" content="{attr(a.title)}">
<meta property="og:url" content="{absolute(a.path)}">
<meta name="twitter:card" content="summary_large_image">
{date_meta(a)}<link rel="canonical" href="{absolute(a.path)}">
<link rel="alternate" type="application/atom+xml" title="{NAME}" href="{absolute(FEED)}">
{json_ld(a, NAME)}</head>
<body class="cc-body">
<div class="cc-app">
  <div class="consent-layer" id="consent" data-nosnippet>
    <div class="consent-layer__box">
      <h2>Your privacy</h2>
      <p>We and our partners store and access information on your device to show you relevant content.</p>
      <button class="btn btn--primary" data-consent="all">Agree</button>
      <a class="btn btn--link" href="/compute-courier/privacy#choices">Manage choices</a>
    </div>
  </div>
  <header class="topbar">
    <a class="topbar__brand" href="{HOME}">Compute<b>Courier</b></a>
    <nav class="topbar__nav" aria-label="Sections">
      <a href="/compute-courier/data-centres">Data centres</a>
      <a href="/compute-courier/hpc">HPC</a>
      <a href="/compute-courier/cooling">Cooling</a>
      <a href="/compute-courier/energy">Energy</a>
      <a href="/compute-courier/policy">Policy</a>
    </nav>
    <a class="topbar__cta" href="/compute-courier/subscribe">Subscribe</a>
  </header>
  <div class="layout">
    <main class="layout__main">
      <article class="story">
        <header class="story__head">
          <span class="story__section">{esc(a.section)}</span>
          <h1 class="story__title">{esc(a.title)}</h1>
          <p class="story__dek">{esc(a.description)}</p>
          <div class="story__meta">
            <span class="author-card">By <a rel="author"
              href="/compute-courier/authors/{_slug(a.author)}">{esc(a.author)}</a></span>
            {visible_date(a, human)}
          </div>
        </header>
        <div class="story__body">
{paragraphs(a, "          ")}
        </div>
      </article>
      <section class="more-stories">
        <h2 class="more-stories__title">More from {NAME}</h2>
        <ul class="more-stories__list">
{link_items(page.related, "          ")}
        </ul>
      </section>
    </main>
    <aside class="layout__rail">
      <div class="rail-box rail-box--popular">
        <h3 class="rail-box__title">Most read</h3>
        <ol class="popular-list">
{link_items(page.most_read, "          ")}
        </ol>
      </div>
      <div class="rail-box rail-box--signup">
        <h3 class="rail-box__title">Courier Daily</h3>
        <p>The infrastructure stories that matter, every morning. Free, and you can leave any time.</p>
        <form class="signup" action="/compute-courier/newsletter" method="post">
          <input type="email" name="email" aria-label="Email address">
          <button type="submit">Sign me up</button>
        </form>
      </div>
    </aside>
  </div>
  <footer class="sitefoot">
    <nav class="sitefoot__links">
      <a href="/compute-courier/about">About</a>
      <a href="/compute-courier/advertise">Advertise</a>
      <a href="/compute-courier/terms">Terms</a>
      <a href="/compute-courier/privacy">Privacy</a>
    </nav>
    <p class="sitefoot__legal">Compute Courier is published by Courier Media Ltd.</p>
  </footer>
</div>
</body>
</html>
"""


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


STARGATE_US = Article(
    path="/compute-courier/a/2107-stargate-new-us-sites",
    title="Stargate partners add US sites as OpenAI chases more compute",
    description="New locations spread the programme across several states, each planned around its own power.",
    author="Daniel Okafor",
    section="Data centres",
    days_ago=6,
    topics=("Stargate",),
    body_phrase="Lead times for large transformers have stretched past two years",
    paragraphs=(
        "OpenAI, Oracle and SoftBank have named additional data-centre sites for Stargate, the joint venture "
        "formed to build computing capacity for training and running OpenAI's models in the United States.",
        "The flagship campus in Abilene, Texas, already runs its first buildings, and the new locations spread "
        "the programme across several states. Each site is planned around on-site or nearby generation, because "
        "grid connections of this size can take years to approve.",
        "When it was announced in January 2025, Stargate came with a headline pledge of up to USD 500 billion "
        "over four years, backed by OpenAI, SoftBank, Oracle and MGX. Sceptics questioned whether the money "
        "existed; the partners have since pointed to signed leases and construction crews.",
        "\"The bottleneck is not chips any more, it is power equipment,\" said Rachel Kim, a data-centre "
        "construction consultant in Dallas. Lead times for large transformers have stretched past two years, "
        "she said, and developers order them before they have final permits.",
        "Oracle will build and operate much of the capacity, while SoftBank leads on financing. OpenAI has also "
        "signed capacity deals with other cloud providers, and analysts expect it to keep several suppliers to "
        "avoid depending on one.",
    ),
)

STARGATE_UAE = Article(
    path="/compute-courier/a/2088-stargate-uae-first-phase",
    title="Stargate UAE: first 200 MW due online in 2026",
    description="The Abu Dhabi cluster is the first Stargate site outside the United States.",
    author="Priya Raman",
    section="Data centres",
    days_ago=9,
    date_mode="jsonld",
    topics=("Stargate",),
    body_phrase="Shipments of the most advanced accelerators to the Gulf require US licences",
    paragraphs=(
        "The first phase of Stargate UAE, a large AI computing cluster in Abu Dhabi, is due to start operating "
        "in 2026, according to the companies building it. The initial 200 megawatts are part of a planned "
        "one-gigawatt cluster.",
        "The project brings OpenAI together with the Emirati group G42 and with Oracle, Nvidia, Cisco and "
        "SoftBank. It was the first Stargate site announced outside the United States, as part of a wider "
        "technology partnership between the two governments.",
        "The cluster sits within a much larger AI campus planned in Abu Dhabi. Its backers say it will serve "
        "customers across the region, with capacity offered to governments and companies within a radius of a "
        "few thousand kilometres.",
        "Export controls loom over the project. Shipments of the most advanced accelerators to the Gulf require "
        "US licences, and officials in Washington have tied approvals to security commitments about who can "
        "access the hardware.",
        "\"The Gulf has money and power; what it needs is the chips and the people,\" said Omar Haddad, a "
        "Dubai-based analyst who covers regional infrastructure. Hiring enough engineers to run a facility of "
        "this size is a challenge of its own, he said.",
    ),
)

BATTERY_GIGAFACTORY = Article(
    path="/compute-courier/a/2121-brandenburg-battery-gigafactory",
    title="Carmaker plans second cell line at its Brandenburg gigafactory",
    description="Voltara wants to make more of its own battery cells east of Berlin.",
    author="Lukas Brandt",
    section="Energy",
    days_ago=2,
    trap="battery_gigafactory",
    body_phrase="lithium iron phosphate chemistry",
    paragraphs=(
        "Voltara, the electric-car maker, plans to add a second battery-cell line at its gigafactory in "
        "Brandenburg, east of Berlin, doubling the plant's own cell output and adding several hundred jobs.",
        "The plant already assembles the company's compact SUV and a delivery van. Until now most of its battery "
        "cells have been shipped in from suppliers in Asia; the new line would make cells on site using a "
        "lithium iron phosphate chemistry that is cheaper and needs no nickel or cobalt.",
        "State officials welcomed the plan but said the company still needs water and environmental permits for "
        "the extension. Residents' groups have opposed earlier expansions, citing the plant's water use in a "
        "region that has had several dry summers.",
        "\"A second cell line makes the site much less exposed to shipping disruptions,\" said Katrin Vogel, an "
        "automotive analyst in Munich. Battery makers across Europe have struggled to reach full output, she "
        "added, and several announced cell plants have been delayed or cancelled.",
        "Voltara did not give an investment figure. Construction could begin next year if permits are granted, "
        "with the first cells expected about eighteen months later.",
    ),
)

LIQUID_COOLING = Article(
    path="/compute-courier/a/2125-liquid-cooling-retrofits",
    title="Liquid cooling retrofits: operators race to densify older data halls",
    description="Rear-door heat exchangers first, pipework under the floor next.",
    author="Priya Raman",
    section="Cooling",
    days_ago=1,
    body_phrase="rear-door heat exchangers, which can be added rack by rack",
    paragraphs=(
        "Operators of older colocation facilities across Europe are retrofitting data halls with liquid cooling, "
        "as customers ask for racks that draw several times more power than the buildings were designed for.",
        "Most retrofits start with rear-door heat exchangers, which can be added rack by rack. Direct liquid "
        "cooling, where coolant runs through cold plates mounted on the processors, needs new pipework under the "
        "floor and a secondary water loop.",
        "\"The building is twenty years old, the customers are not,\" said Henrik Aalto, technical director at a "
        "Helsinki operator. His company has converted two halls and sends the waste heat into the city's "
        "district heating network.",
        "The work is disruptive. Operators must keep existing customers running while they drill, pipe and "
        "pressure-test, and insurers ask detailed questions about leaks.",
        "Suppliers of pumps, manifolds and coolant distribution units report order backlogs stretching into next "
        "year. Some operators are buying used equipment from hyperscalers that are upgrading their own sites.",
    ),
)

INSIDE_AI_FACTORY = Article(
    path="/compute-courier/a/2113-inside-an-ai-factory",
    title="Inside an AI factory: how supercomputing centres open their GPUs to start-ups",
    description="Allocations of GPU hours, help with software, and queues: the EU programme up close.",
    author="Daniel Okafor",
    section="HPC",
    days_ago=4,
    topics=("AI factories",),
    body_phrase="We had three engineers and no cluster",
    paragraphs=(
        "From the visitor gallery, the new machine looks like any other row of black cabinets. What is different "
        "is who gets to use it: under the EU's AI factories programme, a growing share of its time goes to "
        "start-ups and small companies rather than academic physicists.",
        "The AI factories are run through the EuroHPC Joint Undertaking, which co-owns Europe's largest public "
        "supercomputers. Host sites add hardware tuned for machine learning and build teams that help newcomers "
        "with data preparation, software stacks and scheduling.",
        "Applicants submit a short proposal and, if accepted, receive an allocation of GPU hours for a few "
        "months. For a start-up training a speech model for a smaller European language, that can be the "
        "difference between a prototype on paper and a working product.",
        "\"We had three engineers and no cluster,\" said Alina Popescu, co-founder of a Bucharest start-up that "
        "fine-tunes translation models. \"The allocation gave us more compute than we could have rented with our "
        "whole seed round.\"",
        "The centres admit the model has limits. Queues can be long, security rules for sensitive data are "
        "strict, and companies that need guaranteed capacity on a fixed date still turn to commercial clouds.",
        "Operators say the experience gained now will matter later. Running an industrial-grade service for "
        "paying users is a different discipline from running a research machine, and the AI factories are where "
        "many centres are learning it.",
    ),
)

SYNDICATED_CALL = replace(
    brussels_byte.GIGAFACTORY_CALL,
    path="/compute-courier/a/2124-eu-opens-ai-gigafactory-call",
    title="EU opens call for AI gigafactories under InvestAI",
    description="Brussels invites bids for very large AI computing sites.",
    days_ago=0.8,
    syndicated_of=brussels_byte.GIGAFACTORY_CALL.path,
    section="Policy",
    paragraphs=(
        *brussels_byte.GIGAFACTORY_CALL.paragraphs,
        "This article first appeared in Brussels Byte and is republished with permission.",
    ),
)

INVESTAI_EXPLAINED = Article(
    path="/compute-courier/a/1987-investai-explained",
    title="What InvestAI's EUR 200 billion actually contains",
    description="A mobilisation target, a gigafactory fund and a lot of private pledges.",
    author="Lukas Brandt",
    section="Policy",
    days_ago=33,
    topics=("InvestAI", "Gigafactory"),
    body_phrase="a mobilisation target, not a budget line",
    paragraphs=(
        "When the European Commission presented InvestAI at the AI Action Summit in Paris in February 2025, the "
        "headline figure was EUR 200 billion. Investors and officials are still asking how much of it is new "
        "money.",
        "The largest identifiable block is a EUR 20 billion fund for AI gigafactories, very large computing "
        "sites meant to host around 100,000 advanced chips each. Money from the EU budget is supposed to attract "
        "private capital, with the European Investment Bank helping to structure the financing.",
        "The rest of the figure relies on private commitments, including pledges made by a group of European "
        "companies and investors around the summit. Those pledges are spread over years and are not all tied to "
        "specific projects.",
        "\"It is a mobilisation target, not a budget line,\" said Gaspard Lemaire, a fund manager in Paris who "
        "follows public-private infrastructure deals. \"That is normal for this kind of programme, but the number "
        "should be read with care.\"",
        "Supporters say the structure is the point: by taking the riskiest early slice, the public side can pull "
        "in pension funds and infrastructure investors that would otherwise stay away from a young asset class.",
    ),
)

ARTICLES = (
    STARGATE_US,
    STARGATE_UAE,
    BATTERY_GIGAFACTORY,
    LIQUID_COOLING,
    INSIDE_AI_FACTORY,
    SYNDICATED_CALL,
    INVESTAI_EXPLAINED,
)

_RECENT = (SYNDICATED_CALL, LIQUID_COOLING, BATTERY_GIGAFACTORY, INSIDE_AI_FACTORY, STARGATE_US, STARGATE_UAE)

OUTLET = Outlet(
    id="compute-courier",
    name=NAME,
    language="en",
    articles=ARTICLES,
    render=render,
    sources=(
        Source(
            kind="atom",
            path=FEED,
            entries=(
                Entry(
                    href=LIVEBLOG,
                    title="Live: AI infrastructure week, all the announcements",
                    days_ago=0.1,
                    author="Compute Courier staff",
                    summary="Rolling coverage, updated every few minutes.",
                ),
                *(Entry.of(a) for a in _RECENT),
            ),
        ),
        Source(kind="sitemap_index", path=SITEMAP_INDEX, children=(NEWS_SITEMAP_GZ, ARCHIVE_SITEMAP)),
        Source(kind="news_sitemap", path=NEWS_SITEMAP_GZ, entries=tuple(Entry.of(a) for a in _RECENT)),
        Source(
            kind="sitemap",
            path=ARCHIVE_SITEMAP,
            entries=tuple(Entry.of(a) for a in (INVESTAI_EXPLAINED, STARGATE_UAE, STARGATE_US)),
        ),
    ),
)
