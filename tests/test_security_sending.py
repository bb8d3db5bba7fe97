"""Sending faults an attacker or an unlucky operator causes (issue 14): two sends of
one edition at once, greylisting, and a relay that refuses everyone.

Real parts only: `digest send` processes, aiosmtpd on loopback, SQLite files and the
local PostgreSQL (the `db_url` fixture), Redis and `digest worker` for the queued
path. The deterministic Message-ID (digest.<edition>.<subscriber>.<nonce>@…) says who got what.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from digest.app import App
from digest.cli import main
from digest.deliver.run import send_edition
from digest.errors import DeliveryError
from digest.store import schema as t
from tests.databases import postgres_database
from tests.test_send_support import (
    DIGEST,
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    send_to_ten,
    small_project,
    smtp_server,
)
from tests.test_workers_support import queue_config, redis_broker, workers

_SENT = re.compile(r"Sent (\d+), bounced (\d+)")
_BUSY = re.compile(
    r"edition (\d+) is being sent by another process \(pid (\d+) on (\S+), since [^)]+\); "
    r"try again after it finishes or after its lease expires at \S+"
)


class SlowHandler(FaultyHandler):
    """Accepts everything, a little slowly (so two sends really overlap)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.002)
        return await super().handle_DATA(server, session, envelope)


def _bounce_events(app: App) -> int:
    e = t.subscriber_events
    with app.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(e.c.status == "bounced")).scalar_one())


def _two_sends_at_once(args: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Start two identical `digest send` processes together; both results."""
    procs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


def _check_one_sent_and_the_other_refused(
    results: list[subprocess.CompletedProcess[str]], edition: int, total: int
) -> None:
    sent = [int(m[1]) for r in results if (m := _SENT.search(r.stdout))]
    refused = [r for r in results if _BUSY.search(r.stdout + r.stderr)]
    # Never both "Sent N": one run sent everything; the other was refused with a
    # clear one-line reason (or, had it started after the first ended, sent nobody).
    assert sum(sent) == total, [(r.returncode, r.stdout, r.stderr) for r in results]
    assert sorted(sent)[-1] == total
    for r in refused:
        m = _BUSY.search(r.stdout + r.stderr)
        assert m is not None and int(m[1]) == edition
        assert r.returncode == 2 and "Traceback" not in r.stderr  # an error, one line


# -- 1. two `digest send` runs of one edition at once ---------------------------------
def test_two_sends_of_one_edition_at_once_reach_every_subscriber_exactly_once(
    tmp_path: Path, db_url: str
) -> None:
    total = 600
    handler = SlowHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, total)
        app.store.close()
        args = [*DIGEST, "send", str(edition), "--config", str(config)]
        results = _two_sends_at_once(args)
    per_recipient = handler.per_recipient()
    twice = sorted(a for a, n in per_recipient.items() if n > 1)
    assert twice == [], f"{len(twice)} of {total} subscribers got two copies"
    assert sorted(per_recipient) == sorted(emails)
    _check_one_sent_and_the_other_refused(results, edition, total)
    app = App.from_config(config)
    assert app.store.ledger(edition) == {"sent": total}
    assert app.store.edition(edition).status == "sent"
    # Nobody holds the edition any more: a third run finds nothing to do and says so.
    again = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Sent 0, bounced 0, deferred 0, skipped {total}" in again.stdout


def test_a_running_send_is_named_to_a_second_one_and_a_dead_one_is_taken_over(
    tmp_path: Path, db_url: str
) -> None:
    """While a send runs, another is refused with who holds it and until when; once
    the holder is gone (here: killed), the next run resumes at once."""
    total = 300
    handler = SlowHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "rate_per_second = 100\n", database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, total)
        args = [*DIGEST, "send", str(edition), "--config", str(config)]
        first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            while handler.count() < 20:
                assert first.poll() is None
                threading.Event().wait(0.01)
            second = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
            assert second.exit_code == 2, second.output
            busy = _BUSY.search(second.output)
            assert busy is not None, second.output
            assert int(busy[2]) == first.pid
        finally:
            first.kill()
            first.communicate()
        handler.run = 1
        resumed = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert sorted(handler.per_recipient()) == sorted(emails)
    assert all(n <= 2 for n in handler.per_recipient().values())  # the kill: mark_every
    assert app.store.ledger(edition) == {"sent": total}


def test_a_run_on_another_machine_is_waited_for_until_its_lease_expires(
    tmp_path: Path, db_url: str
) -> None:
    """A holder elsewhere cannot be seen to be dead: its rows and the edition stay its
    own until its lease runs out; then the next run takes over and frees its claims."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 30)
        app.keys  # noqa: B018 -- the project's key, which the far run signed with
        store = app.store
        ids = sorted(s.id for s in store.subscribers("daily"))
        now = datetime.now(UTC)
        owner = "far-away:4242:0badcafe"
        assert (
            store.take_send_lease(
                edition, owner=owner, host="far-away", pid=4242, now=now, seconds=3600
            )
            is None
        )
        # It claimed ten rows and then its machine went down.
        exclusive = store.claim_exclusive(
            edition, ids[:10], worker=f"{owner}/0", now=NOW, lease=10**9
        )
        assert exclusive == set(ids[:10])
        with pytest.raises(DeliveryError) as refused:
            send_edition(app, edition, clock=lambda: NOW)
        assert "pid 4242 on far-away" in str(refused.value)
        assert "lease expires at" in str(refused.value)
        assert handler.got == [] and app.store.edition(edition).status != "sending"

        with store.engine.begin() as conn:  # an hour later, as far as the lease goes
            conn.execute(update(t.send_leases).values(until=now - timedelta(seconds=1)))
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.paused is None and summary.sent == 30
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    with store.engine.connect() as conn:  # the lease was given back at the end
        assert conn.execute(select(func.count()).select_from(t.send_leases)).scalar() == 0


def test_two_queued_sends_at_once_do_not_both_report_sent(tmp_path: Path) -> None:
    total = 400
    handler = SlowHandler()
    with (
        postgres_database() as db,
        redis_broker() as broker,
        smtp_server(handler) as port,
    ):
        config = small_project(tmp_path / "news", port, extra=queue_config(broker), database=db)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, total)
        app.store.close()
        args = [*DIGEST, "send", str(edition), "--config", str(config)]
        with workers(config, tmp_path, "a", args=("--concurrency", "1")):
            results = _two_sends_at_once(args)
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    _check_one_sent_and_the_other_refused(results, edition, total)


# -- 5. greylisting is retried before it counts as a failure --------------------------
class Greylist(FaultyHandler):
    """Answers 451 to each recipient's first RCPT, then accepts it (greylisting)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            first = address not in self.seen
            self.seen.add(address)
        if first:
            return "451 4.7.1 Greylisted, please try again later"
        return await super().handle_RCPT(server, session, envelope, address, options)


def test_greylisting_does_not_pause_the_send(tmp_path: Path, db_url: str) -> None:
    handler = Greylist()
    with smtp_server(handler) as port:
        # the default transport settings: 3 retries, 1 s, pause after 25 failures
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 200)
        result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Sent 200, bounced 0, deferred 0" in result.output
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert app.store.edition(edition).status == "sent"


# -- 6. a refusal of the sender or relay never bounces subscribers ---------------------
def _refusing_everyone(answer: str, emails: list[str]) -> dict[str, str]:
    return dict.fromkeys(emails, answer)


def test_a_relay_refusing_everyone_pauses_the_send_and_bounces_nobody(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n", database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 60)
        handler.refuse = _refusing_everyone("550 Relaying denied", emails)
        result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
        assert result.exit_code == 1, result.output
        out = " ".join(result.output.split())
        assert "bounced 0" in out and "Sent 0" in out
        assert "550 Relaying denied" in out and "none was marked bounced" in out
        assert f"digest send {edition}" in out  # how to resume
        assert app.store.edition(edition).status == "paused"
        assert all(s.status == "active" for s in app.store.subscribers("daily"))
        assert _bounce_events(app) == 0
        assert "bounced" not in app.store.ledger(edition)

        # The operator fixes the relay: the resumed send reaches everyone once.
        handler.refuse = {}
        resumed = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    assert resumed.exit_code == 0, resumed.output
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)


@pytest.mark.parametrize(
    ("stage", "answer"),
    [
        ("mail", "550 5.7.1 Sender address rejected: not owned by user"),
        ("mail", "553 Sender not allowed"),
        ("rcpt", "530 5.7.0 Authentication required"),
        ("rcpt", "535 5.7.8 Authentication credentials invalid"),
    ],
)
def test_a_refused_sender_or_missing_login_pauses_at_once(
    tmp_path: Path, stage: str, answer: str
) -> None:
    handler = FaultyHandler()
    mails: list[str] = []
    if stage == "mail":

        async def refuse_mail(*_: Any) -> str:
            mails.append(answer)
            return answer

        handler.handle_MAIL = refuse_mail  # type: ignore[method-assign]
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n")
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 30)
        if stage == "rcpt":
            handler.refuse = _refusing_everyone(answer, emails)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.paused is not None and answer in summary.paused
    assert summary.bounced == 0 and summary.sent == 0
    assert len(mails) + len(handler.rcpts) == 1  # the first answer was enough
    assert all(s.status == "active" for s in app.store.subscribers("daily"))
    assert app.store.edition(edition).status == "paused"
    assert _bounce_events(app) == 0


def test_a_user_unknown_among_accepted_recipients_is_still_bounced(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler(
        refuse={
            "reader3@example.net": "550 5.1.1 <reader3@example.net>: User unknown",
            # no enhanced status code: bounced once later recipients are accepted
            "reader7@example.net": "550 No such user here",
            # a policy refusal of one address: deferred, never bounced
            "reader9@example.net": "550 5.7.1 Message rejected by policy",
            # the last one: nobody after it is accepted, but the server takes mail for
            # postmaster@example.net, so the refusal was about the address: bounced
            "reader19@example.net": "550 Mailbox unavailable",
        }
    )
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n", database=db_url)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 20)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.paused is None
    assert (summary.sent, summary.bounced, summary.deferred) == (16, 3, 1)
    status = {s.email: s.status for s in app.store.subscribers("daily")}
    assert status["reader3@example.net"] == status["reader7@example.net"] == "bounced"
    assert status["reader19@example.net"] == "bounced"
    assert status["reader9@example.net"] == "active"
    assert app.store.ledger(edition) == {"sent": 16, "bounced": 3, "failed": 1}
    assert _bounce_events(app) == 3
    assert "postmaster@example.net" not in handler.per_recipient()  # asked, never sent


def test_a_bare_refusal_of_the_last_recipient_bounces_once_the_server_takes_its_domain(
    tmp_path: Path, db_url: str
) -> None:
    """Before: the last recipient's bare 550 was deferred every run (nobody after it
    to confirm it), and the edition stayed "sending" for good."""
    sent = send_to_ten(tmp_path, {"reader9@example.net": "550 Mailbox unavailable"}, db_url)
    app, edition, summary, handler = sent.app, sent.edition, sent.summary, sent.handler
    assert (summary.sent, summary.bounced, summary.deferred) == (9, 1, 0)
    assert app.store.edition(edition).status == "sent"
    assert {s.email: s.status for s in app.store.subscribers("daily")}[
        "reader9@example.net"
    ] == "bounced"
    assert handler.datas == 9 and "postmaster@example.net" in handler.rcpts  # asked, not sent


def test_bare_refusals_stay_deferred_when_the_server_refuses_their_domain_too(
    tmp_path: Path,
) -> None:
    """A relay that refuses a whole domain (its postmaster too) says nothing about the
    addresses: they stay deferred, nobody is bounced."""
    refuse = {f"reader{i}@example.net": "550 Unrouteable address" for i in range(7, 10)}
    refuse["postmaster@example.net"] = "550 Unrouteable address"
    sent = send_to_ten(tmp_path, refuse)
    app, edition, summary = sent.app, sent.edition, sent.summary
    assert (summary.sent, summary.bounced, summary.deferred) == (7, 0, 3)
    assert all(s.status == "active" for s in app.store.subscribers("daily"))
    assert app.store.edition(edition).status == "sending"
    assert _bounce_events(app) == 0
