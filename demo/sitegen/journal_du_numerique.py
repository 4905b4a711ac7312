"""Le Journal du Numérique: a French site with an old-school, id-based layout.

Discovery: one RSS 2.0 feed whose links are relative (root-relative, and one document-relative).
One page is stored and served in ISO-8859-1, so everything this template prints must fit Latin-1:
straight apostrophes, no em dashes, no "oe" ligature.
"""

from __future__ import annotations

from demo.sitegen.common import absolute, attr, date_meta, esc, json_ld, link_items, paragraphs, visible_date
from demo.sitegen.model import Article, Entry, Outlet, Page, Source, day

NAME = "Le Journal du Numérique"
HOME = "/journal-du-numerique/"
FEED = "/journal-du-numerique/flux.rss"


def render(outlet: Outlet, page: Page) -> str:
    """Two-column layout with a French cookie banner, "Les plus lus" and "À lire aussi"."""
    a = page.article
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="{a.encoding}">
<title>{esc(a.title)} | {NAME}</title>
<meta name="description" content="{attr(a.description)}">
<meta property="og:locale" content="fr_FR">
<meta property="og:title" content="{attr(a.title)}">
<meta property="og:url" content="{absolute(a.path)}">
{date_meta(a)}{json_ld(a, NAME)}<link rel="canonical" href="{absolute(a.path)}">
<link rel="alternate" type="application/rss+xml" title="{NAME}" href="{FEED}">
</head>
<body>
<div id="bandeau-cookies">
  <p>Ce site utilise des cookies pour mesurer l'audience et proposer des publicités adaptées.
  <a href="#" class="bouton">J'accepte</a> <a href="#" class="bouton">Je refuse</a>
  <a href="/journal-du-numerique/confidentialite.html">Paramétrer</a></p>
</div>
<div id="page">
  <div id="entete">
    <a id="logo" href="{HOME}">{NAME}</a>
    <p class="devise">L'actualité du numérique, chaque matin</p>
  </div>
  <ul id="menu">
    <li><a href="{HOME}">Accueil</a></li>
    <li><a href="/journal-du-numerique/politique-numerique/">Politique numérique</a></li>
    <li><a href="/journal-du-numerique/entreprises/">Entreprises</a></li>
    <li><a href="/journal-du-numerique/telecoms/">Télécoms</a></li>
    <li><a href="/journal-du-numerique/culture/">Culture</a></li>
  </ul>
  <div id="contenu">
    <div id="colonne-principale">
      <div class="article">
        <p class="rubrique">{esc(a.section)}</p>
        <h1>{esc(a.title)}</h1>
        <p class="chapo"><strong>{esc(a.description)}</strong></p>
        <p class="signature">Par {esc(a.author)}{visible_date(a, day, " | Publié le ")}</p>
        <div class="texte">
{paragraphs(a, "          ")}
        </div>
        <div class="a-lire-aussi">
          <h3>À lire aussi</h3>
          <ul>
{link_items(page.related, "            ")}
          </ul>
        </div>
      </div>
    </div>
    <div id="colonne-droite">
      <div class="bloc les-plus-lus">
        <h3>Les plus lus</h3>
        <ol>
{link_items(page.most_read, "          ")}
        </ol>
      </div>
      <div class="bloc lettre">
        <h3>La lettre du Journal</h3>
        <p>Recevez chaque matin l'essentiel de l'actualité dans votre boîte mail.</p>
        <form action="/journal-du-numerique/lettre" method="post">
          <input type="text" name="courriel" value="Votre adresse">
          <input type="submit" value="OK">
        </form>
      </div>
    </div>
  </div>
  <div id="pied">
    <p><a href="/journal-du-numerique/mentions-legales.html">Mentions légales</a> |
    <a href="/journal-du-numerique/contact.html">Contact</a> |
    <a href="/journal-du-numerique/confidentialite.html">Confidentialité</a></p>
    <p>&copy; Le Journal du Numérique SAS</p>
  </div>
</div>
</body>
</html>
"""


PME_REGLEMENT = Article(
    path="/journal-du-numerique/articles/reglement-ia-pme-guichet-unique.html",
    title="Règlement sur l'IA : les PME réclament un guichet unique",
    description="Les organisations patronales veulent un interlocuteur unique pour appliquer le texte européen.",
    author="Amélie Roux",
    section="Politique numérique",
    days_ago=4,
    topics=("AI Act",),
    encoding="iso-8859-1",
    body_phrase="des bacs à sable réglementaires doivent être ouverts",
    paragraphs=(
        "Les petites et moyennes entreprises françaises demandent un interlocuteur unique pour les aider à "
        "appliquer le règlement européen sur l'intelligence artificielle, l'AI Act. Plusieurs organisations "
        "professionnelles ont adressé une lettre commune au gouvernement en ce sens.",
        "Le texte, adopté en 2024 sous la référence 2024/1689, classe les systèmes d'IA selon leur niveau de "
        "risque. Les obligations les plus lourdes concernent les systèmes à haut risque, utilisés par exemple "
        "pour le recrutement, l'octroi de crédit ou l'accès aux services publics.",
        "« Nous ne savons pas toujours à quelle autorité nous adresser », explique Hélène Garnier, dirigeante "
        "d'une société lyonnaise qui développe un logiciel de tri de candidatures. « Entre la protection des "
        "données, la concurrence et la sécurité des produits, les compétences sont dispersées. »",
        "Les fédérations proposent que la future autorité de surveillance du marché mette en place un service "
        "d'accompagnement gratuit, avec des modèles de documentation et des réponses écrites sur lesquelles les "
        "entreprises pourraient s'appuyer.",
        "Du côté des pouvoirs publics, on rappelle que des bacs à sable réglementaires doivent être ouverts dans "
        "chaque État membre. Ils permettront aux entreprises de tester leurs produits sous le contrôle d'une "
        "autorité avant leur mise sur le marché.",
        "Les organisations d'employeurs insistent enfin sur le calendrier : elles souhaitent que les lignes "
        "directrices sur la classification des systèmes à haut risque soient publiées bien avant l'entrée en "
        "application des obligations correspondantes.",
    ),
)

GIGAFACTORIES_FRANCE = Article(
    path="/journal-du-numerique/articles/gigafactories-ia-france-sites-candidats.html",
    title="Gigafactories d'IA : la France avance trois sites candidats",
    description="Opérateurs de centres de données, énergéticiens et laboratoires publics s'associent.",
    author="Julien Marchand",
    section="Entreprises",
    days_ago=3,
    topics=("Gigafactory",),
    body_phrase="l'atout du parc nucléaire",
    paragraphs=(
        "La France a présenté trois sites candidats pour accueillir l'une des gigafactories d'IA que l'Union "
        "européenne veut construire d'ici la fin de la décennie. Les dossiers associent des opérateurs de "
        "centres de données, des énergéticiens et des laboratoires publics.",
        "Ces giga-usines d'IA doivent réunir chacune de l'ordre de 100 000 puces spécialisées, une puissance de "
        "calcul sans équivalent sur le continent. Elles seront financées en partie par des fonds publics "
        "européens et nationaux, mais surtout par des capitaux privés.",
        "Le gouvernement met en avant l'atout du parc nucléaire : une électricité abondante, peu carbonée et "
        "relativement stable en prix. « C'est notre avantage comparatif, et nous comptons bien le jouer », "
        "confie un conseiller ministériel.",
        "Les élus locaux, eux, s'interrogent sur la consommation d'eau et sur les retombées en emplois. Un "
        "centre de ce type emploie quelques centaines de personnes une fois construit, bien moins que pendant le "
        "chantier.",
        "La concurrence sera rude : l'Allemagne, l'Italie, l'Espagne et les pays nordiques ont eux aussi déposé "
        "des candidatures. Bruxelles a fait savoir qu'elle privilégierait les projets capables de démarrer "
        "rapidement.",
    ),
)

USINES_IA = Article(
    path="/journal-du-numerique/articles/usines-ia-supercalculateur-start-up.html",
    title="Usines d'IA : les supercalculateurs s'ouvrent aux start-up",
    description="Des heures de calcul gratuites ou subventionnées pour les jeunes pousses.",
    author="Claire Dubois",
    section="Recherche",
    days_ago=6,
    date_mode="visible",
    topics=("AI factories",),
    body_phrase="analyse d'images agricoles",
    paragraphs=(
        "Depuis quelques mois, les start-up françaises peuvent demander des heures de calcul sur les machines "
        "des grands centres publics, dans le cadre des usines d'IA soutenues par l'entreprise commune EuroHPC. "
        "Le dispositif commence à trouver son public.",
        "Une usine d'IA, dans le vocabulaire européen, désigne un supercalculateur optimisé pour l'apprentissage "
        "automatique, accompagné d'équipes chargées d'aider les utilisateurs : préparation des données, choix "
        "des logiciels, optimisation des entraînements.",
        "« Sans ces heures de calcul, nous aurions dû lever des fonds uniquement pour louer des serveurs », "
        "raconte Mathieu Leroy, fondateur d'une jeune pousse bordelaise spécialisée dans l'analyse d'images "
        "agricoles.",
        "Les candidatures se font en ligne et sont examinées en quelques semaines. Les entreprises doivent "
        "s'engager à publier un résumé de leurs travaux et à respecter les règles de sécurité du centre.",
        "Les responsables du programme reconnaissent que la demande dépasse déjà l'offre. De nouvelles machines "
        "doivent entrer en service, et d'autres pays ont été retenus pour accueillir leurs propres usines d'IA.",
    ),
)

STARGATE_SERIE = Article(
    path="/journal-du-numerique/articles/stargate-serie-reboot.html",
    title="Stargate : la série culte va revenir sur une plateforme de streaming",
    description="Près de trente ans après SG-1, la franchise de science-fiction prépare son retour.",
    author="Claire Dubois",
    section="Culture",
    days_ago=2,
    trap="stargate_tv",
    body_phrase="interrompue en 2011 sur un cliffhanger",
    paragraphs=(
        "La porte des étoiles va de nouveau s'ouvrir. Une plateforme de streaming a confirmé le développement "
        "d'une nouvelle série Stargate, près de trente ans après les débuts de la franchise de science-fiction à "
        "la télévision.",
        "Le projet reprendra l'univers du film de 1994 et des séries qui ont suivi, SG-1, Atlantis et Universe, "
        "tout en promettant une histoire accessible aux nouveaux spectateurs. Aucun acteur n'a encore été "
        "annoncé.",
        "Les fans réclament depuis des années une suite à Stargate Universe, interrompue en 2011 sur un "
        "cliffhanger. Les producteurs restent prudents : « Nous voulons respecter ce qui a été fait, sans refaire "
        "la même chose », a indiqué l'un d'eux lors d'une convention.",
        "Le tournage pourrait commencer l'an prochain au Canada, où les précédentes séries avaient été tournées. "
        "La plateforme n'a pas communiqué de date de diffusion.",
        "En attendant, les anciennes saisons connaissent un regain d'audience sur les services de vidéo à la "
        "demande, signe que la porte des étoiles n'a pas fini de faire rêver.",
    ),
)

CODE_GPAI = Article(
    path="/journal-du-numerique/articles/code-bonnes-pratiques-gpai.html",
    title="Code de bonnes pratiques GPAI : ce qui change pour les développeurs de modèles",
    description="Transparence, droit d'auteur, sûreté : les trois chapitres du code européen.",
    author="Julien Marchand",
    section="Politique numérique",
    days_ago=5,
    topics=("AI Act", "GPAI code of practice"),
    body_phrase="notamment via le fichier robots.txt",
    paragraphs=(
        "Les fournisseurs de modèles d'IA à usage général disposent d'un outil pour démontrer leur conformité au "
        "règlement sur l'IA (AI Act) : le code de bonnes pratiques GPAI, élaboré par des experts indépendants et "
        "publié par le Bureau de l'IA de la Commission européenne.",
        "Le document comporte trois chapitres : transparence, droit d'auteur, et sûreté et sécurité. Ce dernier "
        "ne concerne que les modèles les plus puissants, considérés comme présentant un risque systémique.",
        "Pour les jeunes pousses françaises, le chapitre sur le droit d'auteur est le plus sensible. Il impose "
        "de respecter les réserves de droits exprimées par les éditeurs de sites, notamment via le fichier "
        "robots.txt, lors de la collecte de données d'entraînement.",
        "« Signer le code, c'est acheter de la sécurité juridique », résume Sophie Bertin, avocate spécialisée "
        "dans le numérique à Paris. Les signataires peuvent s'en prévaloir pour démontrer leur conformité et "
        "entretiennent un dialogue plus simple avec le régulateur.",
        "Les obligations applicables aux modèles d'IA à usage général sont entrées en application en août 2025. "
        "Les amendes, elles, ne pourront être infligées qu'à partir d'août 2026.",
    ),
)

RESEAU_CUIVRE = Article(
    path="/journal-du-numerique/articles/fermeture-reseau-cuivre.html",
    title="Réseau cuivre : la fermeture s'accélère dans les communes rurales",
    description="Des centaines de communes basculent vers la fibre optique dans les prochains mois.",
    author="Amélie Roux",
    section="Télécoms",
    days_ago=7,
    body_phrase="téléalarmes et les anciens téléphones fixes",
    paragraphs=(
        "La fermeture du réseau téléphonique en cuivre entre dans une phase plus concrète. Plusieurs centaines "
        "de communes, souvent rurales, verront leurs lignes historiques coupées au cours des prochains mois, au "
        "profit de la fibre optique.",
        "Pour les particuliers déjà raccordés à la fibre, le changement passe presque inaperçu. Pour les autres, "
        "il faut souscrire une nouvelle offre avant la date de coupure, faute de quoi la ligne cessera de "
        "fonctionner.",
        "Les associations de consommateurs s'inquiètent pour les personnes âgées, dont les téléalarmes et les "
        "anciens téléphones fixes dépendent parfois du réseau cuivre. « Il faut aller frapper aux portes, pas "
        "seulement envoyer des courriers », plaide Bernard Collet, bénévole dans une association de la Creuse.",
        "Les opérateurs assurent que les équipements concernés seront remplacés à temps. Les maires demandent, "
        "eux, un calendrier plus lisible et des interlocuteurs identifiés en cas de panne.",
    ),
)

CONSULTATION = Article(
    path="/journal-du-numerique/articles/gigafactories-ia-consultation.html",
    title="Gigafactories d'IA : Bruxelles lance sa consultation",
    description="La Commission interroge les acteurs avant de lancer son appel à projets.",
    author="Julien Marchand",
    section="Politique numérique",
    days_ago=41,
    topics=("Gigafactory", "InvestAI"),
    body_phrase="calibrer son appel à projets",
    paragraphs=(
        "La Commission européenne a lancé une consultation sur les futures gigafactories d'IA, ces centres de "
        "calcul géants qu'elle veut financer dans le cadre d'InvestAI, son initiative destinée à mobiliser 200 "
        "milliards d'euros pour l'intelligence artificielle.",
        "Entreprises, centres de recherche et États membres sont invités à décrire leurs besoins en puissance de "
        "calcul, les sites envisagés et les montants qu'ils seraient prêts à investir. Un fonds de 20 milliards "
        "d'euros doit être consacré à ces installations.",
        "L'exercice doit permettre à Bruxelles de calibrer son appel à projets. « Nous voulons savoir qui "
        "utilisera ces machines avant de les construire », explique un fonctionnaire européen.",
        "Les acteurs du secteur saluent la démarche, mais rappellent que le marché des puces reste tendu et que "
        "les délais de livraison se comptent en mois, voire en années.",
    ),
)

ARTICLES = (PME_REGLEMENT, GIGAFACTORIES_FRANCE, USINES_IA, STARGATE_SERIE, CODE_GPAI, RESEAU_CUIVRE, CONSULTATION)


def _relative(article: Article) -> Entry:
    """Root-relative link, as many French CMSs write them in feeds."""
    return Entry.of(article, href=article.path)


OUTLET = Outlet(
    id="journal-du-numerique",
    name=NAME,
    language="fr",
    articles=ARTICLES,
    render=render,
    sources=(
        Source(
            kind="rss",
            path=FEED,
            relative_links=True,
            entries=(
                _relative(STARGATE_SERIE),
                _relative(GIGAFACTORIES_FRANCE),
                _relative(PME_REGLEMENT),
                _relative(CODE_GPAI),
                # Document-relative, resolved against the feed's own URL.
                Entry.of(USINES_IA, href="articles/usines-ia-supercalculateur-start-up.html"),
                _relative(RESEAU_CUIVRE),
                _relative(CONSULTATION),
            ),
        ),
    ),
)
