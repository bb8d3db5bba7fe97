"""The scheduler against real parts: a SQLite file, the sample sources, a real SMTP server.

The clock is an argument (Scheduler.tick(now), `digest run --at`), so restarts hours
apart, a whole day of local-time delivery and two processes racing for one slot take
seconds, not hours.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select

from digest.app import App
from digest.schedule import Scheduler
from digest.store import schema
from digest.subscribers import import_csv
from tests.conftest import Mailbox, Received, free_port, write_project

# 07:00 in Copenhagen on Friday 27 November 2026: the slot of "0 7 * * *".
SLOT = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
SLOT_KEY = "2026-11-27T06:00:00Z"
SUBSCRIBERS = 36  # the sample list


def smtp(box: Mailbox) -> str:
    return f'kind = "smtp"\nhost = "127.0.0.1"\nport = {box.port}'


def make_project(
    folder: Path,
    transport: str,
    *,
    keys: str = "",
    edition: str = "",
    csv: str | None = None,
    articles_at: datetime = SLOT - timedelta(hours=1),
) -> Path:
    """The sample newsletter with extra [[lists]] / [edition] keys; subscribers imported."""
    config = write_project(folder, transport=transport)
    text = config.read_text()
    text = text.replace(
        'timezone = "Europe/Copenhagen"\n', f'timezone = "Europe/Copenhagen"\n{keys}\n', 1
    )
    text = text.replace("max_age_hours = 100000\n", f"max_age_hours = 100000\n{edition}\n", 1)
    config.write_text(text)
    if csv is not None:
        (folder / "subscribers" / "daily.csv").write_text(csv)
    stamp = articles_at.timestamp()
    for f in (folder / "sources" / "articles").iterdir():
        os.utime(f, (stamp, stamp))
    app = App.from_config(config)
    result = import_csv(
        app.store, "daily", folder / "subscribers" / "daily.csv", now=SLOT - timedelta(days=30)
    )
    assert result.problems == []
    app.store.close()
    return config


def runs(app: App, action: str = "send") -> dict[str, tuple[str, str | None]]:
    return {r.slot: (r.status, r.detail) for r in app.store.schedule_runs("daily", action=action)}


def once_each(box: Mailbox) -> Counter[str]:
    return Counter(r for m in box.messages for r in m.recipients)


# -- misfire: restarts inside and outside the grace window --------------------------------
def test_a_restart_inside_the_grace_window_sends_the_missed_slot_once(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), keys="grace_minutes = 60")
    first = Scheduler(App.from_config(config))
    # 05:10 UTC: the edition for 06:00 is built ahead (build_ahead_minutes = 60) ...
    done = first.tick(SLOT - timedelta(minutes=50))
    assert [(o.action, o.status) for o in done if o.action == "build"] == [("build", "done")]
    first.close()  # ... and then the process dies; nothing runs at 06:00.
    assert smtp_server.messages == []

    # Restarted 40 minutes after the slot (a new process: its own store and engine).
    app = App.from_config(config)
    second = Scheduler(app)
    done = second.tick(SLOT + timedelta(minutes=40))
    sends = [o for o in done if o.action == "send"]
    assert [(o.slot, o.status, o.sent) for o in sends] == [(SLOT_KEY, "done", SUBSCRIBERS)]
    assert len(smtp_server.messages) == SUBSCRIBERS
    assert set(once_each(smtp_server).values()) == {1}
    # Later ticks (and a third process) do not send it again.
    assert [o for o in second.tick(SLOT + timedelta(minutes=41)) if o.action == "send"] == []
    assert Scheduler(App.from_config(config)).tick(SLOT + timedelta(minutes=45)) == []
    assert len(smtp_server.messages) == SUBSCRIBERS
    (edition,) = app.store.editions("daily")
    assert edition.slot == SLOT_KEY and edition.status == "sent"


def test_a_restart_beyond_the_grace_window_sends_nothing_and_records_the_miss(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), keys="grace_minutes = 60")
    first = Scheduler(App.from_config(config))
    first.tick(SLOT - timedelta(minutes=50))  # built ahead, then the process dies
    first.close()

    app = App.from_config(config)
    done = Scheduler(app).tick(SLOT + timedelta(minutes=90))
    assert smtp_server.messages == []
    assert [(o.action, o.slot, o.status) for o in done if o.action == "send"] == [
        ("send", SLOT_KEY, "missed")
    ]
    status, detail = runs(app)[SLOT_KEY]
    assert status == "missed"
    assert detail is not None and "90 min late" in detail and "grace_minutes = 60" in detail
    (edition,) = app.store.editions("daily")
    assert edition.status == "skipped"  # built for a slot that never went out


def test_several_missed_slots_are_coalesced_into_one_send(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(
        tmp_path / "news",
        smtp(smtp_server),
        keys='schedule = "0 * * * *"\ngrace_minutes = 120\nbuild_ahead_minutes = 0',
        edition="min_stories = 0",
    )
    app = App.from_config(config)
    first = Scheduler(app)
    done = first.tick(SLOT + timedelta(minutes=5))  # the 06:00 slot goes out
    first_sends = {o.slot: o.status for o in done if o.action == "send"}
    # (A first start looks back over the grace window: 05:00 is coalesced into 06:00.)
    assert first_sends == {"2026-11-27T05:00:00Z": "missed", SLOT_KEY: "done"}
    first.close()
    # Down from 06:05 until 10:10: 07:00, 08:00 and 09:00 were missed.
    done = Scheduler(App.from_config(config)).tick(SLOT + timedelta(hours=4, minutes=10))
    got = {o.slot[11:16]: o.status for o in done if o.action == "send"}
    assert got == {"07:00": "missed", "08:00": "missed", "09:00": "missed", "10:00": "done"}
    details = runs(app)
    assert "beyond the grace window" in (details["2026-11-27T08:00:00Z"][1] or "")
    assert "coalesced" in (details["2026-11-27T09:00:00Z"][1] or "")
    # One more edition, once to everyone: two editions in all.
    assert len(smtp_server.messages) == 2 * SUBSCRIBERS
    assert set(once_each(smtp_server).values()) == {2}


# -- one edition per slot, however many schedulers -----------------------------------------
def test_two_schedulers_started_together_over_one_slot_send_the_edition_once(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), keys="build_ahead_minutes = 0")
    start = threading.Barrier(2)
    results: list[Any] = []

    def scheduler() -> None:
        own = Scheduler(App.from_config(config))  # its own Store and engine on the file
        start.wait()
        results.append(own.tick(SLOT + timedelta(seconds=30)))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert len(results) == 2
    sends = [o for out in results for o in out if o.action == "send"]
    assert [(o.status, o.sent) for o in sends] == [("done", SUBSCRIBERS)]
    assert len(smtp_server.messages) == SUBSCRIBERS
    assert set(once_each(smtp_server).values()) == {1}
    app = App.from_config(config)
    assert len(app.store.editions("daily")) == 1
    assert runs(app) == {SLOT_KEY: ("done", runs(app)[SLOT_KEY][1])}


def _digest_run(config: Path, at: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from digest.cli import main; main()",
            "run",
            "--config",
            str(config),
            "--at",
            at,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for(check: Any, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    return out


def test_two_digest_run_processes_over_one_slot_deliver_the_edition_once(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), keys="build_ahead_minutes = 0")
    # Both clocks start 20 s after the slot: each process's first tick finds it due.
    procs = [_digest_run(config, "2026-11-27T06:00:20Z") for _ in range(2)]
    app = App.from_config(config)
    try:
        _wait_for(lambda: runs(app).get(SLOT_KEY, ("",))[0] == "done", "the send to finish")
        _wait_for(lambda: len(app.store.schedule_runs(action="collect")) > 0, "a collect")
    finally:
        logs = [_stop(p) for p in procs]
    assert len(smtp_server.messages) == SUBSCRIBERS
    assert set(once_each(smtp_server).values()) == {1}
    assert len(app.store.editions("daily")) == 1
    # One of them says it sent; both stopped cleanly; the jobs live in the database.
    assert sum(f"send {SLOT_KEY}: done" in log for log in logs) == 1, logs
    assert all("digest run stopped cleanly" in log for log in logs), logs
    with app.store.engine.connect() as conn:
        jobs = set(conn.execute(select(schema.apscheduler_jobs.c.id)).scalars())
    assert jobs == {"digest:daily:slot", "digest:daily:tick"}


class _SlowHandler:
    """An SMTP server that takes a little while per message, to stop in mid-send."""

    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.05)
        with self.box.lock:
            self.box.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 OK"


def test_sigterm_lets_the_batch_finish_and_a_restart_delivers_the_rest_once(
    tmp_path: Path,
) -> None:
    box = Mailbox("127.0.0.1", free_port())
    server = Controller(_SlowHandler(box), hostname="127.0.0.1", port=box.port)
    server.start()
    try:
        config = make_project(tmp_path / "news", smtp(box), keys="build_ahead_minutes = 0")
        app = App.from_config(config)
        proc = _digest_run(config, "2026-11-27T06:00:10Z")
        _wait_for(lambda: len(box.messages) >= 5, "the send to start")
        log = _stop(proc)
        assert "SIGTERM" in log and "digest run stopped cleanly" in log, log
        status, detail = runs(app)[SLOT_KEY]
        assert status == "interrupted", detail
        (edition,) = app.store.editions("daily")
        assert edition.status == "paused"
        # Consistent: every message handed over is recorded as sent, and not everyone
        # got it yet.
        ledger = app.store.ledger(edition.id)
        handed_over = len(box.messages)
        assert ledger.get("sent", 0) == handed_over < SUBSCRIBERS

        # A restart (still within the grace window) resumes and finishes the send.
        proc = _digest_run(config, "2026-11-27T06:05:00Z")
        _wait_for(lambda: runs(app)[SLOT_KEY][0] == "done", "the resumed send")
        log = _stop(proc)
        assert "resuming" in log, log
    finally:
        server.stop()
    assert len(box.messages) == SUBSCRIBERS
    assert set(once_each(box).values()) == {1}
    assert app.store.ledger(edition.id) == {"sent": SUBSCRIBERS}


# -- too few stories, send windows ----------------------------------------------------------
def test_an_edition_with_too_few_new_stories_is_skipped_and_nothing_is_sent(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), edition="min_stories = 50")
    app = App.from_config(config)
    done = Scheduler(app).tick(SLOT)
    assert smtp_server.messages == []
    (edition,) = app.store.editions("daily")
    assert edition.status == "skipped" and 0 < edition.stories < 50
    build_status, build_detail = runs(app, "build")[SLOT_KEY]
    assert build_status == "skipped" and "min_stories = 50" in (build_detail or "")
    send = next(o for o in done if o.action == "send")
    assert send.status == "skipped" and f"only {edition.stories} new stories" in send.detail


def test_a_slot_before_the_send_window_goes_out_when_it_opens(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(
        tmp_path / "news",
        smtp(smtp_server),
        keys='schedule = "0 6 * * *"\nsend_window = "Mon-Fri 07:00-19:00"',
    )
    app = App.from_config(config)
    scheduler = Scheduler(app)
    # 06:00 Copenhagen (05:00 UTC): the window is closed, nothing goes.
    assert [o for o in scheduler.tick(SLOT - timedelta(hours=1)) if o.action == "send"] == []
    assert smtp_server.messages == []
    # 07:00, the window opens: the 06:00 edition goes out.
    (send,) = [o for o in scheduler.tick(SLOT) if o.action == "send"]
    assert send.slot == "2026-11-27T05:00:00Z" and send.status == "done"
    assert "postponed" in send.detail
    assert len(smtp_server.messages) == SUBSCRIBERS


# -- local-time delivery --------------------------------------------------------------------
TOKYO_AND_COPENHAGEN = (
    "email,name,timezone\n"
    "aiko@example.jp,Aiko Sato,Asia/Tokyo\n"
    "mette@example.dk,Mette Holm,Europe/Copenhagen\n"
)


def local_delivery(tmp_path: Path, box: Mailbox, csv: str) -> Path:
    """The sample newsletter delivered at 07:00 in each reader's zone, to `csv`'s readers."""
    return make_project(
        tmp_path / "news",
        smtp(box),
        keys='delivery = "local"\ncollect_every_minutes = 720',
        csv=csv,
        articles_at=datetime(2026, 11, 26, 12, tzinfo=UTC),
    )


def test_local_delivery_reaches_tokyo_and_copenhagen_at_their_own_07_00(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    # nozone@ counts as the list's zone (Copenhagen)
    config = local_delivery(
        tmp_path, smtp_server, TOKYO_AND_COPENHAGEN + "nozone@example.dk,No Zone,\n"
    )
    app = App.from_config(config)
    scheduler = Scheduler(app)
    # Drive the clock through a day, a tick every five minutes.
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    while now <= datetime(2026, 11, 27, 12, tzinfo=UTC):
        scheduler.tick(now)
        now += timedelta(minutes=5)
    with app.store.engine.connect() as conn:
        rows = conn.execute(
            select(schema.subscribers.c.email, schema.deliveries.c.sent_at).join(
                schema.deliveries, schema.deliveries.c.subscriber_id == schema.subscribers.c.id
            )
        ).all()
    sent_at = {email: at.replace(tzinfo=UTC) for email, at in rows}
    assert sent_at == {
        "aiko@example.jp": datetime(2026, 11, 26, 22, tzinfo=UTC),  # 07:00 in Tokyo
        "mette@example.dk": datetime(2026, 11, 27, 6, tzinfo=UTC),  # 07:00 in Copenhagen
        "nozone@example.dk": datetime(2026, 11, 27, 6, tzinfo=UTC),
    }
    # The messages say so too, and each person got exactly one.
    dates = {
        m.recipients[0]: parsedate_to_datetime(m.message["Date"]) for m in smtp_server.messages
    }
    assert dates["aiko@example.jp"] == datetime(2026, 11, 26, 22, tzinfo=UTC)
    assert dates["mette@example.dk"] == datetime(2026, 11, 27, 6, tzinfo=UTC)
    assert sorted(once_each(smtp_server).values()) == [1, 1, 1]
    # One edition for the day, built once, before Tokyo's morning.
    (edition,) = app.store.editions("daily")
    assert edition.slot == "2026-11-27T07:00" and edition.status == "sent"
    assert set(runs(app)) == {
        "2026-11-26T22:00:00Z@2026-11-27T07:00",
        "2026-11-27T06:00:00Z@2026-11-27T07:00",
    }


def test_digest_run_once_does_what_is_due_and_says_so(tmp_path: Path, smtp_server: Mailbox) -> None:
    from click.testing import CliRunner

    from digest.cli import main

    config = make_project(tmp_path / "news", smtp(smtp_server))
    args = ["run", "--once", "--config", str(config), "--at"]
    early = CliRunner().invoke(main, [*args, "2026-11-27T03:00:00Z"])
    assert early.exit_code == 0, early.output
    assert "Nothing was due." in early.output and smtp_server.messages == []
    res = CliRunner().invoke(main, [*args, "2026-11-27T06:00:00Z"])
    assert res.exit_code == 0, res.output
    assert f"daily build {SLOT_KEY}: done" in res.output
    assert f"daily send {SLOT_KEY}: done (edition 1: sent {SUBSCRIBERS}" in res.output
    assert len(smtp_server.messages) == SUBSCRIBERS
