"""A wire service's "EXCLUSIVE-" label is read as an outlet's "Exclusive:" is.

Reuters heads a story it broke "EXCLUSIVE-Harbour board plans…", and a later version
"EXCLUSIVE-UPDATE 2-Harbour board plans…", in its headline and at the start of its
summary: upper case, a hyphen, no spaces. As digest.exclusives reads "Exclusive:", the
bare label goes from a summary and body (the first words under the headline are the
story, not the wire praising itself), and stays in a headline (the wire's headline, as
its clients print it). "EXCLUSIVE-UPDATE 2-" is one wire label: it goes whole from a
summary; in a headline the version ("UPDATE 2-") goes only when digest runs the story as
an update and labels it "Update" itself (digest.wording.told.unlabelled), the exclusive
staying. A compound word ("Exclusive-rights deal", "exclusive-use lanes") or a text in
capitals ("EXCLUSIVE-RIGHTS DEAL SIGNED") is the story: it stays.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from digest.exclusives import unlabelled_story, unlabelled_title
from digest.rank import RankOptions, rank
from digest.records import Article
from digest.wording.told import unlabelled
from tests.test_collect_exclusive_labels import parsed

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
STORY = "Harbour board plans to sell the ferry terminal to a private operator, sources say."
HEADLINE = "Harbour board plans to sell ferry terminal"
NAMES = ("City Wire", "https://city-wire.example/1")


@pytest.mark.parametrize(
    "label", ["EXCLUSIVE-", "EXCLUSIVE-UPDATE 2-", "EXCLUSIVE-UPDATE-", "EXCLUSIVE-UPDATE 1 - "]
)
def test_the_wire_label_does_not_open_the_summary(label: str) -> None:
    article = parsed(HEADLINE, label + STORY)
    assert article.summary == STORY
    assert article.text.startswith(STORY)


@pytest.mark.parametrize("label", ["EXCLUSIVE-", "EXCLUSIVE-UPDATE 2-"])
def test_the_headline_keeps_the_wire_label(label: str) -> None:
    """Not an update: the headline is the wire's, label and version as it wrote them."""
    assert parsed(label + HEADLINE, STORY).title == label + HEADLINE
    assert unlabelled_title(label + HEADLINE, NAMES) == label + HEADLINE


@pytest.mark.parametrize(
    "text",
    [
        "Exclusive-rights deal: the harbour board signs with Acme for ten years.",
        "exclusive-use lanes for the ferry queue open on Monday at the harbour.",
        "Exclusive-Use lanes for the ferry queue open on Monday at the harbour.",
        "EXCLUSIVE-RIGHTS DEAL SIGNED FOR THE HARBOUR FERRY TERMINAL ON MONDAY.",
        "EXCLUSIVE - The harbour board met the ferry company in secret on Monday.",
        "EXCLUSIVE-",
    ],
)
def test_a_compound_word_or_capitals_stay(text: str) -> None:
    assert unlabelled_story(text, NAMES) == text
    assert unlabelled_title(text, NAMES) == text
    assert unlabelled(text) == text


def test_an_updates_headline_keeps_the_exclusive_not_the_version() -> None:
    """Run as an update of Monday's story, the email says "Update" itself: "Update:
    EXCLUSIVE-UPDATE 2-…" would read the update twice."""
    monday = NOW - timedelta(days=2)
    first = Article(
        key="k1",
        source="North Post",
        title="Harbour board weighs the sale of the ferry terminal",
        url="https://north-post.example/1",
        summary="The harbour board weighs selling the ferry terminal to a private operator.",
        published=monday - timedelta(hours=3),
    )
    later = Article(
        key="k2",
        source="City Wire",
        title="EXCLUSIVE-UPDATE 2-" + HEADLINE,
        url="https://city-wire.example/2",
        summary="EXCLUSIVE-UPDATE 2-" + STORY,
        published=NOW - timedelta(hours=10),
    )
    options = RankOptions(
        leads=1,
        teasers=3,
        already_sent=frozenset({first.key}),
        carried_at=MappingProxyType({first.key: monday}),
    )
    [story] = rank([first, later], now=NOW, options=options).stories
    assert story.update and story.key == "k2"
    assert story.title == "EXCLUSIVE-" + HEADLINE
    assert story.summary == STORY
    assert unlabelled("EXCLUSIVE-UPDATE 2 - " + HEADLINE) == "EXCLUSIVE-" + HEADLINE
