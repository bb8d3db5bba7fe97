"""A feed summary made by stripping the item's HTML of its tags, line breaks and all, is
not shown: its words run together where the lines met ("ZXStylesЯзык: EnglishСостояние:").

Forum and CMS software often writes an item's summary as its content without tags (PHP's
strip_tags): every <br> and paragraph end is lost, and the reader got "Разработчик:
i-playЯзык: АнглийскийСостояние:Описание:" (touchnokia.ru's feed, every item). When the
summary is the item's own text with line breaks lost, the summary is taken from the
text instead, which keeps them.

Must not change: a summary written apart from the text (a standfirst), an excerpt that
keeps its spaces, a summary that joins what the text splits only inside a line
("DKK 45" / "DKK\u00a045"), and the key (made of the feed's summary as written).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pytest

from digest.collect.feeds import read_feed
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

CONTENT = (
    "<h2>Night ferry returns</h2>"
    "<p>The night ferry between Quayside and Northport runs again from Friday, after a "
    "winter without it.</p>"
    "<p><b>Fare:</b> DKK 45<br><b>Departs:</b> 23:40 from the old pier</p>"
)


def _atom(summary: str, content: str = CONTENT) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Quayside Forum</title><id>urn:quay</id><updated>2026-11-26T20:00:00Z</updated>"
        "<entry><title>Night ferry returns on Friday</title><id>urn:quay:1</id>"
        '<link href="https://forum.quayside.example/t/1"/>'
        "<updated>2026-11-26T20:00:00Z</updated>"
        f'<summary type="html">{escape(summary)}</summary>'
        f'<content type="html">{escape(content)}</content></entry></feed>'
    ).encode()


def _summary(summary: str, content: str = CONTENT) -> str:
    (article,) = read_feed(_atom(summary, content), source="Quayside", url=None, now=NOW).articles
    return article.summary


def test_a_summary_with_the_texts_line_breaks_lost_is_taken_from_the_text() -> None:
    glued = (
        "Night ferry returnsThe night ferry between Quayside and Northport runs again from "
        "Friday, after a winter without it.Fare: DKK 45Departs: 23:40 from the old pier"
    )
    assert _summary(glued) == (
        "The night ferry between Quayside and Northport runs again from Friday, after a "
        "winter without it."
    )


@pytest.mark.parametrize(
    "summary",
    [
        # a standfirst written apart from the text
        "Quayside's night crossing is back for the winter season, at the old price.",
        # an excerpt of the text that keeps its spaces
        "The night ferry between Quayside and Northport runs again from Friday, after a "
        "winter without it. Fare: DKK 45 Departs: 23:40 from the old pier",
        # joined only where the text's line goes on ("DKK 45" as one word is no lost line)
        "The night ferry between Quayside and Northport runs again from Friday, after a "
        "winter without it. Fare: DKK\u00a045",
    ],
)
def test_a_summary_that_keeps_the_texts_breaks_stays(summary: str) -> None:
    assert _summary(summary) == " ".join(summary.split())


def test_the_key_does_not_change() -> None:
    glued = "Night ferry returnsThe night ferry between Quayside and Northport runs again."
    (article,) = read_feed(_atom(glued), source="Quayside", url=None, now=NOW).articles
    assert article.key == "guid:urn:quay:1"


def test_corpus_touchnokia_summaries_keep_their_line_breaks() -> None:
    path = require_corpus() / "feeds" / "hostile-touchnokia-css.atom"
    feed = read_feed(path.read_bytes(), source="touchnokia", url=path.as_uri(), now=NOW)
    by_title = {a.title: a.summary for a in feed.articles}
    summary = by_title["Программы для Nokia 5800 и Nokia N97: ZXLightControl v.1.0.0"]
    assert "Разработчик: ZXStyles Язык: English Состояние: Free Описание:" in summary
    glued = ("ZXStylesЯзык", "i-playЯзык", "АнглийскийСостояние", "Состояние:Описание")
    for article in feed.articles:
        assert not any(g in article.summary for g in glued), article.summary
