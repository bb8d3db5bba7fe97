"""A byline or a sponsor line that opens an item is not its summary
(digest.collect.openings, read by digest.collect.entry.standfirst).

Readers met both in editions built from the shared corpus: UOL's item showed "Por Matt
Spetalnick e Jason Szep" under its headline, and ATP's episode 225 "Squarespace: Build
it beautiful. Use code ATP for 10% off your first order." The feeds here are our own,
shaped like those, and parsed for real; the corpus tests read the real ones in place.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.entry import standfirst
from digest.collect.feeds import read_feed
from digest.records import Article
from digest.wording.told import told
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STORY = "The harbour ferry to Aarhus was cancelled on Sunday after the storm damaged the pier."


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://news.example/{n}</link>"
        f"<description><![CDATA[{description}]]></description></item>"
        for n, (title, description) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Example</title><link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


def one(description: str) -> Article:
    (article,) = read_feed(rss(("Ferry", description)), source="x", url=None, now=NOW).articles
    return article


@pytest.mark.parametrize(
    "byline",
    [
        "By Jane Doe and John Roe",
        "By Jane Doe",
        "By: Jane Doe, Reuters",
        "BY JANE DOE",
        "Por Matt Spetalnick e Jason Szep",
        "Por Ana María López y Juan Pérez",
        "Von Hans-Peter Müller",
        "Af Jens Kristian Hansen og Mette Holm, Ritzau",
        "Par Jean-Luc Dupont | 26 novembre 2026",
        "Door Jan van der Berg",
        "Di Giulia De Luca",
        "Przez Annę Kowalską",
        "By Jane Doe | November 26, 2026 at 7:22 PM",
        "By Jane Doe, 26.11.2026 19:22",
    ],
)
def test_a_byline_before_the_story_is_not_the_summary(byline: str) -> None:
    for html in (f"<p>{byline}</p><p>{STORY}</p>", f"<p>{byline}<br>{STORY}</p>"):
        article = one(html)
        assert article.summary == STORY
        assert told(article)[1] == STORY


def test_a_byline_and_nothing_else_is_no_summary() -> None:
    article = one("Por Matt Spetalnick e Jason Szep")
    assert article.title == "Ferry" and article.summary == ""
    assert told(article) == ("Ferry", "")


@pytest.mark.parametrize(
    "sentence",
    [
        "By Friday the ferry will run again, the harbour office said.",
        "By Friday, the ferry will run again, the harbour office said.",
        "By Apple's standards the launch was quiet.",
        "Par 209 voix « pour » et 137 voix « contre », la loi est adoptée.",
        "Por fim, a balsa voltou a operar entre as duas cidades.",
        "Von Berlin aus fährt der Zug nach Aarhus.",
        "Af og til sejler færgen ikke, siger havnekontoret i Aarhus.",
        "By Jane Doe's account, the ferry left early.",
    ],
)
def test_a_sentence_that_starts_like_a_byline_stays(sentence: str) -> None:
    assert one(f"<p>{sentence}</p><p>{STORY}</p>").summary == sentence
    assert one(sentence).summary == sentence


def test_sponsor_lines_give_way_to_a_short_first_paragraph() -> None:
    """ATP's shape: a one-line description, then "Sponsored by:" and a list of ads."""
    description = (
        "<p>Our live show from the harbour!</p><p>Sponsored by:</p><ul>"
        "<li><a href='https://s.example'>Sitebuilder</a>: Build it well. Use code "
        "<strong>FERRY</strong> for 10% off your first order.</li>"
        "<li><a href='https://m.example'>Mattressly</a>: Sleep like a sailor.</li></ul>"
    )
    article = one(description)
    assert article.summary == "Our live show from the harbour!"
    assert told(article)[1] == "Our live show from the harbour!"


@pytest.mark.parametrize(
    "ad",
    [
        "This episode is brought to you by Sitebuilder and Mattressly.",
        "Sponsored by Sitebuilder, Mattressly and Hover.",
        "Sitebuilder: Build it well. Use code FERRY for 10% off your first order.",
        "Anzeige",
        "Annonce",
        "Publicidade",
        "Advertisement",
    ],
)
def test_an_ad_paragraph_before_the_story_is_skipped(ad: str) -> None:
    assert one(f"<p>{ad}</p><p>{STORY}</p>").summary == STORY


def test_show_notes_after_sponsor_lines_are_the_summary_not_the_ads() -> None:
    description = (
        "<p>Follow-up:</p><ul><li>Ferry timetables</li><li>Harbour webcams</li></ul>"
        "<p>Sponsored by:</p><ul><li>Sitebuilder: Build it well. Use code FERRY for 10% "
        "off your first order, and get a free domain for a whole year.</li></ul>"
    )
    summary = one(description).summary
    assert "Sitebuilder" not in summary and "code FERRY" not in summary
    assert summary.startswith("Follow-up: Ferry timetables")


@pytest.mark.parametrize(
    "text",
    [
        # A deal post: its story names the code, and it is the story.
        "Your phone's camera is not enough. The lens kit normally costs $60, but you can "
        "get it for $27.99 with code FRIDAY20 at checkout.\n\nThe kit ships in December.",
        # A sponsored post that says so, and then what it is about.
        "My thanks to Sitebuilder for sponsoring this week's feed. It builds sites.",
        "Sponsored by the city, the new ferry terminal opens on Friday in Aarhus.",
        "Annonce de Xavier Niel mardi : les premiers résultats sont tombés.",
    ],
)
def test_stories_that_mention_sponsors_or_codes_stay(text: str) -> None:
    assert standfirst(text) == text.split("\n\n")[0]


def test_a_post_that_is_all_ad_keeps_its_text() -> None:
    ad = "Sitebuilder: Build it well. Use code FERRY for 10% off your first order."
    assert standfirst(ad) == ad


def corpus(name: str) -> tuple[Article, ...]:
    path = require_corpus() / "feeds" / name
    return read_feed(path.read_bytes(), source=name, url=None, now=NOW).articles


def test_corpus_atp_summaries_are_not_sponsor_lines() -> None:
    articles = corpus("podcast-atp.rss")
    by_title = {a.title.split(":")[0]: a for a in articles}
    assert by_title["225"].summary == "Our WWDC 2017 live show!"
    for article in articles:
        assert "Use code" not in article.summary, article.title
        assert "Sponsored by" not in article.summary, article.title
    assert by_title["277"].summary.startswith("We're live from WWDC 2018!")


def test_corpus_uol_byline_is_not_a_summary() -> None:
    articles = corpus("news-uol-noticias-latin1-nodecl.rss")
    (article,) = [a for a in articles if a.title.startswith("Relatório do governo dos EUA")]
    assert article.summary == "" and "Spetalnick" not in told(article)[1]


@pytest.mark.parametrize(
    "byline",
    [
        "By Jane Doe",
        "By Jane Doe and John Roe",
        "BY JANE DOE",
        "Jane Doe | Reuters —",
        "Jane Doe | Reuters -",
        "By Jane Doe, Reuters —",
        "By Jane Doe |",
        "Por Matt Spetalnick e Jason Szep",
    ],
)
def test_a_byline_on_the_line_of_the_story_is_not_part_of_the_summary(byline: str) -> None:
    """ "By Jane Doe The council voted …": the byline runs into the story's first line."""
    article = one(f"<p>{byline} {STORY}</p>")
    assert article.summary == STORY
    assert article.text == STORY
    assert told(article)[1] == STORY


@pytest.mark.parametrize(
    "sentence",
    [
        "By Friday The Harbour Authority will have a new chief, the board said.",
        "By Jane Doe's account, the ferry left early on Sunday morning.",
        "By Apple's standards the launch was quiet, and the ferry left on time.",
        "Jane Doe | Reuters is the byline the agency uses for the harbour desk.",
        "Copenhagen | Aarhus — the ferry between the two cities runs again.",
    ],
)
def test_a_first_line_that_only_starts_like_a_byline_stays(sentence: str) -> None:
    assert one(f"<p>{sentence}</p><p>{STORY}</p>").summary == sentence


@pytest.mark.parametrize(
    ("description", "summary"),
    [
        (
            "The council voted to close the harbour road, the report said. Sponsored by "
            "Acme Corp. The next meeting is on Friday.",
            "The council voted to close the harbour road, the report said. The next "
            "meeting is on Friday.",
        ),
        (
            "This newsletter is brought to you by Acme Corp. The council voted to close "
            "the harbour road on Sunday after the storm.",
            "The council voted to close the harbour road on Sunday after the storm.",
        ),
        (
            "The council voted to close the harbour road on Sunday. Today's episode is "
            "sponsored by Acme Corp and Hover, the domain people! The vote was close.",
            "The council voted to close the harbour road on Sunday. The vote was close.",
        ),
        (
            "Geekistry continues! Sponsored by Benthic Petroleum! DC vs Marvel!",
            "Geekistry continues! DC vs Marvel!",
        ),
    ],
)
def test_a_sponsor_line_inside_a_paragraph_is_not_part_of_the_summary(
    description: str, summary: str
) -> None:
    assert one(f"<p>{description}</p>").summary == summary


@pytest.mark.parametrize(
    "text",
    [
        "The terminal, sponsored by the city, opens on Friday. The ferry runs hourly.",
        "The ferry was sponsored by Acme Corp until 2020, when the city took it over.",
        "Stung by the storm, the council met. Sponsored by Acme Corp's rivals, it voted.",
        "The report says who sponsored it. The newsletter is brought to you by post.",
    ],
)
def test_a_sentence_that_only_mentions_a_sponsor_stays(text: str) -> None:
    assert standfirst(text) == text


@pytest.mark.parametrize(
    "opener",
    [
        "Article du 20/03/2013. ",
        "Article of 20 March 2013. ",
        "Originally published on November 24, 2026. ",
        "Artikel vom 26.11.2026. ",
        "Artigo de 24/09/2018. ",
        "Artículo del 24 de septiembre de 2018. ",
    ],
)
def test_an_opener_that_only_dates_the_article_is_not_the_summary(opener: str) -> None:
    """PC INpact's updated items open "Article du 20/03/2013." (the date it first ran)."""
    article = one(opener + STORY)
    assert article.summary == STORY
    assert article.text == STORY


@pytest.mark.parametrize(
    "text",
    [
        "Le 20/03/2013, Orange a annoncé la vente de Dailymotion à Yahoo! après des mois.",
        "Article du 20/03/2013 sur la DCRI : la rédaction a corrigé deux erreurs depuis.",
        "Article 20 of the treaty, signed on 20 March 2013. The ministers met again today.",
        "The article of 20 March 2013 was the first to name the harbour's new owner.",
    ],
)
def test_a_sentence_that_mentions_a_date_stays(text: str) -> None:
    assert one(text).summary == text


def test_corpus_pcinpact_summary_starts_with_the_story() -> None:
    articles = corpus("news-pcinpact-fr.xml")
    (yahoo,) = [a for a in articles if "Dailymotion" in a.title]
    assert yahoo.summary.startswith("Depuis plusieurs mois, Orange")
    assert not [a.title for a in articles if a.summary.startswith("Article du")]
