"""A misbehaving SMTP server: retries, bounces, dropped connections and auto-pause."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from digest.app import App
from digest.cli import main
from digest.deliver.run import SendOptions, send_edition
from digest.store import schema as t
from tests.conftest import free_port
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

UNKNOWN = "reader13@example.net"
RELAY_DENIED = "reader14@example.net"


def _events(app: App, subscriber_id: int) -> list[tuple[str, str, str]]:
    e = t.subscriber_events
    with app.store.engine.connect() as conn:
        rows = conn.execute(
            select(e.c.status, e.c.origin, e.c.detail).where(e.c.subscriber_id == subscriber_id)
        )
        return [(r.status, r.origin, r.detail or "") for r in rows]


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_every_deliverable_address_gets_exactly_one_message_despite_faults(
    tmp_path: Path, pipelining: bool, db_url: str
) -> None:
    handler = FaultyHandler(
        temporary=0.1,
        refuse={UNKNOWN: f"550 5.1.1 <{UNKNOWN}>: Recipient address rejected: User unknown"},
        drop_at={5},
        pipelining=pipelining,
    )
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n", database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 300)

        first = send_edition(app, edition, clock=lambda: NOW)
        runs = [first]
        while runs[-1].remaining and len(runs) < 5:  # deferred after every retry: run again
            handler.run += 1
            runs.append(send_edition(app, edition, clock=lambda: NOW))

        got = handler.per_recipient()
        assert handler.temporaries >= 15 and handler.dropped == 1  # the faults did happen
        assert handler.pipelined == (handler.datas + 1 if pipelining else 0)  # + the 550
        assert set(got) == set(emails) - {UNKNOWN}
        assert [a for a, n in got.items() if n != 1] == []
        assert first.bounced == 1 and any(UNKNOWN in e and "550" in e for e in first.errors)
        assert sum(r.sent for r in runs) == 299 and runs[-1].remaining == 0
        assert app.store.ledger(edition) == {"sent": 299, "bounced": 1}
        assert app.store.edition(edition).status == "sent"
        bounced = app.store.subscriber("daily", UNKNOWN)
        assert bounced is not None and bounced.status == "bounced"
        assert [(s, o) for s, o, _ in _events(app, bounced.id)] == [("bounced", "smtp")]
        assert "550 5.1.1" in _events(app, bounced.id)[0][2]

        # The next edition is not even offered to the bounced address.
        (config.parent / "articles" / "ferry.txt").write_text(
            "Harbour ferry doubles its evening departures\n\n"
            "Commuters get a boat every ten minutes until eight.\n\nThe change starts Monday.\n"
        )
        later = NOW + timedelta(hours=1)
        app.collect(now=later)
        second = app.build(now=later)
        assert second.id is not None and second.id != edition
        handler.temporary, handler.run, tried = 0.0, 99, len(handler.rcpts)
        again = send_edition(app, second.id, clock=lambda: later)
        assert again.sent == 299 and again.bounced == 0
        assert UNKNOWN not in handler.rcpts[tried:]
        assert sorted(g.recipient for g in handler.got if g.run == 99) == sorted(
            set(emails) - {UNKNOWN}
        )


def test_a_policy_refusal_is_not_a_bounce(tmp_path: Path, db_url: str) -> None:
    """'Relaying denied' says nothing about the address: it must not be suppressed."""
    handler = FaultyHandler(refuse={RELAY_DENIED: "554 5.7.1 <reader14@example.net>: Relay denied"})
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n", database=db_url)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 20)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 19 and summary.bounced == 0 and summary.deferred == 1
    assert summary.remaining == 1  # tried again next run
    sub = app.store.subscriber("daily", RELAY_DENIED)
    assert sub is not None and sub.status == "active"
    assert app.store.ledger(edition) == {"sent": 19, "failed": 1}
    assert app.store.edition(edition).status == "sending"


def test_too_many_failures_in_a_row_pause_the_send_and_a_resume_finishes_it(
    tmp_path: Path,
) -> None:
    handler = FaultyHandler(all_temporary=True)
    runner = CliRunner()
    with smtp_server(handler) as port:
        config = small_project(
            tmp_path / "news",
            port,
            "retries = 1\nretry_delay = 0.01\nmax_consecutive_failures = 5\n",
        )
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 40)
        args = ["send", str(edition), "--config", str(config)]

        paused = runner.invoke(main, args)
        assert paused.exit_code == 1, paused.output
        assert f"edition {edition} paused after 5 consecutive failures" in paused.output
        # The deferred add up: the 5, and those waiting for their retry, said so.
        flat = " ".join(paused.output.split())
        waiting = re.search(r"Also deferred: (\d+) messages? that w\w+ waiting for a retry", flat)
        deferred = re.search(r"deferred (\d+),", flat)
        assert deferred is not None
        assert int(deferred[1]) == 5 + (int(waiting[1]) if waiting else 0), paused.output
        assert "451 4.3.0" in paused.output and f"digest send {edition}" in paused.output
        assert app.store.edition(edition).status == "paused"
        # Only failures after retries count: 5 messages failed twice (a try and a retry).
        assert handler.got == [] and 10 <= handler.temporaries < 40
        assert all(s.status == "active" for s in app.store.subscribers("daily"))

        handler.all_temporary = False
        resumed = runner.invoke(main, args)
    assert resumed.exit_code == 0, resumed.output
    assert "Resuming paused edition" in resumed.output and "Sent 40" in resumed.output
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert app.store.edition(edition).status == "sent"


def test_a_server_that_is_down_is_named_once_by_the_command(tmp_path: Path) -> None:
    """Every message stopped by the same fault printed the same line, once per message;
    now once, with how many it stopped."""
    port = free_port()  # nothing listens there
    config = small_project(
        tmp_path / "news", port, "retries = 1\nretry_delay = 0.01\nmax_consecutive_failures = 3\n"
    )
    app = App.from_config(config)
    edition = build(app)
    add_subscribers(app, 10)
    result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    assert result.exit_code == 1, result.output
    refused = [line for line in result.output.splitlines() if "cannot connect" in line]
    assert len(refused) == 1, result.output  # why the send stopped: no message was tried
    assert refused[0].startswith("Stopped:") and "connection refused" in refused[0]


def test_a_server_that_is_down_pauses_the_send_with_the_reason(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    config = small_project(
        tmp_path / "news", port, "retries = 1\nretry_delay = 0.01\nmax_consecutive_failures = 3\n"
    )
    app = App.from_config(config)
    edition = build(app)
    add_subscribers(app, 10)
    summary = send_edition(app, edition, options=SendOptions(), clock=lambda: NOW)
    assert summary.sent == 0 and summary.deferred == 0 and summary.paused is not None
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in summary.paused
    assert "nothing more was tried" in summary.paused  # not 3 messages, each retried
    assert app.store.edition(edition).status == "paused"
    assert "sent" not in app.store.ledger(edition)
