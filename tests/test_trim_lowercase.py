"""A full stop before a word in lower case does not end a sentence (digest.wording.trim).

In the scripts with capitals (Latin, Cyrillic, Greek) a sentence begins with one. A "."
followed by a word in lower case closes an ordinal ("do 26. januára": until 26 January)
or an abbreviation the English list does not know ("DevOps und Co. ins Zentrum",
"ca. fünf", "524,6 млн. рублей"). Taken for a sentence end, it left teasers that stop
mid-sentence and read as whole: Aktuality.sk's "…a potrvá do 26." and heise
Developer's "…das Continuous Delivery, DevOps und Co." (the verb is after it).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import parse_feed
from digest.rank import RankOptions, rank
from digest.wording.trim import sentence_ends, trim
from tests.corpus import require_corpus

AKTUALITY = (
    "Celoslovenské plošné testovanie začne od zajtra a potrvá do 26. januára. Povinnosť "
    "mať certifikát o negatívnom teste na Covid-19 začne platiť od 27 januára. Otestovať "
    "sa budete môcť v mobilných odberných miestach."
)
HEISE = (
    "Anfang Mai feiert die englische Version der Continuous-Lifecycle-Konferenz in London "
    "Premiere. Jez Humble und Dave Farley sind nur zwei der Sprecher aus dem nun bekannt "
    "gegebenen Programm, das Continuous Delivery, DevOps und Co. ins Zentrum stellt."
)


@pytest.mark.parametrize(
    ("text", "words", "sentences", "expected"),
    [
        # an ordinal date: the whole first sentence, or a visible cut
        (AKTUALITY, 40, 1, AKTUALITY.split(" Povinnosť")[0]),
        (AKTUALITY, 12, 1, AKTUALITY.split(" Povinnosť")[0]),
        (AKTUALITY, 9, 1, "Celoslovenské plošné testovanie začne od zajtra a potrvá do…"),
        # an abbreviation no list names ("und Co." is "and so on")
        (HEISE, 40, 2, HEISE),
        (HEISE, 30, 2, HEISE.split(" Jez")[0]),
        (
            "Das kostet ca. fünf Euro bzw. etwas mehr. Dann kam der Rest.",
            8,
            2,
            "Das kostet ca. fünf Euro bzw. etwas mehr.",
        ),
        (
            "Субсидии составили 524,6 млн. рублей. Это больше, чем год назад.",
            5,
            1,
            "Субсидии составили 524,6 млн. рублей.",
        ),
        (
            "Il y a des chats, des chiens, etc. dans la maison. Puis le reste.",
            12,
            1,
            "Il y a des chats, des chiens, etc. dans la maison.",
        ),
    ],
)
def test_a_full_stop_before_lower_case_goes_on(
    text: str, words: int, sentences: int, expected: str
) -> None:
    assert trim(text, words, max_sentences=sentences) == expected


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # a capital, a number, a quote or a brand in lower case begins the next sentence
        ("Prices rose. Then they fell.", "Prices rose."),
        ("Apple released iOS 11. iPhone owners can update now.", "Apple released iOS 11."),
        ("Sales fell. eBay said it would cut jobs.", "Sales fell."),
        ("It was a bad year. 2020 was worse.", "It was a bad year."),
        ('It is over. "We lost," she said.', "It is over."),
        ("He works at Acme Co. The firm grew.", "He works at Acme Co."),
        ("Really? yes, really.", "Really?"),
        ("今天天气很好。明天会下雨。", "今天天气很好。"),
    ],
)
def test_real_sentence_ends_still_end(text: str, first: str) -> None:
    assert text[: sentence_ends(text)[0]] == first


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            "Die Tagung findet am 09. Januar 2020 in Berlin statt. Es kommen viele Gäste.",
            "Die Tagung findet am 09. Januar 2020 in Berlin statt.",
        ),
        (
            "Das Werk schließt zum 1. März. Danach beginnt der Umbau.",
            "Das Werk schließt zum 1. März.",
        ),
        ("Ab dem 24. Dezember ruht der Betrieb. Im Januar geht es weiter.", None),
    ],
)
def test_a_days_ordinal_before_a_month_in_capitals_goes_on(text: str, first: str | None) -> None:
    """German writes the day as an ordinal and its month with a capital ("am 09. Januar
    2020"): the stop after the day is no sentence's end (a summary was cut to "…am 09.")."""
    expected = first or text.split(". Im ")[0] + "."
    assert text[: sentence_ends(text)[0]] == expected
    assert trim(text, 60, max_sentences=1) == expected


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("The final score was 3 to 10. August brought a rematch.", "The final score was 3 to 10."),
        ("Sie wurde 1990 geboren. Mai 2020 war ihr bestes Jahr.", "Sie wurde 1990 geboren."),
    ],
)
def test_a_number_of_another_kind_before_a_month_still_ends(text: str, first: str) -> None:
    assert text[: sentence_ends(text)[0]] == first


def test_a_paragraph_in_lower_case_still_begins_a_sentence() -> None:
    """A paragraph break ends a sentence whatever case the next paragraph begins with."""
    text = "Key facts about the vote\n\nturnout was low. the count is slow."
    assert trim(text, 30, max_sentences=1) == "Key facts about the vote."


NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("feed", "at", "title", "summary"),
    [
        (
            "news-aktuality-sk.rss",
            datetime(2021, 1, 18, 6, tzinfo=UTC),
            "Koronavírus: Slovensko čaká 9-dňové plošné testovanie, predĺžil sa zákaz vychádzania",
            AKTUALITY.rsplit(" Otestovať", 1)[0],
        ),
        (
            "news-heise-developer.atom",
            datetime(2016, 2, 2, 6, tzinfo=UTC),
            "Continuous Lifecycle London: Programm online, Ticketverkauf gestartet",
            HEISE,
        ),
    ],
)
def test_the_teaser_a_subscriber_reads_ends_where_its_sentence_does(
    feed: str, at: datetime, title: str, summary: str
) -> None:
    body = (require_corpus() / "feeds" / feed).read_bytes()
    articles = parse_feed(body, source=feed, url=None, now=NOW)
    options = RankOptions(leads=0, teasers=40, max_teasers_per_source=40)
    ranked = rank(articles, now=at, options=options)
    teaser = next(s for s in ranked.teasers if s.title == title)
    assert teaser.summary == summary
