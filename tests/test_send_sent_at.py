"""An edition's `sent_at` is when it went out (its first completion), and stays so.

Running `digest send` again on a sent edition must not move it (nor the archive feed
that shows it); a later run that delivers to subscribers newly due keeps it too.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from sqlalchemy import event

from digest.app import App
from digest.cli import main
from digest.deliver.run import send_edition
from tests.test_desk import running
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

WENT_OUT = NOW + timedelta(minutes=5)
LATER = NOW + timedelta(days=7)


def _editions(config: Path) -> str:
    result = CliRunner().invoke(main, ["editions", "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.output


def test_sending_a_sent_edition_again_changes_neither_its_sent_time_nor_the_feed(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 5)
        assert send_edition(app, edition, clock=lambda: WENT_OUT).sent == 5
        listed = _editions(config)
        with running(config, clock=lambda: LATER) as base, httpx.Client(base_url=base) as c:
            feed = c.get("/archive.atom").text
        changes: list[str] = []

        def capture(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if statement.lstrip().upper().startswith("UPDATE EDITIONS"):
                changes.append(statement)

        event.listen(app.store.engine, "before_cursor_execute", capture)
        again = send_edition(app, edition, clock=lambda: LATER)
        event.remove(app.store.engine, "before_cursor_execute", capture)
        with running(config, clock=lambda: LATER) as base, httpx.Client(base_url=base) as c:
            feed_after = c.get("/archive.atom").text
    assert (again.sent, again.skipped, again.remaining) == (0, 5, 0)
    assert changes == []  # not even for a moment "sending" (off the archive's index)
    info = app.store.edition_info(edition)
    assert info.status == "sent" and info.sent_at == WENT_OUT
    assert _editions(config) == listed
    assert "<updated>" in feed and feed_after == feed
    assert handler.count() == 5


def test_a_later_run_for_newly_due_subscribers_keeps_the_first_sent_time(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 4)
        send_edition(app, edition, clock=lambda: WENT_OUT)
        add_subscribers(app, 2, start=10)  # joined after it went out: due for it now
        summary = send_edition(app, edition, clock=lambda: LATER)
    assert (summary.sent, summary.skipped) == (2, 4)
    info = app.store.edition_info(edition)
    assert info.status == "sent" and info.sent_at == WENT_OUT
    assert handler.count() == 6
