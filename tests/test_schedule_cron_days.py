"""A list's `schedule` is read as crontab(5) reads it: day of week 0 or 7 is Sunday,
1 is Monday; and a schedule that names both days of the month and days of the week
fires on either.

APScheduler 3's `CronTrigger.from_crontab`, which read it before, counts 0 as Monday:
`schedule = "0 8 * * 1"` (Mondays, to anyone who writes cron) sent on Tuesdays, `0`
on Mondays, `7` was refused, and `*/2` gave Monday, Wednesday, Friday, Sunday instead
of Sunday, Tuesday, Thursday, Saturday. And it fired only on days matching both day
fields: "0 8 1 * 1" on a 1st that is a Monday, a few times a year.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.config import ListSettings
from digest.config.checks import schedule_problem
from digest.schedule import next_slots
from tests.conftest import write_project

SATURDAY = datetime(2026, 12, 5, 12, tzinfo=UTC)  # Saturday 5 December 2026


def _days(cron: str, count: int = 7) -> list[str]:
    lst = ListSettings("weekly", schedule=cron, timezone="Europe/Copenhagen")  # type: ignore[call-arg]
    return [f"{s:%a %d}" for s in next_slots(lst, SATURDAY, count)]


@pytest.mark.parametrize(
    ("cron", "days"),
    [
        ("0 8 * * 1", ["Mon 07", "Mon 14"]),
        ("0 8 * * 0", ["Sun 06", "Sun 13"]),
        ("0 8 * * 7", ["Sun 06", "Sun 13"]),
        ("0 8 * * 5", ["Fri 11", "Fri 18"]),
        ("0 8 * * 6", ["Sat 12", "Sat 19"]),
        ("0 8 * * 1-5", ["Mon 07", "Tue 08", "Wed 09", "Thu 10", "Fri 11", "Mon 14"]),
        ("0 8 * * */2", ["Sun 06", "Tue 08", "Thu 10", "Sat 12", "Sun 13"]),
        ("0 8 * * 1-5/2", ["Mon 07", "Wed 09", "Fri 11", "Mon 14"]),
        ("0 8 * * 5-7", ["Sun 06", "Fri 11", "Sat 12", "Sun 13"]),
        ("0 8 * * 0,3", ["Sun 06", "Wed 09", "Sun 13"]),
        ("0 8 * * mon-fri", ["Mon 07", "Tue 08", "Wed 09", "Thu 10", "Fri 11", "Mon 14"]),
        ("0 8 * * SUN", ["Sun 06", "Sun 13"]),
        ("0 8 * * sun-tue", ["Sun 06", "Mon 07", "Tue 08", "Sun 13"]),
    ],
)
def test_days_of_the_week_are_crons(cron: str, days: list[str]) -> None:
    assert _days(cron, len(days)) == days
    assert schedule_problem(cron, "Europe/Copenhagen") is None


def test_both_day_fields_fire_on_either_as_cron_does() -> None:
    # The 1st of each month and every Monday; 1 January 2027 is a Friday.
    assert _days("0 8 1 * 1", 6) == ["Mon 07", "Mon 14", "Mon 21", "Mon 28", "Fri 01", "Mon 04"]


@pytest.mark.parametrize("cron", ["0 8 * * 8", "0 8 * * 5-1", "0 8 * * funday", "0 8 * * */0"])
def test_a_day_of_the_week_cron_refuses_is_refused(cron: str) -> None:
    problem = schedule_problem(cron, "UTC")
    assert problem is not None and "cron" in problem, problem


def test_digest_schedule_shows_mondays_for_1(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    text = config.read_text()
    config.write_text(
        text.replace(
            'timezone = "Europe/Copenhagen"\n',
            'timezone = "Europe/Copenhagen"\nschedule = "30 6 * * 1"\n',
            1,
        )
    )
    args = ["schedule", "--config", str(config), "--at", "2026-12-05T12:00:00Z", "--json"]
    res = CliRunner().invoke(main, [*args, "--count", "2"])
    assert res.exit_code == 0, res.output
    (entry,) = json.loads(res.stdout)
    assert entry["local"] == ["2026-12-07T06:30:00+01:00", "2026-12-14T06:30:00+01:00"]
