"""`digest run` retries a welcome the mail server refused, with a backoff, a bounded
number of times, and never sends one twice.

Before, a welcome left `failed` (the relay down or refusing at the confirmation)
stayed failed until an operator ran `digest subscribers welcome --list L`: a reader
who confirmed on a night the relay was down never heard from the list until its
first edition. Now the scheduler's tick claims each failed welcome whose wait is over
(15 minutes after the first attempt, then 1, 4 and 12 hours), one claim per attempt
however many schedulers tick, records the attempt, and after the fifth leaves it
failed and logs that once, naming the list and never the address. A welcome left
"sending" by a sender that died is never sent again (it may have gone).

Real parts: a loopback aiosmtpd server that refuses recipients while told to, SQLite
files and PostgreSQL, the real Scheduler of `digest run`, the real CLI.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from digest.app import App
from digest.schedule import Scheduler
from digest.subscribers import subscribe
from digest.subscribers.welcome import send_welcome
from tests.conftest import Mailbox, _Handler, free_port
from tests.test_web_public import NOW, cli
from tests.test_welcome import READER, project

MINUTE = timedelta(minutes=1)


class Refusing(_Handler):
    """Keeps what it receives; refuses every recipient (451, try later) while `refuse`."""

    refuse = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return "451 4.3.0 Mailbox temporarily unavailable, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextmanager
def relay(port: int) -> Iterator[tuple[Mailbox, Refusing]]:
    box = Mailbox("127.0.0.1", port)
    handler = Refusing(box)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, handler
    finally:
        controller.stop()


def welcomes(box: Mailbox) -> int:
    return sum(1 for m in box.messages if b"Welcome to" in m.data)


def failures(app: App, subscriber_id: int) -> int:
    """Attempts that failed, as the subscriber's history tells them."""
    return sum(
        1 for e in app.store.events(subscriber_id) if (e.detail or "").startswith("welcome not")
    )


def confirmed_while_refused(app: App, handler: Refusing) -> int:
    """A subscriber confirmed while the relay refuses: its welcome failed once, at NOW."""
    subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
    sub = app.store.subscriber("weekly", READER)
    assert sub is not None
    assert app.store.confirm(sub.id, welcome=True, now=NOW)
    handler.refuse = True
    assert send_welcome(app, sub.id, now=NOW) == "failed"
    return sub.id


def retried(scheduler: Scheduler, at: datetime) -> None:
    scheduler.tick_list("weekly", at)


def test_the_scheduler_retries_a_failed_welcome_after_its_wait_and_sends_it_once(
    tmp_path: Path, db_url: str
) -> None:
    port = free_port()
    config = project(tmp_path, port, database=db_url)
    app = App.from_config(config)
    with relay(port) as (box, handler):
        sid = confirmed_while_refused(app, handler)
        scheduler = Scheduler(app)
        retried(scheduler, NOW + 5 * MINUTE)  # the first wait (15 minutes) is not over
        assert failures(app, sid) == 1
        retried(scheduler, NOW + 16 * MINUTE)  # refused again: the second attempt
        assert failures(app, sid) == 2 and welcomes(box) == 0
        retried(scheduler, NOW + 30 * MINUTE)  # the next wait is an hour from then
        assert failures(app, sid) == 2
        # The relay takes mail again; two schedulers (two `digest run`s) tick at once.
        handler.refuse = False
        apps = [App.from_config(config) for _ in range(4)]
        schedulers = [Scheduler(a) for a in apps]
        at = NOW + 16 * MINUTE + 61 * MINUTE
        with ThreadPoolExecutor(len(schedulers)) as pool:
            list(pool.map(lambda s: retried(s, at), schedulers))
        assert welcomes(box) == 1
        for s in schedulers:
            retried(s, at + 13 * 60 * MINUTE)
        retried(scheduler, at + 24 * 60 * MINUTE)
        assert welcomes(box) == 1
        for a in apps:
            a.close()
    history = [e.detail for e in app.store.events(sid)]
    assert history.count("welcome sent") == 1
    app.close()


def test_after_the_last_attempt_it_stays_failed_logged_once_without_the_address(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    config = project(tmp_path, port, database=db_url)
    app = App.from_config(config)
    with relay(port) as (box, handler), caplog.at_level(logging.INFO):
        sid = confirmed_while_refused(app, handler)
        scheduler = Scheduler(app)
        at = NOW
        for _ in range(40):  # a tick every 30 minutes for 20 hours
            at += 30 * MINUTE
            retried(scheduler, at)
        assert failures(app, sid) == 5  # the confirmation's attempt and four retries
        retried(scheduler, at + 30 * 24 * 60 * MINUTE)  # a month later: no more
        assert failures(app, sid) == 5 and welcomes(box) == 0
    logs = [r.getMessage() for r in caplog.records]
    gave_up = [m for m in logs if "no more" in m and "welcome" in m]
    assert len(gave_up) == 1, "\n".join(m for m in logs if "welcome to" in m)
    assert "list weekly" in gave_up[0] and "5 attempts" in gave_up[0], gave_up
    assert "digest subscribers welcome --list weekly" in gave_up[0]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("digest")]
    assert not [m for m in ours if READER in m], "an address in digest's log"
    sub = app.store.subscriber("weekly", READER)
    assert sub is not None and sub.status == "active"
    # The operator sends it by hand once the relay is fixed.
    with relay(port) as (box, handler):
        assert "1 sent" in cli(config, "subscribers", "welcome", "--list", "weekly")
        assert welcomes(box) == 1
    app.close()


def test_a_tick_stops_at_the_first_welcome_refused_again(tmp_path: Path) -> None:
    """A relay still down costs a tick one attempt, not one per reader (the list's
    sends wait on the tick); the others are tried at the next ticks."""
    port = free_port()
    config = project(tmp_path, port)
    app = App.from_config(config)
    others = [f"reader{n}@example.org" for n in range(3)]
    with relay(port) as (box, handler):
        sid = confirmed_while_refused(app, handler)
        handler.refuse = False
        for address in others:
            subscribe(app, "weekly", address, origin="web:subscribe", now=NOW)
        handler.refuse = True
        ids = [sid]
        for address in others:
            sub = app.store.subscriber("weekly", address)
            assert sub is not None and app.store.confirm(sub.id, welcome=True, now=NOW)
            assert send_welcome(app, sub.id, now=NOW + MINUTE) == "failed"
            ids.append(sub.id)
        scheduler = Scheduler(app)
        retried(scheduler, NOW + 20 * MINUTE)
        assert sum(failures(app, i) for i in ids) == 5  # four first attempts, one retry
        handler.refuse = False
        retried(scheduler, NOW + 21 * MINUTE)  # the relay is back: the other three go
        assert welcomes(box) == 3
    app.close()


def test_a_welcome_left_sending_by_a_crash_is_never_sent_again(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    config = project(tmp_path, port, database=db_url)
    app = App.from_config(config)
    with relay(port) as (box, _handler):
        subscribe(app, "weekly", READER, origin="web:subscribe", now=NOW)
        sub = app.store.subscriber("weekly", READER)
        assert sub is not None
        assert app.store.confirm(sub.id, welcome=True, now=NOW)
        # A sender claimed it and died: it may have handed it over before recording.
        assert app.store.claim_welcome(sub.id, now=NOW)
        scheduler = Scheduler(app)
        for hours in (1, 5, 24, 24 * 30):
            retried(scheduler, NOW + hours * 60 * MINUTE)
        assert welcomes(box) == 0
        assert "0 sent" in cli(config, "subscribers", "welcome", "--list", "weekly")
        assert welcomes(box) == 0
    app.close()
