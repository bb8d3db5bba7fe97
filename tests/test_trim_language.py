"""A German day's ordinal before any German month goes on, in German text (digest.wording.trim).

German writes "am 1. August", and "April", "August", "September" and "November" are
spelt alike in English, where "…was 3 to 10. August brought…" ends a sentence after
"10.". Without knowing the language, the stop before those four months counts as an
ordinal's only before a year or a stop; a German article (its item's or its feed's
``<language>``, stored with it) was cut to "…am 1." before "August für den Umbau".
Feeds are written here and parsed and ranked for real.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import parse_feed
from digest.rank import RankOptions, rank
from digest.wording.trim import sentence_ends, trim

MUSEUM = (
    "Das Museum schließt am 1. August für den Umbau der Halle. Im Frühjahr öffnet es "
    "mit einer neuen Ausstellung wieder."
)
SHARED = [
    "Das Museum schließt am 1. August für den Umbau der Halle.",
    "Die Messe beginnt am 12. April mit einem Empfang im Rathaus.",
    "Der Hafen ist ab dem 3. September wegen Bauarbeiten gesperrt.",
    "Am 9. November erinnert die Stadt an den Fall der Mauer.",
]
ENGLISH = "The final score was 3 to 10. August brought a rematch in the same hall."


@pytest.mark.parametrize("sentence", SHARED)
@pytest.mark.parametrize("language", ["de", "de-DE", "de-AT", "de_CH", "DE"])
def test_a_german_text_goes_on_after_the_ordinal_before_any_month(
    sentence: str, language: str
) -> None:
    text = f"{sentence} Danach geht es weiter."
    assert text[: sentence_ends(text, language=language)[0]] == sentence
    assert trim(text, 60, max_sentences=1, language=language) == sentence


@pytest.mark.parametrize("language", [None, "en", "en-GB", "fr", ""])
def test_english_or_unknown_text_keeps_the_english_guard(language: str | None) -> None:
    assert trim(ENGLISH, 60, max_sentences=1, language=language) == "The final score was 3 to 10."


def test_german_text_still_ends_after_a_number_that_is_no_day() -> None:
    """Only a day's ordinal (one or two digits) goes on: a year before a month ends."""
    text = "Sie wurde 1990 geboren. August 2020 war ihr bestes Jahr."
    assert trim(text, 60, max_sentences=1, language="de") == "Sie wurde 1990 geboren."
    text = "Er gewann mit 3 zu 10. Danach kam die Revanche."
    assert trim(text, 60, max_sentences=1, language="de") == "Er gewann mit 3 zu 10."


NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def feed(language: str | None, description: str) -> bytes:
    said = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Stadtbote</title><link>https://stadtbote.example/</link>{said}"
        "<item><title>Das Museum macht Pause</title><link>https://stadtbote.example/1</link>"
        f"<pubDate>Thu, 26 Nov 2026 08:00:00 +0000</pubDate><description>{description}"
        "</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("language", "description", "teaser"),
    [
        # a teaser of eight words: "…am 1." read as a whole sentence before
        ("de", MUSEUM, "Das Museum schließt am 1. August für den…"),
        # the item's language unknown or English: the English guard still ends "…10."
        (None, ENGLISH, "The final score was 3 to 10."),
        ("en-us", ENGLISH, "The final score was 3 to 10."),
    ],
)
def test_the_teaser_a_subscriber_reads_ends_where_the_sentence_does(
    language: str | None, description: str, teaser: str
) -> None:
    articles = parse_feed(feed(language, description), source="Stadtbote", url=None, now=NOW)
    assert (articles[0].language or "").casefold() == (language or "")
    options = RankOptions(leads=0, teasers=5, teaser_words=8)
    (story,) = rank(articles, now=NOW, options=options).teasers
    assert story.summary == teaser


def test_an_untitled_german_items_headline_is_its_whole_first_sentence() -> None:
    """An item without a title gets its text's first sentence as its headline."""
    body = feed("de", MUSEUM).replace(b"<title>Das Museum macht Pause</title>", b"")
    articles = parse_feed(body, source="Stadtbote", url=None, now=NOW)
    (story,) = rank(articles, now=NOW, options=RankOptions(leads=0, teasers=5)).teasers
    assert story.title == SHARED[0].removesuffix(".")
    assert story.summary == "Im Frühjahr öffnet es mit einer neuen Ausstellung wieder."
