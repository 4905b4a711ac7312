"""Labelled pairs of article bodies for tuning near-duplicate detection (``pipeline/stories.py``).

Each pair says whether its two bodies should end in one story. The bodies are invented in the style of
EU tech-policy news (outlets and people are fictional); the variants are the ones seen in practice:
a wire story republished with the outlet's own first and last lines, a copy with "Read also" lines
between paragraphs, a light edit, a shortened copy, and on the other side a rewrite from scratch, a
follow-up that reuses a background paragraph and other stories on the same topic in the same week.

Run ``python -m tests.story_pairs`` to print the tuning table kept in ``pipeline/stories.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.stories import body_signature, shingles
from storage.minhash import estimated_similarity


@dataclass(frozen=True)
class Pair:
    label: str
    same_story: bool
    first: str
    second: str


def _body(*paragraphs: str) -> str:
    return "\n".join(paragraphs)


_SHORTLIST = (
    "The European Commission has shortlisted seven consortia to build AI gigafactories, the very large computing "
    "sites at the heart of its InvestAI initiative, officials said on Tuesday. The candidates come from France, "
    "Germany, Italy, Spain, Poland, the Netherlands and a joint Nordic bid led by Finland.",
    "Each site is meant to host on the order of 100,000 advanced AI chips, enough to train frontier models in "
    "Europe rather than on rented capacity abroad. The Commission said the shortlisted bids had shown credible "
    "plans for power, cooling and financing, and that it expected to pick between three and five winners.",
    "InvestAI was presented at the AI Action Summit in Paris in February 2025 with the aim of mobilising around "
    "EUR 200 billion for artificial intelligence, including a EUR 20 billion fund for the gigafactories. Public "
    "money is supposed to take risk off private investors, who are expected to provide most of the capital.",
    "\"The response has exceeded what we planned for,\" said Henrik Vaara, a Commission official in charge of "
    "the selection. \"We now have to make sure the winning sites can actually be connected to the grid in time.\"",
    "Energy remains the main obstacle. A gigafactory needs several hundred megawatts of reliable power, and "
    "several national grid operators have warned that connection queues already stretch over several years. Two "
    "of the shortlisted bids rely on new nuclear or hydro capacity that is not yet built.",
    "Industry groups welcomed the shortlist but asked for clarity on how chips will be procured. Accelerators "
    "remain scarce, and consortia fear that delivery slots booked today may not match a selection timetable that "
    "keeps slipping.",
    "Member states hosting a winning bid will be asked to co-finance the site and to speed up its permits. A "
    "final decision is expected before the end of the year.",
)

SHORTLIST = _body(*_SHORTLIST)

SHORTLIST_SYNDICATED = _body(
    "BRUSSELS (Tech Wire Europe) – Europe's plan for giant AI computing sites took a step forward this week.",
    *(p.replace('"', "\u201d") for p in _SHORTLIST),
    "This article first appeared on Tech Wire Europe and is republished under a content partnership.",
)

SHORTLIST_LIGHT_EDIT = _body(
    "Brussels has picked seven consortia as finalists to build AI gigafactories, the very large computing sites "
    "at the heart of its InvestAI initiative, officials said on Tuesday. The candidates come from France, "
    "Germany, Italy, Spain, Poland, the Netherlands and a joint Nordic bid led by Finland.",
    "Each site is meant to host on the order of 100,000 advanced AI chips, enough to train frontier models in "
    "Europe instead of on rented capacity abroad. The Commission said the shortlisted bids had shown credible "
    "plans for power, cooling and financing, and that it expected to pick three to five winners.",
    _SHORTLIST[2],
    "\"The response has exceeded what we planned for,\" Henrik Vaara, the Commission official in charge of the "
    "selection, told reporters. \"We now have to make sure the winning sites can actually be connected to the "
    "grid in time.\"",
    "Energy remains the main obstacle. A gigafactory needs several hundred megawatts of reliable power, and "
    "national grid operators have warned that connection queues already stretch over several years.",
    _SHORTLIST[6],
)

SHORTLIST_SHORTENED = _body(
    *_SHORTLIST[:4],
    "Read the full story on our partner's website.",
)

SHORTLIST_REWRITTEN = _body(
    "Seven groups are still in the race for the EU's planned AI gigafactories after Brussels narrowed the field "
    "on Tuesday. Bids from six countries and a Nordic alliance around Finland made the cut.",
    "The gigafactories are supposed to give European developers access to about 100,000 high-end chips per site, "
    "so that the largest models no longer have to be trained on American clouds. Officials expect three to five "
    "sites to win in the end, picked for their power supply, cooling and money.",
    "The plan dates from the Paris AI Action Summit of February 2025, where Ursula von der Leyen unveiled "
    "InvestAI and its promise of EUR 200 billion, EUR 20 billion of it for the gigafactories. Most of the money "
    "should come from private investors, with public funds absorbing part of the risk.",
    "Henrik Vaara, who runs the selection for the Commission, said interest had been far higher than expected "
    "and that grid connections were now the main worry.",
    "That worry is shared by national grid operators, who say sites needing hundreds of megawatts can wait years "
    "for a connection. Chip supply is another: accelerators are hard to get and the timetable keeps moving.",
    "Host countries will have to put in money of their own and fast-track permits. The winners should be known "
    "by the end of the year.",
)

WINNERS = _body(
    "The European Commission on Thursday named the first three sites that will host AI gigafactories, ending a "
    "selection that took longer than planned. The winning consortia are based in Finland, Spain and Germany, and "
    "each will receive grants and loans to cover part of its construction costs.",
    "The decision disappointed bidders from France and Italy, whose sites had been considered favourites. Both "
    "governments said they would ask for a detailed explanation of the scoring and could bid again in a second "
    "round planned for next year.",
    _SHORTLIST[2],
    "The Finnish site will use hydro power from the north of the country, while the Spanish one relies on a new "
    "solar park with battery storage. The German consortium plans to reuse the grid connection of a closed coal "
    "plant, which officials said had shortened its timetable by at least two years.",
    "\"These three sites can be running within three years,\" said Henrik Vaara. \"That was the test: not the "
    "most ambitious drawing, but the one that can be plugged in.\"",
    "Construction is due to start in the spring. The Commission will publish the full evaluation reports once "
    "the grant agreements are signed.",
)

AI_FACTORIES = _body(
    "The EuroHPC Joint Undertaking has selected six new AI factories, bringing the number of supercomputing "
    "centres with AI-oriented capacity in the EU to nineteen. The new sites are in Austria, Bulgaria, France, "
    "Germany, Poland and Slovenia.",
    "AI factories are smaller than the planned gigafactories: they add AI-optimised partitions to existing "
    "supercomputers or build new machines of modest size, and they are meant to serve start-ups, researchers and "
    "public bodies rather than train the largest models.",
    "Each factory combines computing time with support services such as help desks, training courses and "
    "access to curated data sets. Start-ups can apply for free access through regular calls, while larger "
    "companies pay for guaranteed capacity.",
    "\"Demand from small companies has been the surprise of the first year,\" said Ana Petrović, who coordinates "
    "one of the Slovenian partners. \"Many of them had never used a supercomputer before.\"",
    "The EU budget covers up to half of the cost of each factory, with the hosting member states paying the "
    "rest. The next selection round opens in the autumn, and the Joint Undertaking says it will favour sites "
    "that can share capacity across borders.",
    "Critics say the factories spread money too thinly. Several research groups argue that Europe would gain "
    "more from a few very large machines than from many medium-sized ones, a debate that the gigafactory plan "
    "was meant to settle.",
)

_CODE = (
    "Most large developers of general-purpose AI models have now signed the EU's code of practice, the voluntary "
    "document that helps them show they comply with the AI Act's obligations. The AI Office published the updated "
    "list of signatories on Friday.",
    "The code has three chapters. The transparency chapter comes with a documentation form that providers fill "
    "in and keep up to date. The copyright chapter asks them to respect machine-readable opt-outs and to take "
    "complaints from rights holders. The safety and security chapter applies only to the most capable models.",
    "Signing is not mandatory, but the Commission has said that signatories will benefit from more legal "
    "certainty and a lighter administrative burden. Providers that do not sign must show compliance by other "
    "means, which lawyers expect to be slower and more expensive.",
    "One large American provider signed only the safety and security chapter, saying the copyright rules went "
    "beyond what the AI Act requires. Two others signed in full after asking for changes to the documentation "
    "form, which the AI Office accepted in part.",
    "\"The code is a starting point, not a ceiling,\" said Margit Lindqvist, a member of the European Parliament "
    "who followed the negotiations. \"We will watch closely how the AI Office enforces it from next August.\"",
    "The obligations for general-purpose AI models apply since August 2025, and the AI Office gains its "
    "enforcement powers a year later. Fines can reach three per cent of a provider's worldwide turnover.",
)

CODE = _body(*_CODE)

CODE_WITH_READ_ALSO = _body(
    "Brussels, Friday. " + _CODE[0].replace("'", "\u2019"),
    "Read also: What the AI Office can and cannot do",
    _CODE[1],
    _CODE[2],
    "Read also: GPAI code of practice: the signatories so far",
    _CODE[3],
    _CODE[5],
    "Subscribe to our AI policy newsletter for weekly updates.",
)

_OMNIBUS = (
    "The European Commission has proposed to delay parts of the AI Act as part of its digital omnibus, a package "
    "meant to simplify EU technology rules. The rules for high-risk AI systems would apply up to sixteen months "
    "later than planned, once standards and guidance are ready.",
    "The Commission argues that companies cannot comply with rules whose technical standards do not yet exist. "
    "European standardisation bodies have missed several deadlines, and the guidance on high-risk systems is "
    "still being drafted.",
    "Consumer groups and several members of the European Parliament oppose the delay. They say it rewards "
    "companies that lobbied against the rules and leaves people without protection in areas such as hiring, "
    "credit scoring and education.",
    "Industry associations welcomed the proposal but asked for more. A coalition of European start-ups wants "
    "the registration duties for high-risk systems dropped altogether, and large companies want the fines "
    "reviewed.",
    "The proposal now goes to the Parliament and the Council, which must agree before the original deadline "
    "next August for the delay to take effect. Officials admit the timetable is tight.",
)

OMNIBUS = _body(*_OMNIBUS)

OMNIBUS_LIGHT_EDIT = _body(
    "Brussels wants to push back parts of the AI Act as part of its digital omnibus, a package meant to simplify "
    "EU technology rules. The rules for high-risk AI systems would apply up to sixteen months later than planned, "
    "once standards and guidance are ready.",
    _OMNIBUS[2],
    "The Commission argues that companies cannot comply with rules whose technical standards do not exist yet. "
    "European standardisation bodies have missed several deadlines, and guidance on high-risk systems is still "
    "being drafted.",
    _OMNIBUS[3],
    "The proposal now goes to the European Parliament and the Council, which must agree before the original "
    "deadline next August for the delay to take effect.",
)

OMNIBUS_OTHER_STORY = _body(
    "Members of the European Parliament clashed on Wednesday over the Commission's plan to delay parts of the "
    "AI Act, in a first debate on the digital omnibus. The centre-right group backed the delay, while Greens "
    "and Socialists said they would table amendments to limit it.",
    "The rapporteur, Tomasz Wrona, said he wanted a vote before the summer so that companies know where they "
    "stand well before the original deadline. \"Legal certainty matters more than the exact date,\" he said.",
    "The debate showed how far apart the groups remain on the high-risk rules. Several MEPs questioned why "
    "standards bodies had been given so long, and asked the Commission to publish its draft guidance first.",
    "Member states are also divided. A group of countries led by Denmark supports the delay, while others want "
    "to keep the original timetable for the most sensitive uses, such as biometric identification.",
    "The Council's working party will discuss the proposal next week. Diplomats expect a common position "
    "within two months, setting up negotiations with Parliament in the autumn.",
)

SHORTLIST_TEASER = _body(
    *_SHORTLIST[:3],
    "The full story is available to subscribers.",
)

SHORTLIST_EDITED_THROUGHOUT = _body(
    "The European Commission has shortlisted seven consortia for its AI gigafactories, the huge computing sites "
    "at the heart of the InvestAI initiative, officials said on Tuesday. The candidates are from France, Germany, "
    "Italy, Spain, Poland and the Netherlands, plus a joint Nordic bid led by Finland.",
    "Each site is meant to host some 100,000 advanced AI chips, enough to train frontier models in Europe rather "
    "than on capacity rented abroad. The Commission said the bids on the shortlist had shown credible plans for "
    "power, cooling and financing, and it expects to pick between three and five winners.",
    "InvestAI was unveiled at the AI Action Summit in Paris in February 2025 with the aim of mobilising about "
    "EUR 200 billion for artificial intelligence, including a EUR 20 billion fund for gigafactories. Public money "
    "is supposed to take risk off private investors, who are expected to put up most of the capital.",
    "\"The response has exceeded what we planned,\" said Henrik Vaara, the Commission official who runs the "
    "selection. \"Now we have to make sure the winning sites can be connected to the grid in time.\"",
    "Energy is still the main obstacle. A gigafactory needs several hundred megawatts of reliable power, and "
    "several national grid operators have warned that queues for connections already stretch over years. Two of "
    "the bids on the shortlist rely on new nuclear or hydro capacity that has not been built yet.",
    "Industry groups welcomed the shortlist but want clarity on how chips will be bought. Accelerators are still "
    "scarce, and consortia fear that delivery slots booked now may not match a selection timetable that keeps "
    "slipping.",
    _SHORTLIST[6],
)

WINNERS_MORE_BACKGROUND = _body(
    *WINNERS.split("\n")[:3],
    _SHORTLIST[4],
    *WINNERS.split("\n")[4:],
)

_FOOTER = (
    "About this service: Brussels Briefs is a free daily summary of EU technology policy for professionals. It "
    "is written by our newsroom and does not reflect the views of our sponsors. To unsubscribe or change your "
    "preferences, use the link at the bottom of any newsletter. Corrections are published on our website."
)

BRIEF_ONE = _body(
    "The AI Office has opened a consultation on its draft guidelines for general-purpose AI models with "
    "systemic risk. Providers, researchers and civil society groups can send comments until the end of next "
    "month, and the office plans to publish the final text before the summer.",
    _FOOTER,
)

BRIEF_TWO = _body(
    "EuroHPC has signed the hosting agreement for a new AI factory in Slovenia. The site will add an "
    "AI-optimised partition to the national supercomputer and offer free computing time to start-ups through "
    "regular calls from the autumn.",
    _FOOTER,
)

PAIRS: tuple[Pair, ...] = (
    Pair("wire copy, own first and last line, curly quotes", True, SHORTLIST, SHORTLIST_SYNDICATED),
    Pair("copy with dateline, 'Read also' lines, one paragraph cut", True, CODE, CODE_WITH_READ_ALSO),
    Pair("light edit: lede and quote reworded, a paragraph cut", True, SHORTLIST, SHORTLIST_LIGHT_EDIT),
    Pair("light edit: lede reworded, paragraphs reordered", True, OMNIBUS, OMNIBUS_LIGHT_EDIT),
    Pair("shortened copy: first four of seven paragraphs", True, SHORTLIST, SHORTLIST_SHORTENED),
    Pair("edited throughout: a few words changed in every paragraph", True, SHORTLIST, SHORTLIST_EDITED_THROUGHOUT),
    Pair("teaser: first three of seven paragraphs", True, SHORTLIST, SHORTLIST_TEASER),
    Pair("same event rewritten from scratch", False, SHORTLIST, SHORTLIST_REWRITTEN),
    Pair("follow-up reusing a background paragraph", False, SHORTLIST, WINNERS),
    Pair("follow-up reusing two background paragraphs", False, SHORTLIST, WINNERS_MORE_BACKGROUND),
    Pair("two short briefs sharing a newsletter footer", False, BRIEF_ONE, BRIEF_TWO),
    Pair("same topic, same week, other story", False, OMNIBUS, OMNIBUS_OTHER_STORY),
    Pair("related topic (AI factories vs gigafactories)", False, SHORTLIST, AI_FACTORIES),
    Pair("unrelated policy stories", False, CODE, OMNIBUS),
)


def table() -> str:
    """The tuning table's rows: label, Jaccard similarity of the shingles, the signatures' estimate."""
    rows = []
    for pair in PAIRS:
        a, b = shingles(pair.first), shingles(pair.second)
        jaccard = len(a & b) / len(a | b)
        sig_a, sig_b = body_signature(pair.first), body_signature(pair.second)
        assert sig_a is not None and sig_b is not None
        estimate = estimated_similarity(sig_a, sig_b)
        rows.append(f"    {pair.label:<58} {'same' if pair.same_story else 'other':<6} {jaccard:6.2f} {estimate:9.2f}")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
