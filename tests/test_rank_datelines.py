"""A story's text starts with its news, not with the wire's dateline.

Agency copy opens with where it was filed and by whom: "NEWARK, N.J. (AP) — Jurors
finished…", "NEW YORK (Reuters) - Oil prices fell…". Outlets that run wire stories keep
it in their feeds and pages, and a teaser then spends its first words, in capitals, on a
place the headline rarely needs ("WASHINGTON (AP) — President…"), beside teasers from
other outlets that start with their news. The dateline goes from the start of the text
a story shows; a text that merely starts with a name in capitals keeps it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.rank import RankOptions, rank
from digest.records import Article
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
NEWS = "Jurors finished a second full day of deliberations on Wednesday without a verdict."


def _summary(text: str) -> str:
    article = Article(
        key="wire-1",
        source="Quayside Gazette",
        title="Harbour bribery jury ends second day without verdict",
        url="https://quayside.example/jury",
        summary=text,
        published=NOW,
    )
    (lead,) = rank([article], now=NOW, options=RankOptions(leads=1, teasers=0)).leads
    return lead.summary


@pytest.mark.parametrize(
    "dateline",
    [
        "NEWARK, N.J. (AP) — ",
        "WASHINGTON (AP) — ",
        "NEW YORK (Reuters) - ",
        "LONDON, Nov 19 (Reuters) - ",
        "BEIJING, Nov. 19 (Xinhua) -- ",
        "SÃO PAULO (AFP) – ",
        "(CNN) — ",
        "COPENHAGEN — ",
        "ST. JOHN'S, Newfoundland — ",
        "Quito, 24 Set 2018 (AFP) - ",
        "Nova York, 24 set (EFE).- ",
    ],
)
def test_a_wire_dateline_does_not_open_the_story(dateline: str) -> None:
    assert _summary(dateline + NEWS) == NEWS


@pytest.mark.parametrize(
    "text",
    [
        "NATO allies met in Brussels on Wednesday to agree the winter budget.",
        "EU ministers - most of them - backed the fishing quota on Wednesday.",
        "The mayor (AP) said nothing — and then everything.",  # not at the start
        "AI is everywhere this year, the harbour board said on Wednesday.",
        "Boston (the city) - not the county - will vote on the harbour plan on Monday.",
        "Jurors said Paris (Reuters) - style headlines were shown to them on Wednesday.",
    ],
)
def test_a_text_that_only_starts_in_capitals_is_kept(text: str) -> None:
    assert _summary(text) == text


def test_the_real_feeds_wire_stories_start_with_their_news() -> None:
    """Talking Points Memo runs AP copy: five of its twenty entries open with a dateline
    (which collect now drops from what it stores: tests/test_collect_extras.py)."""
    path = require_corpus() / "feeds" / "news-tpm-talkingpointsmemo.atom"
    parsed = read_feed(path.read_bytes(), source="Talking Points Memo", url=None, now=NOW)
    assert len(parsed.articles) == 20
    n = len(parsed.articles)
    options = RankOptions(leads=0, teasers=n, max_teasers_per_source=n)
    teasers = rank(parsed.articles, now=NOW, options=options).teasers
    assert len(teasers) == n - 1  # "We're Hiring: Senior Editor", a job ad, is left out
    assert not [t.summary for t in teasers if "(AP)" in t.summary]
    wire = [t for t in teasers if t.url and "/news/" in t.url]  # the AP copy
    assert len(wire) == 5
    for teaser in wire:
        assert teaser.summary[0].isupper() and not teaser.summary.split()[0].isupper()
