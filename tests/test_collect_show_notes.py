"""A podcast episode's summary is its prose opening, not its show notes
(digest.collect.shownotes, read by digest.collect.feeds and digest.collect.entry).

A podcast feed's item description is the episode's show notes: chapter marks ("00:00
Intro", "(12:34)"), lists of links, "Subscribe on Apple Podcasts / Spotify" and "Support
the show". A reader who gets "00:00 Intro 02:15 The vote" under a headline learns
nothing about the episode. The feeds here are our own, parsed for real; the corpus test
reads ATP's real feed (its descriptions open with a list of links; its iTunes subtitle
is the episode's one-line prose summary).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.entry import SUMMARY_CHARS, standfirst
from digest.collect.feeds import read_feed
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OPENING = "Mette Lind on the ferry strike."
LONG_OPENING = "Mette Lind, head of the harbour, on the ferry strike and what comes next."


def podcast(description: str, subtitle: str | None = None, *, cdata: bool = True) -> Article:
    extra = f"<itunes:subtitle>{subtitle}</itunes:subtitle>" if subtitle else ""
    body = f"<![CDATA[{description}]]>" if cdata else description
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        "<title>Harbour Talk</title><link>https://pod.example/</link>"
        "<item><title>Episode 12: The strike</title><link>https://pod.example/12</link>"
        f"<guid>ep12</guid><description>{body}</description>{extra}"
        '<enclosure url="https://pod.example/12.mp3" length="1" type="audio/mpeg"/>'
        "</item></channel></rss>"
    ).encode()
    (article,) = read_feed(data, source="Harbour Talk", url=None, now=NOW).articles
    return article


CHAPTERS = (
    "<p>00:00 Intro<br>02:15 The vote at the council<br>(12:34) What the union wants<br>"
    "[01:02:03] Listener questions</p>"
)
FURNITURE = (
    "<p>Subscribe on Apple Podcasts / Spotify / Overcast</p>"
    "<p>Support the show: https://pod.example/support</p>"
    "<p>Follow us on Instagram and X</p>"
    "<p>https://pod.example/12<br>Harbour webcam: https://cam.example/</p>"
)


@pytest.mark.parametrize("opening", [OPENING, LONG_OPENING])
def test_the_summary_is_the_prose_opening_without_chapter_marks_or_subscribe_lines(
    opening: str,
) -> None:
    article = podcast(f"<p>{opening}</p>{CHAPTERS}{FURNITURE}")
    assert article.summary == opening


def test_chapter_marks_and_links_are_no_summary_even_in_one_paragraph() -> None:
    article = podcast(f"<p>{OPENING}<br>00:00 Intro<br>02:15 The vote<br>Support the show</p>")
    assert article.summary == OPENING


def test_show_notes_that_open_with_a_list_give_way_to_the_episode_subtitle() -> None:
    notes = (
        "<ul><li>Follow-up:<ul><li><a href='https://a.example/'>Ferry timetables</a></li>"
        "<li>Debate over the prevalence of the harbour lighting problem</li></ul></li>"
        "<li><a href='https://b.example/'>Harbour webcams</a></li></ul>"
    )
    subtitle = "The strike, the vote, and what the union wants next."
    assert podcast(notes, subtitle).summary == subtitle
    # Prose before the list is the opening: the subtitle is not needed.
    assert podcast(f"<p>{OPENING}</p>{notes}", subtitle).summary == OPENING
    # No prose and no subtitle: the notes are all there is (as before).
    assert podcast(notes).summary == "Debate over the prevalence of the harbour lighting problem"


LIST_ONLY = "<ul><li><a href='https://a.example/'>Ferry timetables</a></li></ul>"


@pytest.mark.parametrize(
    ("subtitle", "shown"),
    [
        # The feed's escaping is read, not shown: "Q&amp;A" was mailed as "Q&amp;A".
        ("Q&amp;A: the strike &amp; the vote", "Q&A: the strike & the vote"),
        ("<![CDATA[Q&amp;A: the strike &amp; the vote]]>", "Q&A: the strike & the vote"),
        ("<![CDATA[The <b>strike</b>, the vote]]>", "The strike, the vote"),
        # A right-to-left override would show the rest of the line backwards.
        ("<![CDATA[The strike \u202ethe vote]]>", "The strike the vote"),
    ],
)
def test_an_episode_subtitle_summary_is_its_text_not_its_markup(subtitle: str, shown: str) -> None:
    assert podcast(LIST_ONLY, subtitle).summary == shown


def test_an_episode_subtitle_summary_is_no_longer_than_any_other_summary() -> None:
    """A feed's 100,000-character subtitle was the whole summary under the headline."""
    summary = podcast(LIST_ONLY, "The strike and the vote. " * 4000).summary
    assert len(summary) <= SUMMARY_CHARS
    assert summary.startswith("The strike and the vote. The strike") and summary.endswith("…")


@pytest.mark.parametrize(
    "text",
    [
        "The ferry leaves at 10:30 and returns at 12:45, the harbour office said.",
        "10:30 is when the first ferry leaves, and the last leaves at 22:15.",
        "Listeners who subscribe on Spotify can hear the council vote live on Friday.",
        "Support the show? The council says the harbour festival will go ahead.",
        "The council's vote (12:34 on the clock) was the closest in years.",
    ],
)
def test_a_sentence_with_a_time_or_the_word_subscribe_stays(text: str) -> None:
    assert standfirst(text) == text
    assert podcast(f"<p>{text}</p>").summary == text


def test_corpus_atp_summaries_are_prose_not_show_notes() -> None:
    path = require_corpus() / "feeds" / "podcast-atp.rss"
    articles = read_feed(path.read_bytes(), source="ATP", url=None, now=NOW).articles
    by_number = {a.title.split(":")[0]: a for a in articles}
    assert by_number["311"].summary == (
        "Facebook's Onavo scam, Apple's FaceTime bug, early iPhone rumors, and Overcast's "
        "Instant Search."
    )
    # A prose opening before the notes is the summary, without the list after it.
    assert by_number["277"].summary == "We're live from WWDC 2018!"
    assert by_number["225"].summary == "Our WWDC 2017 live show!"
    for article in articles:
        assert not article.summary.startswith(("Follow-up", "Follow up", "Pre-show")), (
            article.title,
            article.summary,
        )


def test_outside_show_notes_an_address_line_and_a_non_episode_subtitle_stay() -> None:
    # A mailing list's reply answers with an address: that is its text, not show notes.
    text = "Where is the new repository?\nDone: https://code.example/harbour"
    assert standfirst(text) == "Where is the new repository? Done: https://code.example/harbour"
    # A news item (no audio) with a stray <subtitle> keeps the summary its text gives
    # (Varthabharathi's items carry another story's subtitle).
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>N</title>'
        "<link>https://n.example/</link><item><title>Ferry</title><link>https://n.example/1"
        "</link><subtitle>Another story altogether</subtitle><description><![CDATA[<ul><li>"
        f"{LONG_OPENING}</li></ul>]]></description></item></channel></rss>"
    ).encode()
    (article,) = read_feed(data, source="N", url=None, now=NOW).articles
    assert article.summary == LONG_OPENING
