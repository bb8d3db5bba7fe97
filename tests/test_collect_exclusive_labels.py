"""An outlet's own "Exclusive" label does not open a story's summary (digest.exclusives).

PC INpact (in the shared corpus) opens an item's description "Exclusif PC INpact : La
Poste Mobile est en train de préparer…", TechCrunch "Exclusive: Cloudera founder…": the
first words a subscriber reads under the headline are the outlet praising itself, and
the email credits the outlet beside the story anyway. A label word ("Exclusive",
"Exclusif", "Exklusiv", "Exclusiva", "Esclusiva", …) alone before a colon, or before the
outlet's own name (its source's name or its site's) and a colon, goes from the summary
and body; a colon phrase that is the story ("Exclusive talks: …", "Exclusive Acme
deal: …") stays. A headline keeps a bare "Exclusive:" (its editor's choice: outlets show
"Exclusive" with the headline, and the corpus's two put it in the text, not the title);
"Exclusif PC INpact : " goes from a headline too, the outlet's own name beside its credit.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.exclusives import unlabelled_story, unlabelled_title
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
STORY = "Le port de Brest prépare une nouvelle ligne de ferry vers Cork pour l'été prochain."
SOURCE = "Harbour Herald"


def rss(title: str, description: str, *, source_link: str = "https://harbour.example") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{SOURCE}</title><link>{source_link}/</link>"
        f"<item><title>{title}</title><link>{source_link}/1</link>"
        f"<pubDate>Thu, 26 Nov 2026 08:00:00 +0000</pubDate>"
        f"<description><![CDATA[<p>{description}</p><p>Le second paragraphe.</p>]]>"
        "</description></item></channel></rss>"
    ).encode()


def parsed(title: str, description: str, source: str = SOURCE, **kw: str) -> Article:
    (article,) = read_feed(rss(title, description, **kw), source=source, url=None, now=NOW).articles
    return article


@pytest.mark.parametrize(
    "label",
    [
        "Exclusif Harbour Herald : ",
        "Exclusif Harbour Herald\u00a0: ",
        "EXCLUSIVE HARBOUR HERALD: ",
        "Exclusive Harbour-Herald: ",
        "Exclusive: ",
        "EXCLUSIVE: ",
        "Exclusif : ",
        "Exklusiv: ",
        "Exclusiva: ",
        "Esclusiva: ",
    ],
)
def test_the_outlets_own_label_does_not_open_the_summary(label: str) -> None:
    article = parsed("La nouvelle ligne de Brest", label + STORY)
    assert article.summary == STORY
    assert article.text.startswith(STORY)


def test_the_outlets_name_may_be_its_sites() -> None:
    """Configured under another name, the outlet is still named by its site's address."""
    article = parsed(
        "Ligne",
        "Exclusif Harbour : " + STORY,
        source="Brest news",
        source_link="https://harbour.fr",
    )
    assert article.summary == STORY


@pytest.mark.parametrize(
    "text",
    [
        "Exclusive talks: The harbour board met the ferry company in secret on Monday.",
        "Exclusive Acme deal: The harbour board signed with Acme for ten years.",
        "Exclusive interview: The mayor on why the harbour must be sold.",
        "Exclusively for subscribers: The harbour plan in full, with maps.",
        "Exclusif Autre Journal : La ligne de ferry est annoncée pour l'été.",
        "Exclusive rights to the harbour were sold to Acme: the board agreed on Monday.",
        "The board agreed an exclusive deal: Acme runs the harbour until 2030.",
    ],
)
def test_a_colon_phrase_that_is_the_story_stays(text: str) -> None:
    assert parsed("Harbour", text).summary == text.strip()


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Exclusif Harbour Herald : La ligne de Brest", "La ligne de Brest"),
        ("EXCLUSIVE HARBOUR HERALD: Ferry line for Brest", "Ferry line for Brest"),
        # an editor's bare label and a story's colon phrase stay in a headline
        ("Exclusive: Mayor planned harbour sale", "Exclusive: Mayor planned harbour sale"),
        ("Exclusif : la ligne de Brest", "Exclusif : la ligne de Brest"),
        ("Exclusive talks: Harbour and ferry firm", "Exclusive talks: Harbour and ferry firm"),
    ],
)
def test_a_headline_loses_only_the_label_with_the_outlets_name(title: str, shown: str) -> None:
    assert parsed(title, STORY).title == shown


def test_the_functions_alone() -> None:
    names = ("Harbour Herald", "https://www.harbour.example/x")
    assert unlabelled_story("Exclusif Harbour Herald : " + STORY, names) == STORY
    assert unlabelled_story("Exclusive harbour: " + STORY, names) == STORY
    assert unlabelled_story("Exclusive talks: " + STORY, names) == "Exclusive talks: " + STORY
    assert unlabelled_title("Exclusive: Harbour sold", names) == "Exclusive: Harbour sold"
    assert unlabelled_title("Exclusive Harbour Herald: Harbour sold", names) == "Harbour sold"


def test_the_ranking_drops_it_from_an_article_stored_with_it() -> None:
    stored = Article(
        key="k",
        source=SOURCE,
        title="La nouvelle ligne",
        url="https://harbour.example/1",
        summary="Exclusif Harbour Herald : " + STORY,
        published=NOW,
    )
    (teaser,) = rank([stored], now=NOW, options=RankOptions(leads=0, teasers=3)).teasers
    assert teaser.summary == STORY


@pytest.mark.parametrize("source", ["PC INpact", "news-pcinpact-fr.xml"])
def test_corpus_pc_inpact_summary_opens_with_its_news(source: str) -> None:
    path = require_corpus() / "feeds" / "news-pcinpact-fr.xml"
    articles = read_feed(path.read_bytes(), source=source, url=None, now=NOW).articles
    quatro = next(a for a in articles if a.title.startswith("Quatro"))
    assert quatro.title.startswith("Quatro : les postiers bêta testeurs")
    assert quatro.summary.startswith("La Poste Mobile est en train de préparer le lancement")
    assert quatro.text.startswith("La Poste Mobile est en train")
    assert not any(a.summary.startswith("Exclusif") for a in articles)


def test_corpus_techcrunch_summary_opens_with_its_news() -> None:
    path = require_corpus() / "feeds" / "news-techcrunch-jslinks.xml"
    articles = read_feed(path.read_bytes(), source="TechCrunch", url=None, now=NOW).articles
    wibi = next(a for a in articles if a.title.startswith("Cloudera Founder Debuts"))
    assert wibi.summary.startswith("Cloudera founder Christophe Bisciglia is debuting")
