"""A headline the feed gave is kept when the text opens with its words and goes on.

An item without a title gets its text's first words as one, and the story then shows
the first sentence as its headline and the rest as its text (so it is not read twice).
The same rule also caught items with a headline of their own whose text merely starts
with it, as writers do ("Varnish Saint Mode" over "Varnish Saint Mode is a lesser known
gem inside varnish that lets you serve stale content from cache, …"): the headline
became the first sixteen words of that sentence and "…", the text "…from cache, even
when …". A headline that ends on a whole word of the text, and no "…", is the feed's
own: it stays unless the text's first sentence fits whole in its place.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digest.collect.feeds import read_feed
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
LONG = (
    "The Harbour Watch is a volunteer group that patrols the old docks every night of the "
    "winter, logging broken fences and loose moorings for the port authority. It was "
    "founded in 2019."
)


def _told(title: str, summary: str) -> tuple[str, str]:
    article = Article(
        key="k",
        source="Quayside Gazette",
        title=title,
        url="https://quayside.example/watch",
        summary=summary,
        published=NOW,
    )
    (lead,) = rank([article], now=NOW, options=RankOptions(leads=1, teasers=0)).leads
    return lead.title, lead.summary


def test_a_headline_whose_words_open_a_long_sentence_is_kept() -> None:
    assert _told("The Harbour Watch", LONG) == ("The Harbour Watch", LONG)


def test_a_headline_followed_by_a_comma_in_the_text_is_kept() -> None:
    text = (
        "Harbour Watch marks five years, and the volunteers who walk the docks each night "
        "of the winter have asked the council for lights along the old quay. More soon."
    )
    title, summary = _told("Harbour Watch marks five years", text)
    assert title == "Harbour Watch marks five years"
    assert summary.startswith("Harbour Watch marks five years, and the volunteers")


def test_an_untitled_items_made_up_headline_still_gives_way() -> None:
    # Titles made of an untitled item's text: cut with "…", or inside a word.
    for made_up in ("The Harbour Watch is a volunteer group…", "The Harbour Watch is a volunt"):
        title, summary = _told(made_up, LONG)
        # its first sentence's opening clause (tests/test_rank_untitled_headline.py)
        assert (
            title
            == "The Harbour Watch is a volunteer group that patrols the old docks every night…"
        )
        assert summary.startswith("The Harbour Watch is a volunteer group that patrols")


def test_a_headline_the_texts_short_first_sentence_completes_is_told_once() -> None:
    text = "Harbour Watch marks five years on the quay. The volunteers want lights."
    assert _told("Harbour Watch marks five years", text) == (
        "Harbour Watch marks five years on the quay",
        "The volunteers want lights.",
    )


def test_the_real_feeds_headline_is_kept() -> None:
    path = require_corpus() / "feeds" / "blog-lincolnloop-ctrlchar.xml"
    parsed = read_feed(path.read_bytes(), source="Lincoln Loop", url=None, now=NOW)
    (varnish,) = [a for a in parsed.articles if a.title == "Varnish Saint Mode"]
    (lead,) = rank([varnish], now=NOW, options=RankOptions(leads=1, teasers=0)).leads
    assert lead.title == "Varnish Saint Mode"
    assert lead.summary.startswith("Varnish Saint Mode is a lesser known gem")
