"""A story that develops runs again, once per development, as a labelled update.

A week of daily editions built at 06:00 UTC, ranked as the store hands the articles
over (each edition sees what was published by then; what an edition carried counts
as sent from then on, with the time that edition was built). Monday's edition carries
"Dam breach floods valley". Another outlet's retelling the same morning is no news on
Tuesday; the death toll three outlets report on Tuesday afternoon is, on Wednesday,
as an update showing only those reports; a charge on Wednesday afternoon is a second
update on Thursday; nothing of the story runs on Friday. A late retelling that says
nothing new (a weekly round-up) is no update, and another story about the same people
and places (a minister's resignation after her flood visit) is its own story.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from digest.rank import Ranked, RankOptions, rank
from digest.records import Article, Story

MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # each edition is built at 06:00 UTC


def _at(hours: float) -> datetime:
    return MONDAY + timedelta(hours=hours)


def _report(key: str, outlet: str, title: str, text: str, hours: float) -> Article:
    return Article(
        key=key,
        source=outlet,
        title=title,
        url=f"https://{outlet.lower().replace(' ', '-')}.example/{key}",
        summary=text,
        published=_at(hours),
    )


BREACH = "Dam breach floods valley"
DAM = _report(
    "dam-1",
    "North Post",
    BREACH,
    "The Kvernsjø dam in the Ravnedal valley gave way before dawn, flooding Holmby and "
    "Elvestad; rescuers evacuated hundreds of residents as the water rose.",
    -4,
)
RETOLD = _report(  # the same morning, after Monday's edition: no news
    "dam-2",
    "Coast Times",
    "Ravnedal valley flooded after Kvernsjø dam gives way",
    "Hundreds of residents of Holmby and Elvestad were evacuated after the Kvernsjø dam "
    "breach sent water through the Ravnedal valley, rescuers said.",
    3,
)
TOLL = (  # Tuesday afternoon
    _report(
        "toll-1",
        "City Wire",
        "Death toll rises to 40 as valley floods",
        "Forty people are now known to have died in the Ravnedal valley since the Kvernsjø "
        "dam breach, rescuers in Holmby and Elvestad said on Tuesday.",
        33,
    ),
    _report(
        "toll-2",
        "North Post",
        "Ravnedal flood: 40 dead after dam breach",
        "The death toll from the Kvernsjø dam breach in the Ravnedal valley rose to forty on "
        "Tuesday as rescuers searched flooded homes in Holmby and Elvestad.",
        34,
    ),
    _report(
        "toll-3",
        "Coast Times",
        "Forty dead in Ravnedal valley flood, rescuers say",
        "Rescuers searching Holmby and Elvestad said forty people died when the Kvernsjø dam "
        "gave way and flooded the Ravnedal valley.",
        35,
    ),
)
MOURNS = _report(  # Wednesday morning, after the update went out: no news on Thursday
    "toll-4",
    "Harbour Herald",
    "Ravnedal valley mourns forty dead of the dam breach",
    "Holmby and Elvestad held vigils for the forty people who died when the Kvernsjø dam "
    "gave way and flooded the Ravnedal valley, rescuers and residents said.",
    50,
)
CHARGED = _report(  # Wednesday afternoon: the second development
    "charge-1",
    "City Wire",
    "Kvernsjø dam operator charged over Ravnedal valley flood",
    "Prosecutors charged the operator of the Kvernsjø dam on Wednesday over the breach that "
    "flooded the Ravnedal valley and killed forty people in Holmby and Elvestad.",
    58,
)


def _other(day: int) -> Article:
    """The day's unrelated story, so that no edition is empty."""
    return _report(
        f"other-{day}",
        "Harbour Herald",
        f"Council approves harbour tunnel plan, vote {day}",
        f"The city council approved the harbour tunnel by {30 + day} votes on day {day}.",
        24 * day - 2,
    )


class Newsroom:
    """Daily editions of one list, ranked from what was published by 06:00 and sent."""

    def __init__(self, reports: Iterable[Article], **options: object) -> None:
        self.reports = list(reports)
        self.options = RankOptions(leads=3, teasers=5, **options)  # type: ignore[arg-type]
        self.carried_at: dict[str, datetime] = {}

    def edition(self, day: int, **options: object) -> Ranked:
        now = _at(24 * day)
        articles = [a for a in (*self.reports, _other(day)) if a.when is None or a.when <= now]
        opts = replace(
            self.options,
            already_sent=frozenset(self.carried_at),
            carried_at=MappingProxyType(dict(self.carried_at)),
            **options,  # type: ignore[arg-type]
        )
        ranked = rank(articles, now=now, options=opts)
        for story in ranked.stories:  # sent: counts as carried from now on
            self.carried_at.update(dict.fromkeys(story.keys, now))
        return ranked


def _story_of(ranked: Ranked, *keys: str) -> Story | None:
    found = [s for s in ranked.stories if set(keys) & set(s.keys)]
    assert len(found) <= 1, found
    return found[0] if found else None


@pytest.mark.parametrize("max_age_hours", [None, 48.0])
def test_a_story_that_developed_runs_again_as_an_update_with_only_its_new_reports(
    max_age_hours: float | None,
) -> None:
    # With max_age_hours = 48, Monday's sent report is too old to run on Wednesday: the
    # story is known to have run only through it (repeats.covered).
    room = Newsroom([DAM, RETOLD, *TOLL], max_age_hours=max_age_hours)
    ran = _story_of(room.edition(0), "dam-1")
    assert ran is not None and ran.title == BREACH and not ran.update
    tuesday = room.edition(1)
    assert _story_of(tuesday, "dam-1", "dam-2") is None
    wednesday = room.edition(2)
    update = _story_of(wednesday, "toll-1", "toll-2", "toll-3", "dam-1", "dam-2")
    assert update is not None, wednesday
    assert update.update is True
    assert set(update.keys) == {"toll-1", "toll-2", "toll-3"}
    assert update.key == "toll-3"  # the face: the freshest of the new reports
    assert update.first_reported == DAM.published
    assert wednesday.left_out["dam-2"] == "already_sent"
    if max_age_hours is None:
        assert wednesday.left_out["dam-1"] == "already_sent"
    assert not any(s.update for s in wednesday.stories if s is not update)


def test_a_retelling_published_the_same_morning_stays_out_then_and_later() -> None:
    room = Newsroom([DAM, RETOLD, *TOLL], max_age_hours=72.0)
    room.edition(0)
    for day in (1, 2, 3, 4):
        ranked = room.edition(day)
        assert "dam-2" not in {k for s in ranked.stories for k in s.keys}, day
        if "dam-2" in ranked.left_out:
            assert ranked.left_out["dam-2"] in ("already_sent", "too_old"), day


def test_a_report_published_before_the_edition_that_carried_the_story_never_updates_it() -> None:
    # A weekly edition built on Tuesday 12:00 carried Monday's report; a report of
    # Tuesday 04:00 (a day after it) was out before that edition: it is no news later,
    # though it says something new. Another outlet's telling of that news on Tuesday
    # afternoon, after the edition, is an update.
    late = _report(
        "dam-3",
        "Coast Times",
        "Army engineers start pumping water out of Ravnedal valley",
        "Army engineers began pumping flood water out of Holmby a day after the Kvernsjø dam "
        "gave way; Elvestad remains cut off.",
        22,
    )
    after = replace(late, key="dam-4", source="City Wire", url="https://city-wire.example/dam-4")
    after = replace(after, published=_at(40))
    options = RankOptions(
        already_sent=frozenset({"dam-1"}),
        carried_at=MappingProxyType({"dam-1": _at(30)}),
    )
    ranked = rank([DAM, late, _other(2)], now=_at(48), options=options)
    assert _story_of(ranked, "dam-3") is None
    assert ranked.left_out["dam-3"] == "already_sent"
    ranked = rank([DAM, late, after, _other(2)], now=_at(48), options=options)
    update = _story_of(ranked, "dam-4")
    assert update is not None and update.update and set(update.keys) == {"dam-4"}
    # A retelling under a new headline, as late, says nothing new: no update (this test
    # once asserted it was one: published late enough was all it took).
    retold = replace(RETOLD, key="dam-5", title="Kvernsjø dam: valley still under water")
    retold = replace(retold, published=_at(40))
    ranked = rank([DAM, retold, _other(2)], now=_at(48), options=options)
    assert _story_of(ranked, "dam-5") is None
    assert ranked.left_out["dam-5"] == "already_sent"


def test_a_second_development_runs_as_a_second_update_and_then_nothing_more() -> None:
    room = Newsroom([DAM, RETOLD, *TOLL, MOURNS, CHARGED], max_age_hours=48.0)
    for day in (0, 1):
        room.edition(day)
    first = _story_of(room.edition(2), "toll-1")
    assert first is not None and first.update
    thursday = room.edition(3)
    second = _story_of(thursday, "charge-1", "toll-4", "toll-1", "dam-1")
    assert second is not None, thursday
    assert second.update and set(second.keys) == {"charge-1"}
    assert second.first_reported == DAM.published
    assert thursday.left_out["toll-4"] == "already_sent"  # a retelling of Tuesday's news
    friday = room.edition(4)
    assert not any(s.update for s in friday.stories)
    shown = {k for s in friday.stories for k in s.keys}
    assert not shown & {"dam-1", "dam-2", "toll-1", "toll-2", "toll-3", "toll-4", "charge-1"}


def test_an_undated_report_never_makes_an_update() -> None:
    undated = [replace(r, published=None, first_seen=r.published) for r in TOLL]
    room = Newsroom([DAM, RETOLD, *undated])
    room.edition(0)
    room.edition(1)
    wednesday = room.edition(2)
    assert not any(s.update for s in wednesday.stories)
    assert {wednesday.left_out[r.key] for r in undated} == {"already_sent"}
    # One dated report among them is the update; the undated ones stay out.
    room = Newsroom([DAM, RETOLD, *undated[:2], TOLL[2]])
    room.edition(0)
    room.edition(1)
    update = _story_of(room.edition(2), "toll-3")
    assert update is not None and update.update and set(update.keys) == {"toll-3"}


def test_an_editors_pin_and_exclusion_work_on_an_update_as_before() -> None:
    room = Newsroom([DAM, RETOLD, *TOLL])
    room.edition(0)
    room.edition(1)
    saved = dict(room.carried_at)
    excluded = room.edition(2, excluded=frozenset({"toll-3"}))
    update = _story_of(excluded, "toll-1")
    assert update is not None and update.update and set(update.keys) == {"toll-1", "toll-2"}
    assert excluded.left_out["toll-3"] == "excluded"
    room.carried_at = dict(saved)
    pinned = room.edition(2, pinned=("dam-2",))  # an editor runs the retelling again
    story = _story_of(pinned, "dam-2")
    assert story is not None and story.pinned and story.key == "dam-2"
    assert pinned.leads[0] is story and not story.update  # a re-run, as before
    assert set(story.keys) == {"dam-2", "toll-1", "toll-2", "toll-3"}
    room.carried_at = dict(saved)
    pinned = room.edition(2, pinned=("toll-2",))  # an editor puts the update first
    story = _story_of(pinned, "toll-2")
    assert story is not None and story.pinned and story.key == "toll-2"
    assert story.update and set(story.keys) == {"toll-1", "toll-2", "toll-3"}
    assert pinned.leads[0] is story and pinned.left_out["dam-2"] == "already_sent"


def test_an_update_is_the_same_whatever_order_the_articles_come_in() -> None:
    options = RankOptions(
        already_sent=frozenset({"dam-1"}), carried_at=MappingProxyType({"dam-1": MONDAY})
    )
    articles = [DAM, RETOLD, *TOLL, MOURNS, _other(2)]
    first = rank(articles, now=_at(48), options=options)
    assert rank(articles[::-1], now=_at(48), options=options) == first
    assert any(s.update for s in first.stories)


ROUNDUP = _report(  # Wednesday night: a weekly round-up retells Monday's story
    "week-1",
    "Weekend Review",
    "Week in review: dam breach floods Ravnedal valley",
    "On Monday the Kvernsjø dam broke, flooding Holmby and Elvestad in the Ravnedal valley and "
    "forcing hundreds of residents from their homes.",
    66.5,
)


@pytest.mark.parametrize("max_age_hours", [None, 48.0])
def test_a_late_retelling_that_says_nothing_new_is_no_update(max_age_hours: float | None) -> None:
    # Published 70 hours after the sent report, well past UPDATE_AFTER, but all it says
    # (in its own words) the list told on Monday: already sent, not "Update".
    room = Newsroom([DAM, RETOLD, ROUNDUP], max_age_hours=max_age_hours)
    for day in (0, 1, 2):
        room.edition(day)
    thursday = room.edition(3)
    assert _story_of(thursday, "week-1", "dam-1", "dam-2") is None, thursday
    assert not any(s.update for s in thursday.stories)
    assert thursday.left_out["week-1"] == "already_sent"


VISIT = _report(
    "visit-1",
    "North Post",
    "Minister visits flooded valley",
    "Interior Minister Ingrid Halvorsen toured the flooded Ravnedal valley on Monday, meeting "
    "evacuated families in Holmby and Elvestad and promising state money to rebuild homes.",
    -3,
)
RESIGNS = _report(  # Wednesday: the same minister, other news
    "resign-1",
    "City Wire",
    "Minister resigns over pension scandal",
    "Interior Minister Ingrid Halvorsen resigned on Wednesday after leaked payroll records "
    "showed her ministry overpaid pensions to former officials; Halvorsen, who represents "
    "Holmby and the Ravnedal district in parliament, denied knowing of the payments.",
    52,
)


def test_another_story_about_the_same_people_is_its_own_story_not_an_update() -> None:
    room = Newsroom([VISIT, RESIGNS])
    for day in (0, 1, 2):
        room.edition(day)
    thursday = room.edition(3)
    story = _story_of(thursday, "resign-1", "visit-1")
    assert story is not None, thursday
    assert set(story.keys) == {"resign-1"} and story.title == RESIGNS.title
    assert not story.update and story.first_reported is None
    assert thursday.left_out["visit-1"] == "already_sent"
