"""An untitled item's made-up headline never leaves a quotation open.

An untitled post's headline is its text's first sentence, or that sentence's opening
clause and "…" (tests/test_rank_untitled_headline.py). Where the clause ended inside a
quotation, the headline left the quote open: 'Ed Cone: "Had a nice Deadhead experience
with my wife…' (the Grateful Dead channel), and a first sentence whose quotation runs on
into the next left it open too ('Tonight's song: "Come hear Uncle John's Band by the
river side'). Now a headline that would leave a quote open (straight " or ', curly “ ”
‘ ’, guillemets « » ‹ ›, German „ “) ends at the quote's close when that comes within a
headline's sixteen words, else stops before the quotation opens; only a text that opens
with a long quotation shows it cut and closed after the "…". Apostrophes in words
(don't, l'école, the harbour’s) are no quotes, and balanced headlines stay as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.rank import RankOptions, rank
from digest.records import Article
from digest.wording.quotes import open_at
from digest.wording.told import told
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _headline(text: str) -> tuple[str, str]:
    """(headline, text) a story shows of an untitled item, titled as feeds once were."""
    article = Article(
        key="k",
        source="Harbour Post",
        title=" ".join(text.split()[:12]) + "…",
        url="https://harbour.example/post",
        summary=text,
        published=NOW,
    )
    return told(article)


def balanced(headline: str) -> bool:
    """Whether each quotation `headline` opens it also closes (apostrophes aside)."""
    count = headline.count
    return (
        count('"') % 2 == 0
        and count("«") == count("»")
        and count("‹") == count("›")
        and count("“") == count("”") + count("„")  # “…” and „…“
    )


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        # the clause ends inside a quote that closes within sixteen words: end at its close
        (
            'The mayor called the plan "a bridge too far, and too costly" before the council '
            "voted on Tuesday night to shelve it for another year.",
            'The mayor called the plan "a bridge too far, and too costly"…',
        ),
        (
            "Le maire a qualifié le projet de « pont trop loin, et trop cher » avant que le "
            "conseil ne vote mardi soir son report d’un an.",
            "Le maire a qualifié le projet de « pont trop loin, et trop cher »…",
        ),
        (
            "The mayor called the plan “a bridge too far, and too costly” before the council "
            "voted on Tuesday night to shelve it for another year.",
            "The mayor called the plan “a bridge too far, and too costly”…",
        ),
        # ... that closes too far on: stop before it opens
        (
            'The mayor told the council on Tuesday "we will rebuild the harbour wall, whatever '
            'it costs and however long the works take," and left.',
            "The mayor told the council on Tuesday…",
        ),
        (
            "Der Bürgermeister sagte am Dienstag im Rat „wir bauen die Hafenmauer wieder auf, "
            "was es auch kostet und wie lange es dauert“ und ging.",
            "Der Bürgermeister sagte am Dienstag im Rat…",
        ),
        (
            "Le maire a déclaré mardi au conseil ‹ nous reconstruirons le mur du port, quoi "
            "qu’il en coûte et quelle que soit la durée › et il est parti.",
            "Le maire a déclaré mardi au conseil…",
        ),
        # a first sentence whose quotation goes on into the next
        (
            "Tonight's harbour song: \"Come hear the band by the river side. Got some things "
            'to talk about here beside the rising tide, and more."',
            "Tonight's harbour song…",
        ),
        # a text that opens with a long quotation: cut, and closed after the "…"
        (
            '"We will rebuild the harbour wall, whatever it costs and however long the works '
            'take, before winter," the mayor said on Tuesday.',
            '"We will rebuild the harbour wall, whatever it costs and however long the works '
            'take…"',
        ),
    ],
)
def test_a_made_up_headline_never_leaves_a_quote_open(text: str, headline: str) -> None:
    shown, summary = _headline(text)
    assert shown == headline
    assert balanced(shown)
    assert summary == text  # cut: the sentence is read whole, once, in the text


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        # quotes closed within the clause: as before
        (
            "Der Bürgermeister nannte den Plan „eine Brücke zu weit, und zu teuer“, bevor der "
            "Rat am Dienstag abend die Vertagung des Projekts beschloss.",
            "Der Bürgermeister nannte den Plan „eine Brücke zu weit, und zu teuer“…",
        ),
        (
            'The mayor called the "bridge" plan costly, before the council voted on Tuesday '
            "night to shelve it for another year and a day.",
            'The mayor called the "bridge" plan costly…',
        ),
        # apostrophes are no quotes
        (
            "L'école du port n'a pas rouvert ce matin, et les parents d'élèves attendent "
            "toujours une réponse de la mairie sur les travaux.",
            "L'école du port n'a pas rouvert ce matin…",
        ),
        (
            "The harbour’s old crane won't move today, as the council’s engineers say it is "
            "unsafe and the students’ boats wait for the works to end.",
            "The harbour’s old crane won't move today…",
        ),
        (
            "Rock from the '90s played all night long on the pier, while the ferry waited "
            "for the last passengers to come back from the harbour fair.",
            "Rock from the '90s played all night long on the pier…",
        ),
    ],
)
def test_a_balanced_headline_is_as_it_was(text: str, headline: str) -> None:
    assert _headline(text) == (headline, text)


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ('He said "we will win" today', "we will"),
        ("Il a dit « nous gagnerons » hier", "nous"),
        ("Er sagte „wir gewinnen“ heute", "wir"),  # German
        ("Er sagte »wir gewinnen« heute", "wir"),  # German, in guillemets
        ("Han sa ”vi vinner” i dag", "vi"),  # Swedish
        ("Han sa »vi vinner» i dag", "vi"),  # Swedish, in guillemets
        ("Powiedział „wygramy” dziś", "wygramy"),  # Polish
        ("Er sagte ‚wir‘ heute", "wir"),
        ("She said ‘we will’ today", "we"),
        ("Il a dit ‹ oui › hier", "oui"),
        ("He said 'we will win' today", "we"),
    ],
)
def test_each_quotation_is_open_inside_and_closed_after(text: str, inside: str) -> None:
    assert open_at(text, text.index(inside) + 1) is not None
    assert open_at(text, len(text)) is None


def test_apostrophes_open_no_quotation() -> None:
    text = "Don't l'école the harbour’s boats, the students' oars, rock of the '90s, rock’n’roll"
    assert all(open_at(text, end) is None for end in range(len(text) + 1))


def test_a_short_first_sentence_with_a_whole_quote_is_the_headline() -> None:
    text = 'The mayor said "no" to the bridge. The council meets again on Monday.'
    assert _headline(text) == (
        'The mayor said "no" to the bridge',
        "The council meets again on Monday.",
    )


def test_corpus_grateful_dead_headlines_close_every_quote_they_open() -> None:
    path = require_corpus() / "feeds" / "sample-rss092-grateful-dead.xml"
    parsed = read_feed(path.read_bytes(), source="Grateful Dead", url=None, now=NOW)
    options = RankOptions(leads=1, teasers=0)
    shown = {told(article)[0] for article in parsed.articles}
    assert [headline for headline in shown if not balanced(headline)] == []
    for article in parsed.articles:  # (no lead for a one-line post: its line is all)
        for lead in rank([article], now=NOW, options=options).leads:
            assert lead.title in shown
    assert {
        "Ed Cone…",  # was 'Ed Cone: "Had a nice Deadhead experience with my wife…'
        "Me and My Uncle…",
        "Weather Report Suite…",
        "Tonight's song…",  # was 'Tonight's song: "Come hear Uncle John's Band by the river side'
        # balanced ones stay
        "Grateful Dead: \"Tennessee, Tennessee, ain't no place I'd rather be.\"",
        'Tonight\'s Song: "If I get home before daylight I just might get some sleep tonight."',
        "Two-Way-Web: Payloads for RSS",
    } <= shown
