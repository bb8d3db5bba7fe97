"""An update whose headline already says "Update" is labelled once, not twice.

Outlets often head a story's development "Update: …" or "UPDATE 2 - …". When digest
runs such a report as an update of a story it sent, it labels it itself ("Update:"
before a teaser's headline, "UPDATE · FIRST REPORTED …" over a lead's): the reader
must not read "Update: Update: Death toll rises". Ranked by :func:`digest.rank.rank`
as an edition two days after the story first ran, then rendered as the email.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import lxml.html
import pytest

from digest.rank import RankOptions, rank
from digest.records import Article, Story
from digest.render import Renderer
from tests.test_render_golden import sample_edition, sample_settings

MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
WEDNESDAY = MONDAY + timedelta(days=2)

FIRST = Article(
    key="quarry-1",
    source="North Post",
    title="Quarry wall collapses onto village road",
    url="https://north-post.example/quarry-1",
    summary=(
        "A wall of the old limestone quarry above the village collapsed before dawn, "
        "burying the road and cutting off the village; residents were evacuated."
    ),
    published=MONDAY - timedelta(hours=3),
)


def _later(title: str) -> Article:
    return Article(
        key="quarry-2",
        source="City Wire",
        title=title,
        url="https://city-wire.example/quarry-2",
        summary=(
            "The road below the collapsed limestone quarry wall stays closed, the village "
            "remains cut off and evacuated residents cannot return before dawn next week."
        ),
        published=WEDNESDAY - timedelta(hours=10),
    )


def _update(title: str) -> Story:
    """The story Wednesday's edition runs of the later report titled `title`."""
    options = RankOptions(
        leads=1,
        teasers=3,
        already_sent=frozenset({FIRST.key}),
        carried_at=MappingProxyType({FIRST.key: MONDAY}),
    )
    ranked = rank([FIRST, _later(title)], now=WEDNESDAY, options=options)
    [story] = ranked.stories
    assert story.update and story.key == "quarry-2"
    return story


@pytest.mark.parametrize(
    "title",
    [
        "Update: Village stays cut off after quarry collapse",
        "UPDATE 2 - Village stays cut off after quarry collapse",
        "Updated: Village stays cut off after quarry collapse",
        "[Update] Village stays cut off after quarry collapse",
    ],
)
def test_an_updates_own_update_word_is_not_repeated_in_the_email(
    tmp_path: Path, title: str
) -> None:
    story = _update(title)
    assert story.title == "Village stays cut off after quarry collapse"
    edition = sample_edition()
    as_teaser = replace(edition, teasers=(story, *edition.teasers[1:]))
    rendered = Renderer(sample_settings(tmp_path)).render(as_teaser)
    assert "\nUpdate: Village stays cut off after quarry collapse\n" in rendered.text
    doc = lxml.html.document_fromstring(rendered.html)
    headlines = [" ".join(h.text_content().split()) for h in doc.iter("h4")]
    assert "Update: Village stays cut off after quarry collapse" in headlines
    as_lead = replace(edition, leads=(story, *edition.leads[1:]))
    text = Renderer(sample_settings(tmp_path)).render(as_lead).text
    assert "\nVillage stays cut off after quarry collapse\nUPDATE · FIRST REPORTED" in text


@pytest.mark.parametrize(
    "title",
    [
        "Updates to the quarry road closure plan",  # a word, not a label
        "Update on the quarry: what residents need to know",
    ],
)
def test_a_headline_that_only_begins_with_the_word_keeps_it(title: str) -> None:
    assert _update(title).title == title
