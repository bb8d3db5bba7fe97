"""Editions to internationalised addresses (EAI): over SMTPUTF8 when the relay offers it
(RFC 6531: `MAIL FROM:<...> SMTPUTF8` for that message only, the address raw UTF-8 in
To:, RFC 6532), and when it does not, that recipient is not sent, recorded with the
reason and counted as failed in the edition's outcome, while everyone else is
delivered as before. Exactly once across a resume, either way.

Real parts: aiosmtpd on loopback (with and without SMTPUTF8, with PIPELINING), SQLite
and PostgreSQL, the command line.
"""

from __future__ import annotations

import json
import re
from email import message_from_string, policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.deliver.run import send_edition
from digest.deliver.wiring import AppMessages
from digest.lifecycle import EditionStatus
from digest.subscribers import add_subscriber
from tests.test_deliver_pipeline import Joining
from tests.test_desk import add_editor, client, login, running
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

JOSE, AJAY = "josé@example.com", "अजय@डाटा.भारत"


def _subscribe_all(app: App) -> list[str]:
    """reader0..5, José and Ajay (EAI), reader6..11: the EAI ones between ASCII ones,
    so that a message announced ahead (PIPELINING) is one of each kind."""
    emails = add_subscribers(app, 6)
    for email, name in ((JOSE, "José Ørsted"), (AJAY, "अजय")):
        added = add_subscriber(
            app.store, "daily", email, name, double_opt_in=False, origin="cli", now=NOW
        )
        assert added.subscriber is not None and added.subscriber.email == email
    return [*emails, *add_subscribers(app, 6, start=6)]


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_eai_recipients_get_one_message_over_smtputf8_and_the_others_are_unchanged(
    tmp_path: Path, pipelining: bool, db_url: str
) -> None:
    handler = FaultyHandler(pipelining=pipelining)
    with smtp_server(handler, enable_SMTPUTF8=True) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        ascii_emails = _subscribe_all(app)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert (summary.sent, summary.bounced, summary.deferred) == (14, 0, 0), summary.errors
    assert sorted(handler.per_recipient().items()) == sorted(
        (e, 1) for e in [*ascii_emails, JOSE, AJAY]
    )
    got = {g.recipient: g for g in handler.got}
    for email, name in ((JOSE, "José Ørsted"), (AJAY, "अजय")):
        assert got[email].options == ("SMTPUTF8",)  # asked for this message
        to = re.search(rb"(?m)^To:(.*(?:\r\n[ \t].*)*)\r\n", got[email].data)
        assert to and to[1].endswith(b" <" + email.encode() + b">")  # raw UTF-8, unencoded
        msg = message_from_string(got[email].data.decode("utf-8"), policy=policy.SMTPUTF8)
        assert msg["To"].addresses[0].addr_spec == email
        assert msg["To"].addresses[0].display_name == name
    # The ASCII readers' transactions and messages are as they always were: no SMTPUTF8,
    # 7-bit messages, the very bytes the message source builds for them.
    messages = AppMessages(app, app.store.edition(edition), NOW)
    for sub in app.store.subscribers("daily"):
        if sub.email.isascii():
            assert got[sub.email].options == ()
            assert got[sub.email].data.isascii()
            assert got[sub.email].data == messages.build(sub)[1]
    assert app.store.ledger(edition) == {"sent": 14}
    assert app.store.edition(edition).status == "sent"


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_without_smtputf8_eai_recipients_fail_with_the_reason_and_the_others_are_delivered(
    tmp_path: Path, pipelining: bool, db_url: str
) -> None:
    handler = FaultyHandler(pipelining=pipelining)
    runner = CliRunner()
    with smtp_server(handler, enable_SMTPUTF8=False) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        ascii_emails = _subscribe_all(app)
        sent = runner.invoke(main, ["send", str(edition), "--config", str(config)])
        assert sent.exit_code == 1, sent.output  # copies were left unsent: a script must see it
        assert f"2 copies of edition {edition} not sent" in " ".join(sent.output.split())
        assert "Sent 12, bounced 0, deferred 0, failed 2," in sent.output, sent.output
        for email in (JOSE, AJAY):
            assert f"{email}: not sent: the relay 127.0.0.1:{port} does not offer SMTPUTF8" in (
                " ".join(sent.output.split())
            ), sent.output
        # Never retried in this edition: a second run sends nothing and asks nothing.
        tried = list(handler.rcpts)
        again = send_edition(app, edition, clock=lambda: NOW)
        assert (again.sent, again.remaining) == (0, 0) and handler.rcpts == tried
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in ascii_emails)
    assert all(r.isascii() for r in handler.rcpts)  # the server never saw them
    assert app.store.ledger(edition) == {"sent": 12, "unsendable": 2}
    assert app.store.edition(edition).status == "sent"
    for email in (JOSE, AJAY):  # not a bounce, not suppressed
        sub = app.store.subscriber("daily", email)
        assert sub is not None and sub.status == "active"
    shown = runner.invoke(main, ["editions", "--config", str(config), "--json"])
    (row,) = json.loads(shown.output)
    assert (row["delivered"], row["failed"], row["refused"], row["bounced_hard"]) == (12, 2, 0, 0)
    assert row["bounce_rate"] == 0.0
    table = runner.invoke(main, ["editions", "--config", str(config)], env={"COLUMNS": "200"})
    assert "failed" in table.output and " 12 │       0 │      2 │" in table.output, table.output
    add_editor(config)
    with running(config) as base, client(base) as c:
        assert login(c).status_code == 303
        page = " ".join(c.get("/editions").text.split())
    assert "12 delivered · 2 not sent (no SMTPUTF8) · bounced 0 hard" in page, page


@pytest.mark.parametrize("smtputf8", [True, False], ids=["smtputf8", "no-smtputf8"])
def test_a_paused_send_resumed_sends_everyone_exactly_once(tmp_path: Path, smtputf8: bool) -> None:
    """As test_deliver_pipeline's pause after an announcement, with the EAI readers next
    in line when the pause comes: each reader gets one copy (an EAI one only over
    SMTPUTF8), and the resumed run neither repeats nor retries anyone."""
    handler = Joining()
    with smtp_server(handler, enable_SMTPUTF8=smtputf8) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        ascii_emails = _subscribe_all(app)
        other = App.from_config(config)

        def pause(n: int) -> None:
            if n == 5:  # reader5's message: José's is announced with its end
                other.store.set_edition_status(
                    edition, EditionStatus.PAUSED, now=NOW, expect=(EditionStatus.SENDING,)
                )

        handler.on_data = pause
        first = send_edition(app, edition, clock=lambda: NOW)
        assert first.paused is not None and 0 < first.sent < 12
        handler.on_data = None
        handler.run += 1
        second = send_edition(app, edition, clock=lambda: NOW)
        third = send_edition(app, edition, clock=lambda: NOW)
    assert second.paused is None and (third.sent, third.remaining) == (0, 0)
    expected = [*ascii_emails, JOSE, AJAY] if smtputf8 else ascii_emails
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in expected)
    assert first.sent + second.sent == len(expected)
    assert first.failed + second.failed == (0 if smtputf8 else 2)
    assert app.store.ledger(edition) == (
        {"sent": 14} if smtputf8 else {"sent": 12, "unsendable": 2}
    )
    assert app.store.edition(edition).status == "sent"


def test_worker_processes_count_the_failed_ones_too(tmp_path: Path) -> None:
    """`--workers 2`: each process counts its own in shared memory; the summary adds them."""
    handler = FaultyHandler()
    with smtp_server(handler, enable_SMTPUTF8=False) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        ascii_emails = _subscribe_all(app)
        args = ["send", str(edition), "--workers", "2", "--config", str(config)]
        sent = CliRunner().invoke(main, args)
    assert sent.exit_code == 1, sent.output
    assert "Sent 12, bounced 0, deferred 0, failed 2," in sent.output, sent.output
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in ascii_emails)
    assert app.store.ledger(edition) == {"sent": 12, "unsendable": 2}


def test_digest_workers_over_celery_record_them_the_same_way(tmp_path: Path) -> None:
    """The queue path (`digest worker`s over Redis, PostgreSQL): the follower counts the
    ledger's unsendable rows as failed, with their reason, and the edition ends sent."""
    from tests.databases import postgres_database
    from tests.test_workers_support import queue_config, redis_broker, workers

    handler = FaultyHandler()
    with (
        postgres_database() as db,
        redis_broker() as broker,
        smtp_server(handler, enable_SMTPUTF8=False) as port,
    ):
        config = small_project(tmp_path / "news", port, extra=queue_config(broker), database=db)
        app = App.from_config(config)
        edition = build(app)
        ascii_emails = _subscribe_all(app)
        with workers(config, tmp_path, "a", args=("--concurrency", "1")):
            sent = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
        assert sent.exit_code == 1, sent.output
        assert "Sent 12, bounced 0, deferred 0, failed 2," in sent.output, sent.output
        assert f"{JOSE}: not sent: the relay" in sent.output, sent.output
        assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in ascii_emails)
        assert app.store.ledger(edition) == {"sent": 12, "unsendable": 2}
        assert app.store.edition(edition).status == "sent"
        app.store.close()
