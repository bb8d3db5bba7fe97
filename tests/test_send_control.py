"""Pause, cancel, dry run, the ledger shown before a send, and local-time slices."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.deliver.run import SendOptions, SendSummary, send_edition
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)


def _send_in_background(config: Path, edition: int) -> tuple[threading.Thread, list[SendSummary]]:
    out: list[SendSummary] = []
    app = App.from_config(config)  # its own connections, as another process would have
    thread = threading.Thread(
        target=lambda: out.append(send_edition(app, edition, clock=lambda: NOW)), daemon=True
    )
    thread.start()
    return thread, out


def _wait_for(handler: FaultyHandler, count: int) -> None:
    deadline = time.monotonic() + 30
    while handler.count() < count:
        assert time.monotonic() < deadline
        time.sleep(0.002)


def test_pause_stops_a_running_send_and_send_resumes_it_without_duplicates(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler()
    runner = CliRunner()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 400)
        thread, out = _send_in_background(config, edition)
        _wait_for(handler, 30)
        paused = runner.invoke(main, ["pause", str(edition), "--config", str(config)])
        thread.join(30)
        assert paused.exit_code == 0, paused.output
        assert f"Paused edition {edition}" in paused.output
        (summary,) = out
        assert summary.paused is not None and "was paused" in summary.paused
        stopped_at = handler.count()
        assert 30 <= stopped_at < 400
        # A graceful stop records everything it handed over.
        assert app.store.ledger(edition).get("sent") == stopped_at == summary.sent
        assert app.store.edition(edition).status == "paused"

        resumed = runner.invoke(main, ["send", str(edition), "--config", str(config)])
    assert resumed.exit_code == 0, resumed.output
    assert f"Ledger before this run: sent {stopped_at}" in resumed.output
    assert "Resuming paused edition" in resumed.output
    assert f"Sent {400 - stopped_at}, bounced 0, deferred 0, skipped {stopped_at}" in (
        resumed.output
    )
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert app.store.edition(edition).status == "sent"


def test_a_pause_during_a_worker_s_set_up_lets_no_message_out(tmp_path: Path, db_url: str) -> None:
    """A queued batch checks the edition, renders, claims, then sends. A pause that lands
    in between (here: as it claims) stops it before its first hand-over, not after."""
    from datetime import datetime

    from digest.deliver.wiring import run_worker

    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 20)
        app.store.set_edition_status(edition, "sending", now=NOW)

        def claim_as_the_editor_pauses(ids: list[int], now: datetime) -> set[int]:
            paused = CliRunner().invoke(main, ["pause", str(edition), "--config", str(config)])
            assert paused.exit_code == 0, paused.output
            return app.store.claim(edition, ids, worker="w", now=now)

        summary = run_worker(app, edition, claim=claim_as_the_editor_pauses, clock=lambda: NOW)
    assert summary.paused is not None and "was paused" in summary.paused
    assert handler.count() == 0  # before the fix, two went out after the pause
    assert app.store.ledger(edition).get("sent", 0) == 0
    assert app.store.edition(edition).status == "paused"


def test_cancel_stops_a_running_send_for_good(tmp_path: Path, db_url: str) -> None:
    handler = FaultyHandler()
    runner = CliRunner()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 400)
        thread, out = _send_in_background(config, edition)
        _wait_for(handler, 20)
        cancelled = runner.invoke(main, ["cancel", str(edition), "--config", str(config)])
        thread.join(30)
        assert cancelled.exit_code == 0, cancelled.output
        (summary,) = out
        assert summary.paused is not None and "was cancelled" in summary.paused
        stopped_at = handler.count()
        assert app.store.ledger(edition).get("sent") == stopped_at < 400

        refused = runner.invoke(main, ["send", str(edition), "--config", str(config)])
        assert refused.exit_code == 2
        assert f"edition {edition} was cancelled" in refused.output
        assert handler.count() == stopped_at
        again = runner.invoke(main, ["pause", str(edition), "--config", str(config)])
        assert again.exit_code == 2 and "cancelled" in again.output


def test_dry_run_builds_every_message_and_sends_nothing(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 25)
        add_subscribers(app, 5, start=100, format="text")
        result = CliRunner().invoke(
            main, ["send", str(edition), "--dry-run", "--config", str(config)]
        )
    assert result.exit_code == 0, result.output
    assert "Dry run: 30 messages would be sent" in result.output
    assert handler.got == [] and app.store.ledger(edition) == {}
    assert app.store.edition(edition).status == "draft"


def test_a_sent_edition_cannot_be_paused_and_a_rerun_sends_nothing(tmp_path: Path) -> None:
    handler = FaultyHandler()
    runner = CliRunner()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 10)
        args = ["send", str(edition), "--config", str(config)]
        first = runner.invoke(main, args)
        assert first.exit_code == 0 and "Sent 10, bounced 0, deferred 0, skipped 0" in first.output
        again = runner.invoke(main, args)
        paused = runner.invoke(main, ["pause", str(edition), "--config", str(config)])
    assert again.exit_code == 0
    assert "Ledger before this run: sent 10." in again.output and "Sent 0" in again.output
    assert "skipped 10" in again.output
    assert paused.exit_code == 2 and f"edition {edition} is sent" in paused.output
    assert handler.count() == 10


def test_timezone_slices_cover_the_list_once(tmp_path: Path, db_url: str) -> None:
    """Local-time delivery: a subscriber without a zone counts as the list's zone."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        # the list is Europe/Copenhagen
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        local = add_subscribers(app, 4)
        local += add_subscribers(app, 3, start=10, timezone="Europe/Copenhagen")
        far = add_subscribers(app, 5, start=20, timezone="America/New_York")
        tokyo = add_subscribers(app, 2, start=30, timezone="Asia/Tokyo")

        cph = send_edition(
            app,
            edition,
            options=SendOptions(timezones=frozenset({"Europe/Copenhagen"})),
            clock=lambda: NOW,
        )
        assert set(handler.per_recipient()) == set(local) and cph.sent == 7
        assert cph.remaining == 0 and app.store.edition(edition).status == "sending"

        ny = send_edition(
            app,
            edition,
            options=SendOptions(timezones=frozenset({"America/New_York"})),
            clock=lambda: NOW,
        )
        assert ny.sent == 5 and set(handler.per_recipient()) == set(local + far)
        assert app.store.edition(edition).status == "sending"  # Tokyo still due
        rest = send_edition(app, edition, clock=lambda: NOW)
    assert rest.sent == 2 and rest.skipped == 12
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in local + far + tokyo)
    assert app.store.edition(edition).status == "sent"
