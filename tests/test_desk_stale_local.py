"""The desk's word on old news for a `delivery = "local"` list: one edition, sent in
each subscriber's zone at its own 07:00, from Tokyo's to New York's 14 hours later.

The scheduler skips an edition whose FIRST send (the first zone's) would be old news,
and then sends it nowhere; once that send is made, the later zones get the same
edition however old it is by their morning (a send begun goes on). The page says
which: not by itself (with `--send-stale`), or which zones' readers get news older
than `[edition] max_age_hours`, and how old by the last one. The sample newsletter
(readers in Tokyo, Copenhagen, New York and with no zone), real SQLite, the real
Flask desk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import App
from digest.schedule import Scheduler
from tests.test_desk import add_editor, editor_client, running
from tests.test_desk_status import _page, _text
from tests.test_web_public import date_articles, newsletter

SLOT = "2026-11-28T07:00"  # Saturday 07:00 in each reader's zone
TOKYO = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)  # 07:00 in Tokyo, the first zone


def _local(tmp_path: Path, max_age: int, built: datetime) -> tuple[Path, int]:
    """The sample list delivered locally; its edition for SLOT built at `built`."""
    config = newsletter(tmp_path)
    text = config.read_text().replace("max_age_hours = 100000", f"max_age_hours = {max_age}")
    text = text.replace(
        'timezone = "Europe/Copenhagen"\n', 'timezone = "Europe/Copenhagen"\ndelivery = "local"\n'
    )
    config.write_text(text)
    add_editor(config)
    date_articles(config.parent, built)  # fresh when it is built
    app = App.from_config(config)
    app.collect(now=built)
    edition = app.draft(list_name="daily", now=built, slot=SLOT).edition
    assert edition is not None and edition.id is not None
    app.close()
    return config, edition.id


def _said(config: Path, edition: int, now: datetime) -> str:
    with running(config, clock=lambda: now) as base, editor_client(base) as c:
        return " ".join(_text(_page(c, edition)[0]).split())


def test_later_zones_that_get_old_news_are_named_with_its_age_at_the_last(
    tmp_path: Path,
) -> None:
    """Built 50 minutes before Tokyo's 07:00 with `max_age_hours = 10`: Tokyo's and
    Copenhagen's readers get it within 10 hours; New York's 14 hours 50 after it was
    built. It goes out by itself (the first send is news), New York's included."""
    built = TOKYO - timedelta(minutes=50)
    config, eid = _local(tmp_path, 10, built)
    said = _said(config, eid, built + timedelta(minutes=5))
    assert "It goes out at its slot, Sat 28 Nov 2026, 07:00, in each subscriber's own" in said
    assert "--send-stale" not in said and "Its news is old" not in said
    assert (
        "Readers in America/New_York get it when its news is older than [edition] "
        "max_age_hours (10 hours) allows: 14 hours old by the last of them, at Sat 28 Nov "
        "2026, 07:00 EST (America/New_York)"
    ) in said
    assert "it goes to them all the same, as the send begun in Asia/Tokyo goes on" in said
    assert "Europe/Copenhagen get it" not in said  # 8 hours 50: news still


def test_an_edition_old_by_its_first_zone_does_not_go_out_by_itself(tmp_path: Path) -> None:
    """Built 34 hours before Tokyo's 07:00 (for review) with `max_age_hours = 10`: the
    scheduler skips its first send, so nobody in any zone gets it without --send-stale."""
    built = TOKYO - timedelta(hours=34)
    config, eid = _local(tmp_path, 10, built)
    said = _said(config, eid, built + timedelta(hours=1))
    assert (
        "Its slot is Sat 28 Nov 2026, 07:00 in each subscriber's own time zone, the first at "
        "Sat 28 Nov 2026, 07:00 JST (Asia/Tokyo), but it does not go out automatically "
        f"then: it goes out only when someone runs digest send {eid} --send-stale ."
    ) in said
    assert "Its news is old: it was built for Thu 26 Nov 2026" in said
    assert "34 hours before its slot, longer than [edition] max_age_hours (10 hours)" in said
    assert "Readers in" not in said  # no zone gets it by itself


def test_a_local_edition_fresh_in_every_zone_says_nothing_of_its_age(tmp_path: Path) -> None:
    built = TOKYO - timedelta(minutes=50)
    config, eid = _local(tmp_path, 72, built)
    said = _said(config, eid, built + timedelta(minutes=5))
    assert (
        "It goes out at its slot, Sat 28 Nov 2026, 07:00, in each subscriber's own time "
        "zone (Europe/Copenhagen for those without one)."
    ) in said
    assert "Its news is old" not in said and "older than" not in said
    assert "--send-stale" not in said


def test_a_local_edition_past_every_zones_slot_is_sent_only_by_hand(tmp_path: Path) -> None:
    """New York's 07:00 more than `grace_minutes` (60) past, and still a draft: no send
    calls for it (before, the page still said it goes out at its slot)."""
    built = TOKYO - timedelta(minutes=50)
    config, eid = _local(tmp_path, 72, built)
    said = _said(config, eid, TOKYO + timedelta(hours=16))  # 09:00 in New York: 2 hours past
    assert (
        "Its slot (Sat 28 Nov 2026, 07:00) is more than 60 minutes past in every "
        "subscriber's time zone, too late to go out automatically: it goes out only when "
        f"someone runs digest send {eid} ."
    ) in said
    assert "It goes out at its slot" not in said


@pytest.mark.parametrize("hours_ahead", [34, 0.8])
def test_what_the_page_says_is_what_the_scheduler_does(tmp_path: Path, hours_ahead: float) -> None:
    """Built 34 hours ahead: no zone is sent anything. Built 50 minutes ahead: every
    reader gets it, New York's at 14 hours 50 old (older than max_age_hours = 10)."""
    built = TOKYO - timedelta(hours=hours_ahead)
    config, eid = _local(tmp_path, 10, built)
    app = App.from_config(config)
    scheduler = Scheduler(app)
    now = TOKYO - timedelta(minutes=10)
    while now <= TOKYO + timedelta(hours=14, minutes=10):
        scheduler.tick(now)
        now += timedelta(minutes=20)
    scheduler.close()
    if hours_ahead == 34:
        assert app.store.ledger(eid) == {}
        assert app.store.edition_info(eid).status == "skipped"
        return
    assert app.store.ledger(eid) == {"sent": 36}
    sends = app.store.schedule_runs("daily", action="send")
    new_york = next(r for r in sends if r.slot.startswith("2026-11-28T12:00:00Z@"))
    assert new_york.status == "done" and "America/New_York" in (new_york.detail or "")
