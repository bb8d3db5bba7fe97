"""An untitled item's made-up headline is a whole sentence or a clause, never a cut.

A feed item without a title (the Grateful Dead channel's posts) shows its text's first
sentence as its headline and the rest as its text. When that sentence was longer than a
headline may be, the headline stopped after sixteen words wherever they fell ("…America
the Beautiful, even…") and the summary went on from there ("…The Star Spangled Banner
made my eyes mist up."): a headline cut mid-phrase over a summary read from mid-sentence.
Now such a headline is the sentence's opening clause, cut where the sentence itself
pauses (a comma, a colon, a dash; else before a word like "of" or "that") and ended
with "…", and the summary is the text from its beginning: the reader reads the whole
sentence once, in the summary, rather than never (a summary that began at the next
sentence would lose the first sentence's point: "made my eyes mist up").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from digest.collect.feeds import read_feed
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

SONGS = (
    "After a long night of tuning the old valve radio in the shed, the whole street "
    "finally heard the harbour band play its winter concert on the air. Next week the "
    "band plays again."
)
WATCH = (
    "The Harbour Watch is a volunteer group that patrols the old docks every night of the "
    "winter logging broken fences and loose moorings for the port authority. It was "
    "founded in 2019."
)


def _told(text: str, *, title: str | None = None) -> tuple[str, str]:
    """The lead's (headline, summary) of an untitled item, titled as collect titles one."""
    made = " ".join(text.split()[:12]) + "…" if title is None else title
    article = Article(
        key="k",
        source="Radio Shed",
        title=made,
        url="https://radio.example/post",
        summary=text,
        published=NOW,
    )
    (lead,) = rank([article], now=NOW, options=RankOptions(leads=1, teasers=0)).leads
    return lead.title, lead.summary


def test_a_long_first_sentence_gives_a_headline_cut_at_its_last_comma() -> None:
    title, summary = _told(SONGS)
    assert title == "After a long night of tuning the old valve radio in the shed…"
    # the summary is the text from its beginning: the sentence is read whole, once
    assert summary.startswith("After a long night of tuning the old valve radio in the shed, the")
    assert "finally heard the harbour band" in summary


def test_without_a_comma_the_headline_stops_before_a_little_word() -> None:
    title, summary = _told(WATCH)
    assert title == "The Harbour Watch is a volunteer group that patrols the old docks every night…"
    assert summary.startswith("The Harbour Watch is a volunteer group")
    assert "logging broken fences" in summary


def test_a_short_first_sentence_is_still_the_headline_and_the_rest_the_summary() -> None:
    text = "The harbour band played on the radio. Next week it plays again in the square."
    assert _told(text, title=text[:40].rsplit(" ", 1)[0] + "…") == (
        "The harbour band played on the radio",
        "Next week it plays again in the square.",
    )


def test_corpus_grateful_dead_headlines_are_whole_or_clauses_and_summaries_start_whole() -> None:
    path = require_corpus() / "feeds" / "sample-rss092-grateful-dead.xml"
    parsed = read_feed(path.read_bytes(), source="Grateful Dead", url=None, now=NOW)
    options = RankOptions(leads=1, teasers=0)
    told = {}
    for article in parsed.articles:
        for lead in rank([replace(article, published=NOW)], now=NOW, options=options).leads:
            told[lead.title] = lead.summary  # (none for a one-line post: its line is all)
    inauguration = [t for t in told if t.startswith("In celebration of today's inauguration")]
    assert inauguration == [
        "In celebration of today's inauguration, after hearing all those great patriotic "
        "songs, America the Beautiful…"
    ]
    assert told[inauguration[0]].startswith("In celebration of today's inauguration, after")
    assert "even The Star Spangled Banner made my eyes mist up." in told[inauguration[0]]
    for title, summary in told.items():
        assert not summary.startswith("…"), (title, summary)
        assert not title.endswith((" even…", " the…", " but gets…", " of…")), title


def test_a_chinese_items_long_first_sentence_is_cut_inside_its_run() -> None:
    run = "今天宣布旧码头将在十二月安装新的路灯以便夜间巡逻的志愿者能够看清破损的围栏。"
    text = f"港口 管理局 {run} 志愿者表示欢迎。"
    title, summary = _told(text, title=text[:12] + "…")
    assert title == text[:18] + "…"  # sixteen characters, not the whole run
    assert summary == text
