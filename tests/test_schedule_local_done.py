"""A local-delivery edition is "sent" once its last zone's slot has been sent or missed.

Before, such an edition stayed "sending" for good whenever anyone was still due when
its last zone was sent: a reader whose zone's slot was missed (the machine was off),
or one who joined after their morning had passed. `digest editions` and the desk
showed it as sending, with no sent time, days later. `digest send ID` still delivers
to whoever is due. The real scheduler driven through a day, aiosmtpd, SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import App
from digest.schedule.scheduler import Scheduler
from tests.conftest import Mailbox
from tests.test_schedule_run import TOKYO_AND_COPENHAGEN, local_delivery, once_each, runs

TOKYO_SLOT = "2026-11-26T22:00:00Z@2026-11-27T07:00"
COPENHAGEN_SLOT = "2026-11-27T06:00:00Z@2026-11-27T07:00"


def _drive(scheduler: Scheduler, start: datetime, end: datetime, off: tuple[int, int]) -> None:
    """A tick every five minutes from `start` to `end`, except while the machine is off
    (between the hours `off`, counted from `start`)."""
    now = start
    while now <= end:
        hours = (now - start) / timedelta(hours=1)
        if not off[0] <= hours < off[1]:
            scheduler.tick(now)
        now += timedelta(minutes=5)


@pytest.mark.parametrize(
    ("off", "reached", "missed"),
    [
        # Off from 21:00 to 05:00 UTC: Tokyo's 07:00 (22:00 UTC) passes, beyond the grace.
        ((9, 17), "mette@example.dk", TOKYO_SLOT),
        # Off from 03:00 to 09:00 UTC: Copenhagen's 07:00 (06:00 UTC), the last, passes.
        ((15, 21), "aiko@example.jp", COPENHAGEN_SLOT),
    ],
    ids=["first-zone-missed", "last-zone-missed"],
)
def test_a_missed_zone_does_not_leave_the_edition_sending(
    tmp_path: Path, smtp_server: Mailbox, off: tuple[int, int], reached: str, missed: str
) -> None:
    config = local_delivery(tmp_path, smtp_server, TOKYO_AND_COPENHAGEN)
    app = App.from_config(config)
    start = datetime(2026, 11, 26, 12, tzinfo=UTC)
    _drive(Scheduler(app), start, start + timedelta(hours=30), off=off)
    assert dict(once_each(smtp_server)) == {reached: 1}
    assert runs(app)[missed][0] == "missed"
    (edition,) = app.store.editions("daily")
    assert edition.status == "sent" and edition.sent_at is not None


def test_a_reader_who_joins_after_their_morning_does_not_keep_it_sending(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = local_delivery(tmp_path, smtp_server, TOKYO_AND_COPENHAGEN)
    app = App.from_config(config)
    scheduler = Scheduler(app)
    start = datetime(2026, 11, 26, 12, tzinfo=UTC)
    _drive(scheduler, start, start + timedelta(hours=13), off=(0, 0))  # Tokyo's is sent
    joined = start + timedelta(hours=13, minutes=5)
    app.store.write_subscribers(
        "daily",
        [{"email": "ken@example.jp", "name": "", "status": "active", "timezone": "Asia/Tokyo"}],
        origin="web:subscribe",
        now=joined,
    )
    _drive(scheduler, joined, start + timedelta(hours=24), off=(0, 0))
    assert dict(once_each(smtp_server)) == {"aiko@example.jp": 1, "mette@example.dk": 1}
    (edition,) = app.store.editions("daily")
    assert edition.status == "sent"
