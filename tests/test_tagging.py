"""Tests for pipeline.tagging: the matching rules, one by one, then the default topics on labelled articles."""

from __future__ import annotations

import pickle
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import pipeline.tagging as tagging
from pipeline.tagging import Tagger, TopicMatch, compile_term

from pipeline.config import DEFAULT_CONFIG_PATH as DEFAULT_TOPICS  # the bundled config holds the default topics


@dataclass(frozen=True)
class Topic:
    """The shape the validated config gives the tagger."""

    name: str
    keywords: list[str]
    context: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)


def tag_one(keywords: list[str], title: str | None, body: str | None, **rules: list[str]) -> TopicMatch | None:
    """Tag with a single topic "T" and return its match, if any."""
    matches = Tagger([Topic("T", keywords, **rules)]).tag(title, body)
    return matches[0] if matches else None


def found(keyword: str, text: str) -> bool:
    return tag_one([keyword], None, text) is not None


# --- matching rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("gigafactory", "Plans for an AI-gigafactory in Bavaria.", True),
        ("gigafactory", "The site (gigafactory) will open.", True),
        ("gigafactory", "gigafactory", True),
        ("gigafactory", "gigafactory, said the minister", True),
        ("gigafactory", "A megagigafactoryX is not one.", False),
        ("gigafactory", "megagigafactory", False),
        ("gigafactory", "gigafactoryX", False),
        ("gigafactory", "gigafactory_2", False),
        ("AI", "RAID arrays and FAIR data", False),
        ("AI", "the AI's role", True),
        ("2024/1689", "Regulation (EU) 2024/1689 applies.", True),
        ("2024/1689", "Regulation 12024/16890", False),
    ],
)
def test_word_boundaries(keyword: str, text: str, expected: bool) -> None:
    assert found(keyword, text) is expected


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("gigafactory", "GIGAFACTORY", True),
        ("Gigafactory", "gigafactory", True),
        ("stargate", "StarGate", True),
        ("AI Act", "the ai act", True),  # multi-word terms are not acronyms
        ("NVIDIA", "Nvidia chips", True),  # six letters: not an acronym
        ("Künstliche Intelligenz", "KÜNSTLICHE INTELLIGENZ", True),
    ],
)
def test_case_is_ignored(keyword: str, text: str, expected: bool) -> None:
    assert found(keyword, text) is expected


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("AI", "Europe's AI plans", True),
        ("AI", "Scrive ai lavoratori e ai sindacati.", False),
        ("AI", "Ai tempi dell'euro", False),
        ("IA", "Selon moi, j'ai raison; via Ia", False),
        ("IA", "l'IA générative", True),
        ("KI", "Die KI-Branche", True),
        ("KI", "ki and Ki", False),
        ("GPAI", "gpai", False),
        ("GPAI", "GPAI models", True),
        ("GPU*", "100,000 GPUs", True),
        ("GPU*", "gpus", False),
        ("EU", "EU-Kommission", True),
        ("EU", "Eu", False),
    ],
)
def test_short_capital_terms_are_case_sensitive(keyword: str, text: str, expected: bool) -> None:
    assert found(keyword, text) is expected


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("regles", "les nouvelles règles"),
        ("règlement", "le reglement europeen"),
        ("règlement", "LE RÈGLEMENT"),
        ("reglement", "LE RÉGLEMENT"),
        ("Grünheide", "Grunheide"),
        ("Grunheide", "Grünheide"),
        ("gigafactoría", "gigafactoria"),
        ("postepowania", "kodeks postępowania"),
        ("règles", "re\u0300gles"),  # decomposed text (NFD)
        ("re\u0300gles", "règles"),  # decomposed term
    ],
)
def test_diacritics_are_ignored_both_ways(keyword: str, text: str) -> None:
    assert found(keyword, text)


@pytest.mark.parametrize(
    "text",
    [
        "an AI gigafactory",
        "an AI-gigafactory",
        "an AI\u2011gigafactory",  # non-breaking hyphen
        "an AI\u00a0gigafactory",  # no-break space
        "an AI  gigafactory",
        "an AI – gigafactory",
        "an AI\ngigafactory",
    ],
)
def test_spaces_and_hyphens_are_interchangeable(text: str) -> None:
    assert found("AI gigafactory", text)
    assert found("AI-gigafactory", text)


def test_separator_is_required_between_words() -> None:
    assert found("KI-Gigafabrik", "die KI Gigafabrik")
    assert not found("KI-Gigafabrik", "die KIGigafabrik")
    assert not found("AI gigafactory", "AIgigafactory")


@pytest.mark.parametrize(("keyword", "text"), [("d'IA", "usine d’IA"), ("d’IA", "usine d'IA"), ("l'IA", "L’IA")])
def test_apostrophe_variants(keyword: str, text: str) -> None:
    assert found(keyword, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one gigafactory", True),
        ("two gigafactories", True),
        ("Gigafactorys", True),
        ("una gigafactoría", True),
        ("gigafact", False),
        ("megagigafactory", False),
    ],
)
def test_trailing_star_is_a_prefix_wildcard(text: str, expected: bool) -> None:
    assert found("gigafactor*", text) is expected


def test_wildcard_inside_a_term() -> None:
    assert found("fabryk* AI", "Nowe fabryki AI w Polsce")
    assert found("sztuczn* inteligencj*", "rozwój sztucznej inteligencji")


def test_context_is_required_when_configured() -> None:
    rules = {"context": ["AI", "compute"]}
    assert tag_one(["gigafactory"], None, "A new gigafactory for cars.", **rules) is None
    assert tag_one(["gigafactory"], "AI plans", "A new gigafactory.", **rules) is not None
    assert tag_one(["gigafactory"], None, "A gigafactory for compute.", **rules) is not None


def test_exclude_wins_over_keywords_and_context() -> None:
    rules = {"context": ["AI"], "exclude": ["Tesla"]}
    body = "The AI gigafactory is no Tesla plant."
    assert tag_one(["gigafactory"], None, body, **rules) is None
    assert tag_one(["gigafactory"], "Tesla news", "An AI gigafactory.", **rules) is None
    assert tag_one(["gigafactory"], None, "An AI gigafactory.", **rules) is not None


def test_match_in_title_and_body() -> None:
    body = "Intro here. The gigafactory will host chips! Another gigafactory line."
    match = tag_one(["gigafactor*"], "AI gigafactory for Munich", body)
    assert match == TopicMatch("T", in_title=True, in_body=True, hits=3, sentence="AI gigafactory for Munich")


def test_match_in_body_only_quotes_the_sentence() -> None:
    body = "Intro sentence.  The  new\tgigafactory   opens in 2026!  Other news.\nMore gigafactories."
    match = tag_one(["gigafactor*"], "Munich news", body)
    assert match == TopicMatch("T", False, True, 2, "The new gigafactory opens in 2026!")


def test_sentence_ends_at_newlines_and_keeps_abbreviation_dots() -> None:
    body = "Heading\nPlans for v2.0 of the gigafactory\nNext line"
    assert tag_one(["gigafactory"], None, body).sentence == "Plans for v2.0 of the gigafactory"


def test_long_sentence_is_cut_around_the_hit() -> None:
    body = "word " * 200 + "the gigafactory " + "more " * 200 + "end."
    sentence = tag_one(["gigafactory"], None, body).sentence
    assert len(sentence) <= 300
    assert sentence.startswith("…") and sentence.endswith("…")
    assert "the gigafactory more" in sentence


def test_long_sentence_with_early_hit_keeps_its_start() -> None:
    body = "The gigafactory " + "word " * 200 + "end."
    sentence = tag_one(["gigafactory"], None, body).sentence
    assert sentence.startswith("The gigafactory word")
    assert sentence.endswith("…") and len(sentence) <= 300


def test_matches_follow_topic_order() -> None:
    topics = [Topic("Zeta", ["stargate"]), Topic("Alpha", ["gigafactory"]), Topic("Mid", ["nothing"])]
    matches = Tagger(topics).tag("A gigafactory", "and Stargate")
    assert [match.topic for match in matches] == ["Zeta", "Alpha"]


@pytest.mark.parametrize(("title", "body"), [(None, None), ("", ""), (None, ""), ("", None)])
def test_empty_or_missing_text_matches_nothing(title: str | None, body: str | None) -> None:
    assert Tagger([Topic("T", ["gigafactory"])]).tag(title, body) == []


def test_missing_title_or_body_is_treated_as_empty() -> None:
    tagger = Tagger([Topic("T", ["gigafactory"])])
    assert tagger.tag(None, "A gigafactory.") == [TopicMatch("T", False, True, 1, "A gigafactory.")]
    assert tagger.tag("A gigafactory", None) == [TopicMatch("T", True, False, 1, "A gigafactory")]


def test_no_match_spans_title_and_body() -> None:
    assert tag_one(["AI Act"], "Europe and AI", "Act now, says minister") is None
    rules = {"context": ["AI Act"]}
    assert tag_one(["gigafactory"], "Europe and AI", "Act now on the gigafactory", **rules) is None


def test_decomposed_title_is_matched_and_quoted_composed() -> None:
    match = tag_one(["règles"], "Nouvelles re\u0300gles", None)
    assert match is not None and match.sentence == "Nouvelles règles"


def test_patterns_act_like_keywords() -> None:
    match = tag_one([], None, "The Giga factory opens. A gigafactory too.", patterns=[r"giga\s?factory"])
    assert match == TopicMatch("T", False, True, 2, "The Giga factory opens.")


def test_patterns_combine_with_keywords_and_context() -> None:
    rules = {"patterns": [r"\bEU-?AI\b"], "context": ["Brussels"]}
    assert tag_one(["nothing"], None, "EU-AI plans from Brussels", **rules) is not None
    assert tag_one(["nothing"], None, "EU-AI plans from Paris", **rules) is None


def test_topic_without_keywords_or_patterns_is_rejected() -> None:
    with pytest.raises(ValueError, match="no keywords or patterns"):
        Tagger([Topic("Empty", [])])


@pytest.mark.parametrize("rules", [{"keywords": ["AI", " - "]}, {"context": ["*"]}, {"exclude": [""]}])
def test_a_blank_term_is_rejected_when_the_tagger_is_built_not_at_its_first_article(rules: dict[str, list[str]]) -> None:
    with pytest.raises(ValueError, match="letter or digit"):
        Tagger([Topic("T", **{"keywords": ["AI"], **rules})])


@pytest.mark.parametrize("term", ["", "   ", "*", "-'"])
def test_compile_term_rejects_terms_without_letters(term: str) -> None:
    with pytest.raises(ValueError, match="letter or digit"):
        compile_term(term)


def test_compile_term_returns_a_usable_regex() -> None:
    regex = re.compile(compile_term("règlement sur l'IA"))
    assert regex.search("Le Reglement sur l’IA entre en vigueur").group() == "Reglement sur l’IA"
    assert regex.search("le règlement sur l'ia")  # multi-word terms ignore case, even their capitals
    assert regex.search("règlement sur la IA") is None
    assert re.search(compile_term("AI"), "ai") is None


# --- default topics on labelled articles ------------------------------------------------------------------


def load_default_topics() -> list[Topic]:
    with DEFAULT_TOPICS.open("rb") as file:
        tables = tomllib.load(file)["topics"]
    return [Topic(**table) for table in tables]


def test_bundled_config_validates_the_same_topics() -> None:
    from pipeline.config import load_config

    loaded = load_config(env={}, cwd=Path("/nonexistent"))
    assert [t.name for t in loaded.settings.topics] == [t.name for t in load_default_topics()]


def test_default_topics_are_complete_and_compile() -> None:
    topics = load_default_topics()
    assert [topic.name for topic in topics] == [
        "Gigafactory", "Stargate", "AI Act", "AI factories", "InvestAI", "GPAI code of practice",
    ]
    for topic in topics:
        assert topic.keywords and (topic.context or topic.exclude), topic.name
        for term in [*topic.keywords, *topic.context, *topic.exclude]:
            re.compile(compile_term(term))


def written_variants(term: str) -> list[str]:
    """Ways an article may write a term: as is, with other spaces, hyphens and apostrophes, in capitals, accented."""
    plain = term.replace("*", "s")
    typographic = plain.replace(" ", "\u00a0").replace("-", "\u2011").replace("'", "’")
    return [plain, typographic, plain.upper(), plain.replace("e", "é").replace("a", "à")]


@pytest.mark.parametrize("kind", ["keywords", "context", "exclude"])
def test_every_default_term_finds_how_articles_write_it(kind: str) -> None:
    for topic in load_default_topics():
        for term in getattr(topic, kind):
            for text in written_variants(term):
                assert found(term, f"Before {text}, after."), (topic.name, term, text)


GIGA, STARGATE, ACT, FACTORIES, INVEST, CODE = (
    "Gigafactory", "Stargate", "AI Act", "AI factories", "InvestAI", "GPAI code of practice",
)

ARTICLES = [
    # AI gigafactories, in several languages
    ("EU shortlists sites for AI gigafactories",
     "The European Commission shortlisted sites for its AI gigafactories, each with about 100,000 advanced chips. "
     "The InvestAI facility will fund them with EUR 20 billion.",
     {GIGA, INVEST}),
    ("Deutschland bewirbt sich um KI-Gigafabrik",
     "Die Bundesregierung will eine KI-Gigafabrik mit 100.000 Chips nach Deutschland holen. "
     "Die EU-Kommission hatte den Fonds im Februar angekündigt.",
     {GIGA}),
    ("Une giga-usine d’IA en France ?",
     "Paris est candidate pour accueillir une gigafactory d'IA financée par l'initiative InvestAI de la "
     "Commission européenne. Le projet nécessiterait plusieurs centaines de mégawatts.",
     {GIGA, INVEST}),
    ("España opta a una gigafactoría de IA",
     "El Gobierno presentó la candidatura de Móra la Nova para una gigafactoría de inteligencia artificial. "
     "La Comisión Europea decidirá el próximo año.",
     {GIGA}),
    ("L'Italia candida una gigafactory dell'IA",
     "Il governo ha presentato la candidatura per una gigafactory dell'IA finanziata dall'UE. "
     "I fondi arrivano dal programma InvestAI.",
     {GIGA, INVEST}),
    ("Nederland wil AI-gigafabriek in Groningen",
     "Het kabinet steunt een bod voor een AI-gigafabriek. De Europese Commissie kiest later dit jaar de locaties.",
     {GIGA}),
    ("Polska chce gigafabryki AI",
     "Rząd złożył wniosek o budowę gigafabryki sztucznej inteligencji. "
     "Decyzja Komisji Europejskiej zapadnie w przyszłym roku.",
     {GIGA}),
    # battery and car gigafactories: traps
    ("Tesla expands Gigafactory Berlin-Brandenburg",
     "Tesla wants to double output at its Grünheide gigafactory to one million Model Y cars a year. "
     "The company also touts its AI-driven production lines.",
     set()),
    ("Tesla: Ausbau der Gigafactory in Grünheide genehmigt",
     "Das Land Brandenburg hat den Ausbau der Tesla-Gigafactory genehmigt. "
     "Künftig sollen dort auch Batteriezellen gefertigt werden.",
     set()),
    ("Northvolt's battery gigafactory files for bankruptcy",
     "The Swedish battery maker's flagship gigafactory in Skellefteå produced far fewer cells than planned. "
     "Investors had hoped it would anchor a European battery industry.",
     set()),
    ("Tesla, la gigafactory di Berlino assume",
     "La gigafactory di Tesla a Grünheide offre nuovi contratti ai lavoratori. "
     "Il sindacato IG Metall chiede salari più alti ai dirigenti.",
     set()),
    ("Stellantis rinvia la gigafactory di Termoli",
     "Il progetto della gigafactory resta in sospeso. Il ministro ha scritto ai sindacati e ai fornitori, "
     "che chiedono certezze ai vertici del gruppo.",
     set()),
    ("ACC gigafactory in Billy-Berclau starts production",
     "Automotive Cells Company opened its first gigafactory in northern France. "
     "The plant will supply electric vehicle makers across Europe.",
     set()),
    ("Tesla builds AI training cluster at Gigafactory Texas",
     "Tesla is installing 50,000 Nvidia GPUs at its Austin gigafactory to train self-driving software.",
     set()),
    # Stargate, the AI project, and its namesakes
    ("OpenAI, SoftBank and Oracle launch Stargate",
     "The Stargate project pledges up to $500 billion for AI data centres over four years. "
     "The first site is in Abilene, Texas.",
     {STARGATE}),
    ("Stargate Norway: OpenAI's first European data centre",
     "OpenAI and Nscale will build Stargate Norway near Narvik, powered by hydropower. "
     "It is to host 100,000 Nvidia GPUs by the end of 2026.",
     {STARGATE}),
    ("Stargate: OpenAI plant Rechenzentrum in Europa",
     "Nach Stargate UAE kündigt OpenAI einen Standort in Norwegen an. "
     "Das Rechenzentrum soll mit Wasserkraft betrieben werden.",
     {STARGATE}),
    ("Stargate : OpenAI et ses partenaires accélèrent",
     "Le projet Stargate vise 500 milliards de dollars d’investissements dans des centres de données pour "
     "l’IA aux États-Unis. Les premiers bâtiments sont achevés.",
     {STARGATE}),
    ("Amazon MGM is rebooting Stargate",
     "A new Stargate series is in development at Amazon MGM Studios, years after SG-1, Atlantis and Universe "
     "ended. Fans hope some of the original cast return.",
     set()),
    ("Stargate Finance bridge adds new chains",
     "Stargate Finance, the cross-chain liquidity bridge built on LayerZero, now supports two more networks. "
     "The STG token rose 8% on the news.",
     set()),
    ("Stargate Universe cast reunites",
     "The cast of Stargate Universe met at a convention, where fans asked about the ship's AI character. "
     "Nobody would confirm a revival.",
     set()),
    # the EU AI Act, and the other AI Acts
    ("EU AI Act: rules for general-purpose AI apply from August",
     "Obligations for providers of general-purpose AI models under the AI Act (Regulation (EU) 2024/1689) "
     "apply from 2 August 2025. The Commission's AI Office will supervise them.",
     {ACT}),
    ("KI-Verordnung: Brüssel erwägt Aufschub",
     "Die EU-Kommission will Teile der KI-Verordnung im Rahmen des digitalen Omnibus verschieben. "
     "Kritiker im Europäischen Parlament warnen vor einer Aufweichung.",
     {ACT}),
    ("Le règlement européen sur l’IA entre en application",
     "Les premières interdictions du règlement sur l'IA s'appliquent depuis février. "
     "La Commission européenne a publié des lignes directrices.",
     {ACT}),
    ("El Reglamento de IA y las pymes",
     "Las empresas españolas se preparan para el Reglamento de Inteligencia Artificial de la UE. "
     "Bruselas ha prometido guías prácticas.",
     {ACT}),
    ("Regole UE sull'intelligenza artificiale",
     "Il regolamento europeo sull'IA si applica ai fornitori e ai deployer. La Commissione europea vigila.",
     {ACT}),
    ("AI-verordening: wat moeten bedrijven doen?",
     "De Europese AI-verordening geldt sinds augustus 2024. Toezichthouders in Nederland bereiden zich voor.",
     {ACT}),
    ("Akt o sztucznej inteligencji: co zmienia dla firm",
     "Unijny akt o AI nakłada nowe obowiązki na dostawców systemów wysokiego ryzyka. "
     "Komisja Europejska opublikowała wytyczne.",
     {ACT}),
    ("Colorado delays its AI Act",
     "Colorado lawmakers pushed back the start of the Colorado AI Act to June 2026. "
     "Critics compared it with the EU's approach.",
     set()),
    ("Governor signs AI Act amendments in Denver",
     "The state's AI Act will require impact assessments for high-risk systems. "
     "Developers must notify the attorney general of discrimination risks.",
     set()),
    # EuroHPC AI factories
    ("EuroHPC selects six new AI Factories",
     "The EuroHPC Joint Undertaking selected new AI factories in Austria, Bulgaria, France, Germany, Poland and "
     "Slovenia. They will give start-ups access to supercomputers.",
     {FACTORIES}),
    ("Jülich erhält KI-Fabrik",
     "Das Forschungszentrum Jülich wird Standort einer KI-Fabrik der EuroHPC-Initiative. "
     "Die EU trägt die Hälfte der Kosten.",
     {FACTORIES}),
    ("Bologna ospiterà una fabbrica dell’IA",
     "La fabbrica dell’IA IT4LIA sarà collegata al supercalcolatore Leonardo. "
     "L'iniziativa è finanziata dall’UE e dal governo.",
     {FACTORIES}),
    ("Nvidia unveils AI factory blueprint for enterprises",
     "Nvidia said its new reference design lets companies build an AI factory in months. "
     "Jensen Huang called data centers the AI factories of the future.",
     set()),
    # InvestAI
    ("Von der Leyen launches InvestAI",
     "At the AI Action Summit in Paris, Commission President Ursula von der Leyen announced InvestAI, to "
     "mobilise EUR 200 billion for AI. A EUR 20 billion fund will finance AI gigafactories.",
     {INVEST, GIGA}),
    ("InvestAI app raises seed round",
     "The robo-advisor InvestAI helps retail traders pick stocks with machine learning. "
     "It raised $3 million from angel investors in Singapore.",
     set()),
    # the GPAI code of practice, and other codes
    ("Commission publishes General-Purpose AI Code of Practice",
     "The code of practice helps providers of general-purpose AI models comply with the AI Act. "
     "OpenAI and Mistral said they would sign it.",
     {CODE, ACT}),
    ("Meta unterschreibt Verhaltenskodex nicht",
     "Meta will den Verhaltenskodex für KI-Modelle mit allgemeinem Verwendungszweck nicht unterzeichnen. "
     "Die EU-Kommission hatte den Kodex zur Umsetzung der KI-Verordnung im Juli vorgelegt.",
     {CODE, ACT}),
    ("Le code de bonnes pratiques pour l’IA à usage général est publié",
     "Le code doit aider les fournisseurs de modèles d’IA à usage général à respecter le règlement sur l’IA. "
     "La Commission européenne l'a présenté jeudi.",
     {CODE, ACT}),
    ("Platforms sign updated Code of Practice on Disinformation",
     "The strengthened code of practice commits signatories to demonetise disinformation. "
     "The Commission will monitor compliance alongside its work on the AI Act.",
     {ACT}),
    ("ICO publishes code of practice on children's data",
     "The UK regulator's age-appropriate design code of practice sets standards for online services. "
     "Firms have twelve months to comply.",
     set()),
    # nothing to do with the topics
    ("Apple unveils new iPhone",
     "The company presented three new models with faster chips and better cameras. Prices start at $799.",
     set()),
]


@pytest.fixture(scope="module")
def default_tagger() -> Tagger:
    return Tagger(load_default_topics())


@pytest.mark.parametrize(("title", "body", "expected"), ARTICLES, ids=[title for title, _, _ in ARTICLES])
def test_default_topics_on_labelled_articles(
    default_tagger: Tagger, title: str, body: str, expected: set[str]
) -> None:
    assert {match.topic for match in default_tagger.tag(title, body)} == expected


def test_prefilter_never_hides_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyword, context and exclude prefilters only save time: without them, the same results."""
    tagger = Tagger(load_default_topics())
    filtered = [tagger.tag(title, body) for title, body, _ in ARTICLES]
    monkeypatch.setattr(tagging._Terms, "may_occur", lambda self, skeleton: True)
    for (title, body, _), expected in zip(ARTICLES, filtered):
        assert tagger.tag(title, body) == expected, title


def test_a_pickled_tagger_carries_regex_sources_not_compiled_regexes(monkeypatch: pytest.MonkeyPatch) -> None:
    """An extraction worker receives the crawler's tagger: the crawler must not compile it (0.3 s of its
    start-up for the default topics) only for the regexes to be compiled again when unpickled."""
    with monkeypatch.context() as patched:
        patched.setattr(tagging, "_alternation", lambda sources: pytest.fail("compiled when built"))
        tagger = Tagger(load_default_topics())
        sent = pickle.dumps(tagger)
    assert b"_compile" not in sent  # how a compiled re.Pattern pickles
    title, body = "EU picks AI gigafactory sites", "The EU named the AI gigafactory sites in Brussels."
    matches = pickle.loads(sent).tag(title, body)
    assert [match.topic for match in matches] == ["Gigafactory"]
    assert matches == tagger.tag(title, body)
    assert b"_compile" not in pickle.dumps(tagger)  # still sources after tagging


def test_a_list_of_terms_is_compiled_only_when_an_article_may_hold_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiling the default topics takes 0.3 s in every extraction worker; most crawls need few of the lists."""
    compiled: list[tuple[str, ...]] = []
    alternation = tagging._alternation
    monkeypatch.setattr(tagging, "_alternation", lambda sources: compiled.append(tuple(sources)) or alternation(sources))
    topics = {topic.name: topic for topic in load_default_topics()}
    tagger = Tagger([topics["Gigafactory"], topics["Stargate"]])
    matches = tagger.tag("EU picks AI gigafactory sites", "The EU named the AI gigafactory sites in Brussels.")
    assert [match.topic for match in matches] == ["Gigafactory"]
    assert len(compiled) == 2  # the topic's keywords and context: not its exclude terms, nothing of Stargate's
    assert any(re.search(source, "gigafactories") for source in compiled[0])
    assert tagger.tag("Tesla expands its gigafactory", "Tesla uses AI in its gigafactory in Grünheide.") == []
    assert len(compiled) == 3  # the exclude terms, now that an article holds one
    assert tagger.tag("Another AI gigafactory", "The EU named another AI gigafactory site.")[0].topic == "Gigafactory"
    assert len(compiled) == 3  # each list once
