"""A byline is dropped only on evidence that it is one (digest.collect.bylines).

QA found story text lost: "Apple | Google — The two companies agreed…" lost its subject
(any two capitalised things around a bar were read as "name | agency"), and "Di Maria —
The winger scored…" or "Door Dash — The company…" lost theirs ("Di", "Door", "Par",
"Af", "Av", the word "by" in other languages, counted whatever the item's language and
case). A byline now needs its "by"-word in the item's language, written as a byline
writes it and followed by a name; an agency or the source's own name after the bar; or
the item's author. The feeds here are our own, parsed for real.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pytest

from digest.collect.feeds import read_feed
from digest.collect.pages import extract_page
from digest.records import Article
from digest.wording.told import told

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def one(description: str, *, language: str | None = None, author: str | None = None) -> Article:
    """The article of a one-item RSS feed from source "Harbour Herald"."""
    lang = f"<language>{language}</language>" if language else ""
    creator = f"<dc:creator>{escape(author)}</dc:creator>" if author else ""
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Harbour Herald</title><link>https://news.example/</link>{lang}"
        f"<item><title>Harbour news</title><link>https://news.example/1</link>{creator}"
        f"<description><![CDATA[{description}]]></description></item></channel></rss>"
    )
    (article,) = read_feed(feed.encode(), source="Harbour Herald", url=None, now=NOW).articles
    return article


#: First lines that open like a byline and are the story's own first words.
STORIES = [
    "Apple | Google — The two companies agreed to share their harbour maps on Sunday.",
    "Ukraine | Russia — The talks in Geneva ended without a deal on the grain harbour.",
    "Paris | Berlin — The two capitals signed the ferry treaty after a long night.",
    "Di Maria — The winger scored twice before the ferry left the harbour on Sunday.",
    "Door Dash — The company will deliver to the harbour from Friday, it said.",
    "Par for the course — The ferry was late again, and the harbour office apologised.",
    "Von der Leyen — The Commission proposed new harbour rules for the whole union.",
    "Door to door — The campaign reached every house near the harbour by Sunday.",
    "Af Klint | Moderna Museet — The show of her paintings opens in the harbour hall.",
]


@pytest.mark.parametrize("language", [None, "en", "en-GB"])
@pytest.mark.parametrize("story", STORIES)
def test_a_story_that_opens_like_a_byline_keeps_its_first_words(
    story: str, language: str | None
) -> None:
    article = one(f"<p>{story}</p>", language=language)
    assert article.summary == story
    assert article.text == story
    assert told(article)[1] == story


@pytest.mark.parametrize(
    ("story", "language"),
    [
        ("Di Maria — Il fuoriclasse ha segnato due gol prima che il traghetto partisse.", "it"),
        ("Von der Leyen — Die Kommission schlägt neue Regeln für die Häfen der Union vor.", "de"),
        ("Door Dash — Het bedrijf bezorgt vanaf vrijdag ook in de haven, zei het.", "nl"),
        ("Par Avion — Le service postal rouvre au port vendredi, a annoncé la mairie.", "fr"),
    ],
)
def test_the_items_own_by_word_needs_a_name_after_it(story: str, language: str) -> None:
    """ "Di" is Italian for "by", but "Di Maria" names one word: a surname, no byline."""
    assert one(f"<p>{story}</p>", language=language).summary == story


@pytest.mark.parametrize("heading", ["Di Maria", "Door Dash", "By The Numbers"])
def test_a_short_heading_that_opens_like_a_byline_stays_in_the_text(heading: str) -> None:
    story = "The harbour ferry to Aarhus was cancelled on Sunday after the storm."
    article = one(f"<p>{heading}</p><p>{story}</p>", language="en")
    assert article.text == f"{heading}\n\n{story}"


@pytest.mark.parametrize(
    ("line", "story", "language"),
    [
        ("Di Giulia De Luca —", "Il consiglio ha votato la chiusura della strada del porto.", "it"),
        ("Von Hans-Peter Müller —", "Der Rat hat beschlossen, die Hafenstraße zu schließen.", "de"),
        ("Par Jean-Luc Dupont |", "Le conseil a voté la fermeture de la route du port.", "fr-FR"),
        ("Af Mette Holm, Ritzau —", "Byrådet har besluttet at lukke havnevejen på søndag.", "da"),
        ("Door Jan van der Berg —", "De raad heeft besloten de havenweg te sluiten.", "nl"),
        ("By Jane Doe —", "The council voted to close the harbour road on Sunday.", "en-US"),
        ("By Reuters —", "The council voted to close the harbour road on Sunday.", "en"),
    ],
)
def test_a_byline_in_the_items_language_runs_into_the_story_and_goes(
    line: str, story: str, language: str
) -> None:
    assert one(f"<p>{line} {story}</p>", language=language).summary == story


@pytest.mark.parametrize(
    "line",
    [
        "Jane Doe | AFP —",
        "Jane Doe | dpa —",
        "Jane Doe | PA Media —",
        "Jane Doe | Harbour Herald —",  # the source's own name
    ],
)
def test_a_name_and_an_agency_or_the_outlet_before_the_story_go(line: str) -> None:
    story = "The council voted to close the harbour road on Sunday after the storm."
    assert one(f"<p>{line} {story}</p>", language="en").summary == story


@pytest.mark.parametrize(
    "line",
    [
        "Jane Doe —",
        "Jane Doe | Harbour Desk —",
        "JANE DOE —",
        "Por Jane Doe —",  # another language's "by", but the item says who wrote it
        "Jane Doe and John Roe |",
    ],
)
def test_a_line_that_opens_with_the_items_author_is_a_byline(line: str) -> None:
    story = "The council voted to close the harbour road on Sunday after the storm."
    article = one(f"<p>{line} {story}</p>", language="en", author="Jane Doe")
    assert article.summary == story
    assert article.text == story


def test_the_author_on_a_line_of_their_own_is_a_byline() -> None:
    story = "The council voted to close the harbour road on Sunday after the storm."
    assert one(f"<p>Jane Doe</p><p>{story}</p>", author="Jane Doe").text == story


def test_another_languages_by_word_stays_in_an_item_in_english() -> None:
    """ "Par" is French for "by"; an English item's "Par …" is English."""
    story = "Par Three Golf Club — The course by the harbour reopens on Friday."
    assert one(f"<p>{story}</p>", language="en").summary == story


def test_a_byline_with_the_outlet_and_city_on_a_line_of_its_own_goes() -> None:
    """The words after the reporter's name may be ones the story writes in lower case."""
    story = "The new harbour office opened on Sunday, the news agency said."
    byline = "By Nada Tawfik, BBC News, New York"
    assert one(f"<p>{byline}</p><p>{story}</p>", language="en").text == story


def test_a_pages_summary_keeps_a_first_line_that_only_opens_like_a_byline() -> None:
    """A page without a description: its summary is its text's first paragraph."""
    first = "Door Dash — The company will deliver to the harbour from Friday, it said."
    more = "<p>The harbour ferry to Aarhus was cancelled on Sunday after the storm.</p>" * 4
    html = (
        '<html lang="en"><head><title>Door Dash at the harbour</title></head><body>'
        f"<article><h1>Door Dash at the harbour</h1><p>{first}</p>{more}</article></body></html>"
    )
    assert extract_page(html, url="https://news.example/door").summary == first


@pytest.mark.parametrize("line", ["Af Jens Hansen, Ritzau —", "Por Ana López y Juan Pérez —"])
def test_another_languages_byline_goes_when_the_item_does_not_say_its_language(
    line: str,
) -> None:
    """An agency, or a joining word of the same language, says the line is a byline."""
    story = "The council voted to close the harbour road on Sunday after the storm."
    assert one(f"<p>{line} {story}</p>").summary == story


#: A Portuguese story whose feed says it is in English (`<language>en</language>`).
PORTUGUESE = "O conselho municipal aprovou ontem o orçamento para a estrada do porto."


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("Por Fulano de Tal —", "Fulano de Tal"),  # the item's author
        ("Por Fulano de Tal e Beltrano Silva —", "Beltrano Silva and Fulano de Tal"),
        ("Por Fulano de Tal, Reuters —", None),  # an agency signs it
        ("Por Fulano de Tal, Agência Lusa —", "Redação"),
        ("Von Hans-Peter Müller, AFP —", None),
        ("Af Mette Holm, Ritzau —", None),
    ],
)
def test_a_byline_goes_when_the_feed_declares_the_wrong_language(
    line: str, author: str | None
) -> None:
    """Any language's "by"-word counts before the item's author or an agency."""
    article = one(f"<p>{line} {PORTUGUESE}</p>", language="en", author=author)
    assert article.summary == PORTUGUESE
    assert article.text == PORTUGUESE


@pytest.mark.parametrize("line", ["Por Fulano de Tal, Lusa", "Von Hans Müller, dpa"])
def test_a_byline_of_its_own_goes_when_the_feed_declares_the_wrong_language(line: str) -> None:
    article = one(f"<p>{line}</p><p>{PORTUGUESE}</p>", language="en")
    assert article.text == PORTUGUESE


@pytest.mark.parametrize("author", [None, "Beltrano Silva"])
def test_another_languages_by_word_before_a_name_that_is_not_the_authors_stays(
    author: str | None,
) -> None:
    """No author's name and no agency: nothing says "Por Fulano de Tal" is a byline."""
    story = f"Por Fulano de Tal — {PORTUGUESE}"
    article = one(f"<p>{story}</p>", language="en", author=author)
    assert article.summary == story
    assert article.text == story
