"""When the schedule says to send: cron in the delivery zone across daylight-saving changes,
the misfire policy, send windows and local-time delivery (pure functions, no clock)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.config import ListSettings, load
from digest.errors import ConfigError
from digest.schedule import due_slots, next_events, next_slots, parse_window, send_events
from tests.conftest import write_project


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily(zone: str, cron: str = "0 7 * * *", **kw: object) -> ListSettings:
    return ListSettings("daily", schedule=cron, timezone=zone, **kw)  # type: ignore[arg-type]


# -- daylight saving, 2026 ------------------------------------------------------------
def test_copenhagen_07_00_stays_07_00_local_across_both_2026_changes() -> None:
    lst = daily("Europe/Copenhagen")
    # Summer time starts on Sunday 29 March 2026: 07:00 is 06:00 UTC before, 05:00 after.
    assert next_slots(lst, utc(2026, 3, 27, 12), 4) == [
        utc(2026, 3, 28, 6),
        utc(2026, 3, 29, 5),
        utc(2026, 3, 30, 5),
        utc(2026, 3, 31, 5),
    ]
    # Summer time ends on Sunday 25 October 2026: back to 06:00 UTC that very morning.
    assert next_slots(lst, utc(2026, 10, 23, 12), 3) == [
        utc(2026, 10, 24, 5),
        utc(2026, 10, 25, 6),
        utc(2026, 10, 26, 6),
    ]


def test_new_york_07_00_stays_07_00_local_across_both_2026_changes() -> None:
    lst = daily("America/New_York")
    # Daylight time starts on Sunday 8 March 2026 (UTC-5 -> UTC-4).
    assert next_slots(lst, utc(2026, 3, 6, 18), 3) == [
        utc(2026, 3, 7, 12),
        utc(2026, 3, 8, 11),
        utc(2026, 3, 9, 11),
    ]
    # It ends on Sunday 1 November 2026 (UTC-4 -> UTC-5).
    assert next_slots(lst, utc(2026, 10, 30, 18), 3) == [
        utc(2026, 10, 31, 11),
        utc(2026, 11, 1, 12),
        utc(2026, 11, 2, 12),
    ]


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # 02:30 does not exist on 29 March in Copenhagen (02:00 -> 03:00): shifted by the
        # gap, it goes at 03:30 summer time = 01:30 UTC, once.
        (
            "Europe/Copenhagen",
            utc(2026, 3, 27, 12),
            [(3, 28, 1, 30), (3, 29, 1, 30), (3, 30, 0, 30)],
        ),
        # Likewise on 8 March in New York: 03:30 EDT = 07:30 UTC.
        ("America/New_York", utc(2026, 3, 6, 12), [(3, 7, 7, 30), (3, 8, 7, 30), (3, 9, 6, 30)]),
    ],
)
def test_a_02_30_slot_on_the_spring_forward_day_is_shifted_by_the_gap_and_runs_once(
    zone: str, after: datetime, expected: list[tuple[int, int, int, int]]
) -> None:
    got = next_slots(daily(zone, "30 2 * * *"), after, 3)
    assert got == [utc(2026, *x) for x in expected]


def test_a_wall_time_that_happens_twice_on_the_fall_back_day_runs_once() -> None:
    # 02:30 happens twice on 25 October in Copenhagen: only the first (summer time) runs.
    cph = next_slots(daily("Europe/Copenhagen", "30 2 * * *"), utc(2026, 10, 23, 12), 3)
    assert cph == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    # ... and 01:30 on 1 November in New York.
    ny = next_slots(daily("America/New_York", "30 1 * * *"), utc(2026, 10, 30, 12), 3)
    assert ny == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]
    # Started between the two occurrences, the second is still not a new slot.
    after_first = next_slots(daily("Europe/Copenhagen", "30 2 * * *"), utc(2026, 10, 25, 0, 45), 1)
    assert after_first == [utc(2026, 10, 26, 1, 30)]


@pytest.mark.parametrize("cron", ["0,30 2 * * *", "*/30 2 * * *"])
def test_two_slots_in_the_repeated_hour_each_run_once_on_the_fall_back_day(
    tmp_path: Path, cron: str
) -> None:
    # 02:00 and 02:30 each happen twice on 25 October in Copenhagen (summer time, then
    # winter time): `digest schedule` lists each wall time once, at its first occurrence.
    config = _with_list_keys(write_project(tmp_path / "news"), f'schedule = "{cron}"')
    args = ["schedule", "--config", str(config), "--at", "2026-10-24T12:00:00Z", "--json"]
    res = CliRunner().invoke(main, [*args, "--count", "4"])
    assert res.exit_code == 0, res.output
    (entry,) = json.loads(res.stdout)
    assert entry["local"] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T02:00:00+01:00",
        "2026-10-26T02:30:00+01:00",
    ]
    # Local delivery: the repeated hour sends no edition a second time to the zone.
    local = ListSettings("daily", schedule=cron, timezone="Europe/Copenhagen", delivery="local")
    events = send_events(local, utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))
    assert [e.edition_key for e in events] == ["2026-10-25T02:00", "2026-10-25T02:30"]


# -- misfire ---------------------------------------------------------------------------
def test_a_missed_slot_runs_within_the_grace_window_and_is_missed_beyond_it() -> None:
    lst = daily("Europe/Copenhagen")  # 27 Nov 2026: 07:00 CET = 06:00 UTC
    slot = utc(2026, 11, 27, 6)
    last = utc(2026, 11, 26, 6)
    inside = due_slots(lst, last, slot + timedelta(minutes=59), timedelta(minutes=60))
    assert [e.at for e in inside.run] == [slot] and inside.missed == ()
    outside = due_slots(lst, last, slot + timedelta(minutes=61), timedelta(minutes=60))
    assert outside.run == ()
    ((event, reason),) = outside.missed
    assert event.at == slot and "grace" in reason and "61 min late" in reason
    # Nothing was due since the last run: nothing to do.
    assert due_slots(lst, slot, slot + timedelta(minutes=5), timedelta(minutes=60)) == due_slots(
        lst, slot, slot, timedelta(minutes=60)
    )
    assert due_slots(lst, slot, slot + timedelta(minutes=5), timedelta(minutes=60)).run == ()


def test_several_missed_slots_are_coalesced_into_the_latest_within_grace() -> None:
    hourly = daily("UTC", "0 * * * *")
    due = due_slots(hourly, utc(2026, 6, 1, 7), utc(2026, 6, 1, 10, 10), timedelta(minutes=120))
    assert [e.at for e in due.run] == [utc(2026, 6, 1, 10)]
    reasons = {e.at.hour: why for e, why in due.missed}
    assert set(reasons) == {8, 9}
    assert "beyond the grace window" in reasons[8]  # 130 minutes late
    assert reasons[9].startswith("coalesced")  # 70 minutes late, but 10:00 runs instead


def test_a_first_start_does_not_count_older_slots_as_missed() -> None:
    lst = daily("Europe/Copenhagen")
    due = due_slots(lst, None, utc(2026, 11, 27, 6, 20), timedelta(minutes=60))
    assert [e.at for e in due.run] == [utc(2026, 11, 27, 6)] and due.missed == ()
    due = due_slots(lst, None, utc(2026, 11, 27, 9), timedelta(minutes=60))
    assert due.run == () and due.missed == ()


# -- send windows ----------------------------------------------------------------------
def test_send_window_parsing_and_clear_errors() -> None:
    w = parse_window("Mon-Fri 07:00-19:00")
    assert w.days == frozenset(range(5)) and (w.start, w.end) == (420, 1140)
    assert parse_window("Fri-Mon 08:00-24:00").days == frozenset({4, 5, 6, 0})
    assert parse_window("07:00-19:00").days == frozenset(range(7))
    for bad in (
        "Mon-Fri 19:00-07:00",
        "Mon-Fry 07:00-19:00",
        "Mon-Fri 7-19",
        "Mon-Fri 07:00-25:00",
    ):
        with pytest.raises(ValueError):
            parse_window(bad)


def test_a_slot_outside_the_window_is_postponed_to_its_next_opening() -> None:
    lst = daily("Europe/Copenhagen", "0 6 * * *", send_window="Mon-Fri 07:00-19:00")
    # Thursday 26 Nov 2026 06:00 CET is before the window opens: sent at 07:00 CET.
    events = next_events(lst, utc(2026, 11, 25, 12), 3)
    assert [e.at for e in events] == [
        utc(2026, 11, 26, 6),
        utc(2026, 11, 27, 6),
        utc(2026, 11, 30, 6),
    ]
    assert [e.slot for e in events[:2]] == [utc(2026, 11, 26, 5), utc(2026, 11, 27, 5)]
    # Saturday's, Sunday's and Monday's 06:00 all wait for Monday 07:00: one edition goes,
    # the latest; the two earlier slots are merged into it (and recorded as skipped).
    monday = events[2]
    assert monday.key == "2026-11-30T05:00:00Z"
    assert monday.merged == ("2026-11-28T05:00:00Z", "2026-11-29T05:00:00Z")
    # Asked from inside the weekend, the same Monday event comes out.
    assert next_events(lst, utc(2026, 11, 29, 12), 1) == [monday]


# -- local-time delivery ---------------------------------------------------------------
def test_local_delivery_sends_one_edition_at_each_zones_own_07_00() -> None:
    lst = daily("Europe/Copenhagen", delivery="local")
    zones = frozenset({"Asia/Tokyo", "Europe/Copenhagen", "Europe/Berlin"})
    events = send_events(lst, utc(2026, 11, 26, 12), utc(2026, 11, 27, 12), zones)
    assert [(e.at, sorted(e.zones or ())) for e in events] == [
        (utc(2026, 11, 26, 22), ["Asia/Tokyo"]),  # 07:00 JST
        (utc(2026, 11, 27, 6), ["Europe/Berlin", "Europe/Copenhagen"]),  # 07:00 CET
    ]
    # One edition for the day, whatever the zone.
    assert {e.edition_key for e in events} == {"2026-11-27T07:00"}
    assert len({e.key for e in events}) == 2


# -- configuration and the command ------------------------------------------------------
def _with_list_keys(config: Path, keys: str) -> Path:
    text = config.read_text()
    config.write_text(
        text.replace(
            'timezone = "Europe/Copenhagen"\n', f'timezone = "Europe/Copenhagen"\n{keys}\n', 1
        )
    )
    return config


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        ('send_window = "Mon-Fry 07:00-19:00"', "lists[0].send_window"),
        ('delivery = "everywhere"', "lists[0].delivery"),
        ("grace_minutes = -5", "lists[0].grace_minutes"),
        ('build_ahead_minutes = "1h"', "lists[0].build_ahead_minutes"),
        ("collect_every_minutes = 0", "lists[0].collect_every_minutes"),
    ],
)
def test_bad_scheduler_keys_are_named(tmp_path: Path, keys: str, named: str) -> None:
    config = _with_list_keys(write_project(tmp_path / "news"), keys)
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load(config)


def test_schedule_command_prints_next_runs_in_utc_and_local_time(tmp_path: Path) -> None:
    config = _with_list_keys(write_project(tmp_path / "news"), "grace_minutes = 30")
    settings = load(config)
    assert settings.lists[0].grace_minutes == 30
    runner = CliRunner()
    res = runner.invoke(
        main, ["schedule", "--config", str(config), "--at", "2026-03-27T12:00:00Z", "--json"]
    )
    assert res.exit_code == 0, res.output
    (entry,) = json.loads(res.stdout)
    assert entry["list"] == "daily"
    assert entry["next"][:3] == [
        "2026-03-28T06:00:00Z",
        "2026-03-29T05:00:00Z",
        "2026-03-30T05:00:00Z",
    ]
    assert entry["local"][:3] == [
        "2026-03-28T07:00:00+01:00",
        "2026-03-29T07:00:00+02:00",
        "2026-03-30T07:00:00+02:00",
    ]
    text = runner.invoke(
        main, ["schedule", "--config", str(config), "--at", "2026-03-27T12:00:00Z"]
    )
    assert text.exit_code == 0, text.output
    assert "2026-03-29T05:00:00Z  Sun 29 Mar 2026 07:00 CEST" in text.output
