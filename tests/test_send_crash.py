"""Crash and resume: `digest send --workers 2` killed with SIGKILL at random points.

After each kill, `digest send` resumes from the ledger. In the end every subscriber
has a message, nobody is missing, and each kill cost at most one duplicate per worker:
the message in flight (the server took it, the worker never read the answer). What a
worker had taken answers for but not yet written to the database is in its journal
(SQLite), which the next run applies first. The deterministic Message-ID
(digest.<edition>.<subscriber>.<nonce>@domain) tells them apart.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from digest.app import App
from tests.test_send_support import (
    DIGEST,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

SUBSCRIBERS = 3000
WORKERS = 2
KILLS = 3
IN_FLIGHT = 1  # per worker and kill: the message the server took as the kill came


def _settle(handler: FaultyHandler) -> None:
    """Let the server finish the messages a killed run handed over just before its
    death (under load it may take them after the next run started, which would
    count them as that run's)."""
    seen, still = handler.count(), time.monotonic()
    while time.monotonic() - still < 0.5:
        time.sleep(0.05)
        if handler.count() != seen:
            seen, still = handler.count(), time.monotonic()


def _wait_for(handler: FaultyHandler, count: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while handler.count() < count:
        assert proc.poll() is None, f"digest send ended early ({proc.returncode})"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.002)


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_delivers_to_everyone(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, SUBSCRIBERS)
        ids = {s.email: s.id for s in app.store.subscribers("daily")}
        args = [*DIGEST, "send", str(edition), "--workers", str(WORKERS), "--config", str(config)]

        for run in range(KILLS):
            handler.run = run
            start = handler.count()
            proc = subprocess.Popen(
                args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            _wait_for(handler, start + rng.randint(50, 700), proc)
            os.killpg(proc.pid, signal.SIGKILL)  # the parent and its worker processes
            proc.communicate()
            assert proc.returncode == -signal.SIGKILL
            _settle(handler)
        handler.run = KILLS
        done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (seed, done.stdout, done.stderr)
    assert "Ledger before this run:" in done.stdout

    got = handler.got
    assert {g.edition for g in got} == {edition}
    assert all(ids[g.recipient] == g.subscriber for g in got)  # Message-ID names the reader
    per_subscriber = Counter(g.subscriber for g in got)
    assert set(per_subscriber) == set(ids.values()) and len(ids) == len(emails)  # none missing
    seen: set[int] = set()
    for run in range(KILLS + 1):
        this_run = [g.subscriber for g in got if g.run == run]
        assert len(this_run) == len(set(this_run)), f"run {run} sent someone twice (seed {seed})"
        again = [s for s in this_run if s in seen]
        # run r > 0 follows a kill: at most the message in flight of each worker
        assert len(again) <= (IN_FLIGHT * WORKERS if run else 0), (seed, run, again)
        seen.update(this_run)
    duplicates = sum(n - 1 for n in per_subscriber.values())
    assert duplicates <= IN_FLIGHT * WORKERS * KILLS, seed
    assert app.store.ledger(edition) == {"sent": SUBSCRIBERS}
    assert app.store.edition(edition).status == "sent"


def test_a_kill_between_two_messages_sends_nobody_twice(tmp_path: Path) -> None:
    """Killed while waiting to start the next message, with every answer read: the
    messages answered since the last write to the database are in the worker's journal,
    so the resumed run sends nobody twice (before the journal the last one went twice)."""
    handler = FaultyHandler(stall_after=37)
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 120)
        args = [*DIGEST, "send", str(edition), "--config", str(config)]
        proc = subprocess.Popen(
            args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while not handler.stalled:  # the 38th MAIL waits for an answer
            assert proc.poll() is None and time.monotonic() < deadline, proc.returncode
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert handler.count() == 37
        handler.stall_after, handler.run = None, 1
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert app.store.ledger(edition) == {"sent": len(emails)}
    # the report counts the killed run's 37 as delivered before this run, as they were
    assert f"Sent {len(emails) - 37}," in done.stdout and "skipped 37 " in done.stdout
    assert "Ledger before this run: sent 37, interrupted" in done.stdout, done.stdout


@pytest.mark.slow
def test_sigint_to_the_sending_process_alone_is_reported_as_sigint(tmp_path: Path) -> None:
    """An interrupt sent to `digest send` only (not its group) reaches the workers as
    the same signal, so the summary names what the user sent."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 600)
        args = [*DIGEST, "send", str(edition), "--workers", str(WORKERS), "--config", str(config)]
        proc = subprocess.Popen(
            args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        _wait_for(handler, 100, proc)
        os.kill(proc.pid, signal.SIGINT)
        out = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 1, out
    assert "interrupted (SIGINT received)" in out, out
    assert "SIGTERM" not in out, out
    assert app.store.ledger(edition).get("sent") == handler.count()


def test_ctrl_c_stops_every_worker_after_its_current_message_and_records_it(
    tmp_path: Path,
) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 600)
        args = [*DIGEST, "send", str(edition), "--workers", str(WORKERS), "--config", str(config)]
        proc = subprocess.Popen(
            args, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        _wait_for(handler, 100, proc)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out = proc.communicate(timeout=60)[0].decode()
        assert proc.returncode == 1, out
        assert "interrupted (SIGINT received)" in out and f"digest send {edition}" in out
        stopped_at = handler.count()
        assert stopped_at < len(emails)
        assert app.store.ledger(edition).get("sent") == stopped_at  # nothing unrecorded
        handler.run = 1
        done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
