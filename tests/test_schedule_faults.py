"""A send the transport cannot make is a failure of `digest run --once`, retried.

Under cron or a systemd timer, `digest run --once` is the whole scheduler: its exit
status is all that tells the operator something went wrong. A relay that refuses the
login, or a password that is not set, stopped the send as "paused" and the command
exited 0, so the edition silently stayed unsent.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.subscribers import add_subscriber
from tests.conftest import Mailbox
from tests.test_eai_send import JOSE
from tests.test_schedule_run import SLOT, SLOT_KEY, SUBSCRIBERS, make_project, smtp
from tests.test_send_support import FaultyHandler, smtp_server


def test_a_send_the_transport_cannot_make_fails_run_once_and_the_next_run_sends_it(
    tmp_path: Path, smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
    good = smtp(smtp_server)
    config = make_project(tmp_path / "news", good + '\nusername = "news"')
    args = ["run", "--once", "--config", str(config), "--at"]
    failed = CliRunner().invoke(main, [*args, "2026-11-27T06:00:00Z"])
    assert failed.exit_code == 1, failed.output
    assert f"daily send {SLOT_KEY}: failed" in failed.output
    assert "DIGEST_SMTP_PASSWORD is not set" in failed.output
    assert smtp_server.messages == []
    # The operator fixes the transport; the next run within the grace window sends it.
    config.write_text(config.read_text().replace(good + '\nusername = "news"', good))
    resumed = CliRunner().invoke(main, [*args, "2026-11-27T06:10:00Z"])
    assert resumed.exit_code == 0, resumed.output
    assert f"daily send {SLOT_KEY}: done" in resumed.output
    received = Counter(r for m in smtp_server.messages for r in m.recipients)
    assert len(received) == SUBSCRIBERS and set(received.values()) == {1}


def test_a_scheduled_send_that_left_copies_unsent_fails_run_once_and_is_not_repeated(
    tmp_path: Path,
) -> None:
    """A reader with an internationalised address and a relay without SMTPUTF8: the
    slot's send is done (everyone else got it, once) and recorded so, but `digest run
    --once` exits 1 and its record says how many copies were not sent, why, and what
    sends them. The next run neither sends the slot again nor retries them."""
    handler = FaultyHandler()
    with smtp_server(handler, enable_SMTPUTF8=False) as port:
        config = make_project(
            tmp_path / "news", f'kind = "smtp"\nhost = "127.0.0.1"\nport = {port}'
        )
        app = App.from_config(config)
        added = add_subscriber(
            app.store, "daily", JOSE, "José", double_opt_in=False, origin="cli", now=SLOT
        )
        assert added.subscriber is not None
        args = ["run", "--once", "--config", str(config), "--at"]
        first = CliRunner().invoke(main, [*args, "2026-11-27T06:00:00Z"])
        received = handler.per_recipient()
        later = CliRunner().invoke(main, [*args, "2026-11-27T06:10:00Z"])
    assert first.exit_code == 1, first.output
    out = " ".join(first.output.split())
    assert f"daily send {SLOT_KEY}: done (edition 1: sent {SUBSCRIBERS}," in out, out
    assert "failed 1," in out, out
    assert (
        f"1 copy not sent: the relay 127.0.0.1:{port} does not offer SMTPUTF8 (RFC 6531)" in out
    ), out
    assert f"({JOSE})" in out and "`digest send 1 --retry-unsendable` sends it" in out, out
    assert len(received) == SUBSCRIBERS and set(received.values()) == {1}
    assert later.exit_code == 0, later.output
    assert handler.per_recipient() == received and JOSE not in handler.rcpts
    (row,) = app.store.schedule_runs("daily", action="send")
    assert row.status == "done" and "1 copy not sent" in (row.detail or "")
    assert app.store.ledger(1) == {"sent": SUBSCRIBERS, "unsendable": 1}
    app.store.close()
