"""A lone decorative mark set off at the start or end of a headline or text is noise.

Daring Fireball marks its own articles with "★" before the headline ("★ The 2017 iPad
Pros") and ends each post with a "★" permalink, so a short post's summary read "This is
a fun challenge. ★". The email credits "Daring Fireball" beside the headline: the star
says nothing there. A symbol that is part of a word or of what the text says stays:
"5★ hotel", a "★★★★" rating, an emoji ("…in Firefox. 😉": a wink is tone), "♥ Berlin",
"200 €", "№ 5".
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.feeds import read_feed
from digest.collect.ornaments import unadorned
from tests.corpus import require_corpus

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
MARKS = "★☆✭✪●■▶►✔◆▸☛"


@pytest.mark.parametrize("mark", [*MARKS, "▶\ufe0f"])
def test_a_lone_mark_before_or_after_the_words_goes(mark: str) -> None:
    assert unadorned(f"{mark} The harbour bath stays open") == "The harbour bath stays open"
    assert unadorned(f"The bath stays open all winter. {mark}") == "The bath stays open all winter."
    assert unadorned(f"{mark}\u00a0Ferry fares rise in January") == "Ferry fares rise in January"


@pytest.mark.parametrize(
    "text",
    [
        "5★ hotel opens on the quay",  # part of a word
        "The quay gets a 5★ hotel",
        "★★★★ review: the new opera is a triumph",  # a rating
        "The new opera is a triumph ★★★★",
        "★ ★ ★ for the new opera",
        "Berlin 🎉 celebrates the anniversary",  # amid the words
        "The add-on closes the hole in Firefox. 😉",  # an emoji's wink is tone
        "🔥 The hottest day of the year",
        "♥ Berlin",  # the mark says something: one word after it
        "Berlin ♥",
        "NAS from 200 €",  # a currency sign
        "№ 5 returns to the shops",  # a sign that stands for a word
        "Photo agency pictures ©",
        "Water at 40 °",
        "- The list goes on",  # punctuation, not a symbol
        "● Apples from the valley\n● Pears from the coast",  # a list's bullets
        "★",  # nothing but the mark: left to the caller
        "",
    ],
)
def test_a_mark_that_is_part_of_what_is_said_stays(text: str) -> None:
    assert unadorned(text) == text


def _daring_fireball(name: str) -> dict[str, tuple[str, str, str]]:
    path = require_corpus() / "feeds" / name
    articles = read_feed(path.read_bytes(), source="Daring Fireball", url=None, now=NOW).articles
    return {a.key: (a.title, a.summary, a.text) for a in articles}


@pytest.mark.parametrize("name", ["blog-daringfireball.atom", "blog-daringfireball.json"])
def test_daring_fireballs_stars_are_not_shown(name: str) -> None:
    read = _daring_fireball(name)
    titles = {title for title, _, _ in read.values()}
    assert {"The 2017 iPad Pros", "iPad Pro Review Roundup"} <= titles
    assert not [t for t in titles if "★" in t]
    assert not [s for _, s, _ in read.values() if s.rstrip().endswith("★")]
    assert not [t for _, _, t in read.values() if t.rstrip().endswith("★")]
    summaries = {title: summary for title, summary, _ in read.values()}
    assert summaries["Designing the Worst Volume Sliders Possible"] == "This is a fun challenge."
