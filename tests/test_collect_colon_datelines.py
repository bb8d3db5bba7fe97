"""A story opens with its news, not with the place it was filed from and a colon.

Indian outlets write their dateline with a colon: Varthabharathi (in the shared corpus)
opens its items "Mangaluru: Karnataka Bank has…", "Dubai, May 10: On the occasion…", and
a teaser that spends its first word on a town the headline rarely needs reads like
furniture beside teasers that start with their news. The colon is also a label's
("Opinion: …", "Breaking: …") and a quote's ("Trump: I will…"), so the place goes only
on evidence: a date after it ("Dubai, May 10:"), or, for a bare "Mangaluru:", the feed's
house style (several of its items open so, one of them with a date). Feeds are written
here and parsed for real; the corpus test reads the real one in place.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STORY = "Karnataka Bank has promoted its General Manager to Chief General Manager this week."
#: Three items in Varthabharathi's house style: places with a colon, one with a date.
HOUSE = [
    "Mangaluru: Corporation Bank has bagged two awards for the year instituted by the chamber.",
    "Dubai, May 10: On the occasion of International Labour Day, the club organised an event.",
    "Ajman: The Stakeholders Forum of Gulf Medical University discussed its plans on Monday.",
]


def rss(*descriptions: str) -> bytes:
    body = "".join(
        f"<item><title>Item {n}</title><link>https://news.example/{n}</link>"
        f"<description><![CDATA[<p>{text}</p><p>The second paragraph says more.</p>]]>"
        "</description></item>"
        for n, text in enumerate(descriptions)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Example</title><link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


def parsed(*descriptions: str) -> tuple[Article, ...]:
    return read_feed(rss(*descriptions), source="x", url=None, now=NOW).articles


@pytest.mark.parametrize(
    "dateline",
    ["Dubai, May 10: ", "Bengaluru, May 3: ", "Mangalore, April 28 :", "New Delhi, 3 June 2017: "],
)
def test_a_place_and_a_date_before_a_colon_do_not_open_the_story(dateline: str) -> None:
    (article,) = parsed(dateline + STORY)
    assert article.summary == STORY
    assert article.text.startswith(STORY)


def test_a_feed_that_files_colon_datelines_loses_the_bare_place_too() -> None:
    articles = parsed(*HOUSE, "Shiroor: " + STORY, "MANGALURU: " + STORY, "UAE: “" + STORY)
    summaries = [a.summary for a in articles]
    assert summaries[:3] == [
        "Corporation Bank has bagged two awards for the year instituted by the chamber.",
        "On the occasion of International Labour Day, the club organised an event.",
        "The Stakeholders Forum of Gulf Medical University discussed its plans on Monday.",
    ]
    assert summaries[3:] == [STORY, STORY, "“" + STORY]
    assert articles[3].text.startswith(STORY)


def test_a_bare_place_and_colon_stays_without_the_feeds_evidence() -> None:
    """One "Mangaluru:" is no house style; nor are several topics and no date ("Brexit:")."""
    (lone,) = parsed("Mangaluru: " + STORY)
    assert lone.summary == "Mangaluru: " + STORY
    topics = [
        "Brexit: MPs vote again on the withdrawal agreement on Tuesday evening.",
        "Coronavirus: Lockdown rules are eased in the north of the country today.",
        "Budget: The chancellor promised more money for the harbour towns.",
    ]
    assert [a.summary for a in parsed(*topics)] == topics


@pytest.mark.parametrize(
    "text",
    [
        "Opinion: The harbour plan asks too much of the towns along the coast.",
        "Analysis: Why the ferry company lost its licence after the storm.",
        "Update: The ferry to Aarhus is cancelled again on Sunday morning.",
        "Breaking: The harbour bridge is closed after a lorry struck it.",
        "Watch: The moment the old crane came down at the harbour yesterday.",
        "Q&A: What the new parking rules mean for the people of the harbour.",
        "Interview: The mayor planned the harbour sale months before the vote.",
        "Trump: I will not sign the harbour bill unless the towns pay for it.",
        "Trump, May 10: I will not sign the harbour bill unless the towns pay.",
        "Update, May 10: The ferry to Aarhus is cancelled again on Sunday.",
        "Monday, May 10: The council met to agree the winter budget for the harbour.",
    ],
)
def test_labels_and_quotes_before_a_colon_stay_even_in_a_feed_of_datelines(text: str) -> None:
    articles = parsed(*HOUSE, text)
    assert articles[0].summary.startswith("Corporation Bank")  # the feed's house style
    assert articles[-1].summary == text


@pytest.mark.parametrize(
    "text",
    [
        STORY,
        "The answer: Yes, the harbour ferry will run again from Monday morning.",
        "Two things matter: The price of the ticket and the speed of the crossing.",
        "Mr Smith said: “We will rebuild the pier before the winter comes.”",
        "At 10:30 the ferry left the harbour with forty passengers on board.",
        "Paris is bracing: The storm reaches the city on Sunday afternoon, forecasters say.",
    ],
)
def test_real_story_openings_stay_in_a_feed_of_datelines(text: str) -> None:
    assert parsed(*HOUSE, text)[-1].summary == text


def test_corpus_varthabharathi_summaries_open_with_their_news() -> None:
    path = require_corpus() / "feeds" / "news-varthabharathi-kannada.rss"
    articles = read_feed(path.read_bytes(), source="Varthabharathi", url=None, now=NOW).articles
    assert len(articles) == 15
    by_title = {a.title[:24]: a for a in articles}
    gmu = by_title["Gulf Medical University "]
    assert gmu.summary.startswith("The Stakeholders Forum of Gulf Medical University (GMU), Ajman")
    assert gmu.text.startswith("The Stakeholders Forum")
    assert by_title["Honour Labour: Special E"].summary.startswith("On the occasion of")
    assert by_title["Vishwas Crystal resident"].summary.startswith("Vishwas Crystal, new")
    assert by_title["Take Banking to the fing"].summary.startswith("“Ably supported")
    assert by_title["Excel beyond belief limi"].summary.startswith("A talk on")
    places = ("Mangaluru", "MANGALURU", "Mangalore", "Ajman", "Dubai", "Shiroor", "UAE")
    places += ("Bangaluru", "Bengaluru")
    for article in articles:
        assert not article.summary.startswith(places), article.summary[:60]
        assert ":" not in article.summary[:12], article.summary[:60]
