"""An edition built ahead for a slot the schedule no longer has.

digest before the cron reading of 2026-12-05 read `schedule = "0 7 * * 4"` as Fridays
(APScheduler counts 0 as Monday); digest now reads it as cron does, Thursdays. A
`digest run` of the old digest that built Friday's edition ahead (an hour before, with
`approval = "auto"`) and was upgraded before 07:00 left an edition for a slot that is
no longer one: no send ever called for it, so it stayed a draft for good, and its
stories, "waiting in another edition", were left out of every later edition. The same
happens to an operator who edits `schedule` between the build and the send.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from digest.app import App
from digest.schedule import Scheduler
from tests.test_schedule_run import SLOT, TOKYO_AND_COPENHAGEN, make_project, runs

FRIDAY = "2026-11-27T06:00:00Z"  # SLOT: Friday 27 November 2026, 07:00 in Copenhagen
THURSDAY = SLOT + timedelta(days=6)
TOKYO = SLOT - timedelta(hours=8)  # Friday 07:00 in Tokyo: Thursday 22:00 UTC


def test_an_edition_for_a_slot_the_schedule_no_longer_has_frees_its_stories(
    tmp_path: Path,
) -> None:
    # The old digest's reading of "0 7 * * 4", written with the day's name.
    outbox = 'kind = "outbox"\npath = "outbox/"'
    config = make_project(tmp_path / "news", outbox, keys='schedule = "0 7 * * fri"')
    before = App.from_config(config)
    Scheduler(before).tick(SLOT - timedelta(minutes=50))  # built ahead for Friday
    (stranded,) = before.store.editions("daily")
    assert (stranded.slot, stranded.status) == (FRIDAY, "draft")
    keys = {k for s in before.store.edition(stranded.id).stories for k in s.keys}
    before.store.close()

    config.write_text(config.read_text().replace('"0 7 * * fri"', '"0 7 * * 4"'))
    app = App.from_config(config)
    scheduler = Scheduler(app)
    scheduler.tick(SLOT)  # Friday 07:00 is no slot now: nothing is sent
    assert app.store.edition_info(stranded.id).status == "draft"
    scheduler.tick(SLOT + timedelta(minutes=61))  # beyond the grace window: let go
    assert app.store.edition_info(stranded.id).status == "skipped"
    for minutes in (-50, 0):  # Thursday's edition runs the stories it held
        scheduler.tick(THURSDAY + timedelta(minutes=minutes))
    scheduler.close()
    thursday = app.store.edition_for_slot("daily", "2026-12-03T06:00:00Z")
    assert thursday is not None and thursday.status == "sent"
    assert keys <= {k for s in app.store.edition(thursday.id).stories for k in s.keys}
    build = runs(app, "build")["2026-12-03T06:00:00Z"][1] or ""
    assert "waiting in another edition" not in build or "0 waiting" in build, build


def test_a_local_delivery_edition_for_a_slot_no_longer_scheduled_is_skipped_too(
    tmp_path: Path,
) -> None:
    """Local delivery: the edition is held until its last zone's time (here Copenhagen's
    07:00, after Tokyo's) is past the grace window, then let go as for list delivery.
    Before, a local list's stranded draft was left for good."""
    outbox = 'kind = "outbox"\npath = "outbox/"'
    config = make_project(
        tmp_path / "news",
        outbox,
        keys='schedule = "0 7 * * fri"\ndelivery = "local"',
        csv=TOKYO_AND_COPENHAGEN,
        articles_at=TOKYO - timedelta(hours=3),
    )
    before = App.from_config(config)
    Scheduler(before).tick(TOKYO - timedelta(minutes=50))  # built ahead of the first zone
    (stranded,) = before.store.editions("daily")
    assert (stranded.slot, stranded.status) == ("2026-11-27T07:00", "draft")
    before.store.close()

    config.write_text(config.read_text().replace('"0 7 * * fri"', '"0 7 * * 4"'))
    app = App.from_config(config)
    scheduler = Scheduler(app)
    scheduler.tick(TOKYO + timedelta(minutes=61))  # Copenhagen's 07:00 is still to come
    assert app.store.edition_info(stranded.id).status == "draft"
    scheduler.tick(SLOT + timedelta(minutes=61))  # past the last zone's grace: let go
    assert app.store.edition_info(stranded.id).status == "skipped"
    for at in (THURSDAY - timedelta(hours=8, minutes=50), THURSDAY - timedelta(hours=8)):
        scheduler.tick(at)  # Thursday's edition, built ahead of Tokyo, holds nothing back
    scheduler.close()
    assert app.store.edition_for_slot("daily", "2026-12-03T07:00") is not None
    build = runs(app, "build")["2026-12-03T07:00"][1] or ""
    assert "waiting in another edition" not in build or "0 waiting" in build, build


@pytest.mark.parametrize("max_age", ["1", "100000"])
def test_the_note_on_a_stranded_edition_says_how_it_can_still_go_out(
    tmp_path: Path, max_age: str
) -> None:
    """Let go two hours after it was built: with `max_age_hours = 1` it is old news by
    then, and a plain `digest send ID` would be refused, so the note gives the ways that
    work (`digest build`, `--send-stale`); with news still fresh, `digest send ID`."""
    outbox = 'kind = "outbox"\npath = "outbox/"'
    config = make_project(tmp_path / "news", outbox, keys='schedule = "0 7 * * fri"')
    config.write_text(
        config.read_text().replace("max_age_hours = 100000", f"max_age_hours = {max_age}")
    )
    before = App.from_config(config)
    Scheduler(before).tick(SLOT - timedelta(minutes=50))  # built ahead for Friday
    (stranded,) = before.store.editions("daily")
    before.store.close()
    config.write_text(config.read_text().replace('"0 7 * * fri"', '"0 7 * * 4"'))
    app = App.from_config(config)
    done = Scheduler(app).tick(SLOT + timedelta(minutes=61))
    (note,) = [o for o in done if o.action == "send" and o.slot == FRIDAY]
    assert note.status == "missed" and app.store.edition_info(stranded.id).status == "skipped"
    said = note.detail
    assert f"edition {stranded.id} (draft) skipped: no send of the schedule" in said
    if max_age == "100000":
        assert said.endswith(f"`digest send {stranded.id}` sends it"), said
        return
    assert f"`digest send {stranded.id}` sends it" not in said
    assert f"was built for {(SLOT - timedelta(minutes=50)):%Y-%m-%d %H:%M} UTC" in said
    assert "older than [edition] max_age_hours = 1" in said
    assert "`digest build` makes a fresh edition" in said
    assert f"`digest send {stranded.id} --send-stale` sends this one anyway" in said
