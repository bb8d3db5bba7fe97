"""A list's schedule is checked without APScheduler when it is plainly valid, and the
plain check never accepts what APScheduler refuses or what never fires.

`digest collect` and every other command load the configuration; APScheduler's cron
parser costs start-up 34M instructions (callgrind), so :func:`plain_schedule` answers for the usual
expressions and anything else goes to APScheduler, as before.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.config.checks import fires, plain_schedule, schedule_problem
from digest.times import cron_trigger

ROOT = Path(__file__).resolve().parents[1]

USUAL = [
    "0 7 * * *",
    "30 6 * * 1-5",
    "*/15 * * * *",
    "0 7 1 * *",
    "0 6,18 * * *",
    "5 4 * 1-12/3 0",
    "0 7 28 2 *",
    "0 0 1-31/2 * *",
]


def _apscheduler_accepts(schedule: str, tz: str = "UTC") -> bool:
    try:
        cron_trigger(schedule, ZoneInfo(tz))
    except ValueError:
        return False
    return fires(schedule, tz)


@pytest.mark.parametrize("schedule", USUAL)
def test_the_usual_schedules_are_plain_and_apscheduler_agrees(schedule: str) -> None:
    assert plain_schedule(schedule)
    assert _apscheduler_accepts(schedule)
    assert schedule_problem(schedule, "Europe/Copenhagen") is None


@pytest.mark.parametrize(
    "schedule",
    [
        "0 7 31 2 *",  # never fires: APScheduler decides (and refuses)
        "0 7 30 2 *",
        "0 7 29 2 *",  # leap days: APScheduler decides (and accepts)
        "0 7 31 * *",  # not every month has one: APScheduler decides
        "30 6 * * mon-fri",  # names: APScheduler's
        "0 7 * * 8",  # out of range
        "60 7 * * *",
        "0 7 5-1 * *",
        "*/0 * * * *",
        "*/60 * * * *",
        "0 7 1-5/5 * *",
        "0 7 * *",
        "0 7 ,1 * *",
        "0 7 L * *",
        "0/5 7 * * *",
    ],
)
def test_anything_else_goes_to_apscheduler(schedule: str) -> None:
    assert not plain_schedule(schedule)
    problem = schedule_problem(schedule, "UTC")
    assert (problem is None) == _apscheduler_accepts(schedule)


def test_the_plain_check_never_accepts_what_apscheduler_refuses() -> None:
    rng = random.Random(16)
    parts = ["*", "*/2", "*/7", "*/24", "0", "1", "5", "6", "7", "12", "13", "23", "24"]
    parts += ["28", "29", "30", "31", "32", "59", "60", "1-5", "5-1", "0-6", "2-30/7"]
    parts += ["1-31/30", "1-31/31", "0-59/59", "10-20/11", "3,4", "29,30", "0,31", "00"]
    plain = 0
    for _ in range(6000):
        schedule = " ".join(rng.choice(parts) for _ in range(5))
        if plain_schedule(schedule):
            plain += 1
            assert _apscheduler_accepts(schedule), schedule
    assert plain > 80  # the property was exercised (116 of 6000 are plain)


def test_loading_a_project_does_not_load_apscheduler(tmp_path: Path) -> None:
    from tests.conftest import write_project

    config = write_project(tmp_path)
    text = config.read_text()
    config.write_text(text.replace("[newsletter]\n", '[newsletter]\nlanguage = "da-DK"\n', 1))
    code = (
        "import json, sys; from digest.config import load; load(sys.argv[1]);"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith('apscheduler'))))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(config)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
