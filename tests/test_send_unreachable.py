"""A mail server that cannot be reached (nothing listens on its port, or it stops in the
middle of a send): the send pauses within seconds with the server's address and why,
tries nobody else, and the summary's numbers add up; `digest send ID` then resumes and
everyone gets exactly one copy."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.conftest import free_port
from tests.test_send_support import (
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

SUMMARY = re.compile(r"Sent (\d+), bounced (\d+), deferred (\d+),")


def _send(config: Path, edition: int) -> tuple[int, str, float]:
    start = time.monotonic()
    result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    return result.exit_code, result.output, time.monotonic() - start


def _counts(output: str) -> tuple[int, int, int]:
    found = SUMMARY.search(output)
    assert found is not None, output
    sent, bounced, deferred = map(int, found.groups())
    return sent, bounced, deferred


def test_nothing_listening_pauses_at_once_and_a_resume_sends_everyone(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there: every connection is refused
    config = small_project(tmp_path / "news", port)  # the default retries, delay and pause
    app = App.from_config(config)
    edition = build(app)
    emails = add_subscribers(app, 40)

    code, output, took = _send(config, edition)
    assert code == 1, output
    assert took < 5, f"{took:.1f} s before giving up"
    flat = " ".join(output.split())
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in flat
    assert "nothing more was tried" in flat and f"`digest send {edition}` resumes" in flat
    assert _counts(output) == (0, 0, 0)  # nobody's copy was tried, so none deferred
    assert app.store.edition(edition).status == "paused"
    assert set(app.store.ledger(edition)) <= {"claimed"}  # none sent, none deferred
    assert all(s.status == "active" for s in app.store.subscribers("daily"))

    handler = FaultyHandler()
    with smtp_server(handler, port=port):
        code, output, _ = _send(config, edition)
    assert code == 0, output
    assert "Sent 40" in output
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert app.store.edition(edition).status == "sent"


@dataclass
class _StopsAfter(FaultyHandler):
    """Accepts `after` messages, then stops its own server while the next is in flight."""

    after: int = 0
    controller: Any = None
    seen: int = 0
    stopping: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen += 1
        if self.seen > self.after:
            self.stopping = True
            threading.Thread(target=self.controller.stop).start()
            await asyncio.sleep(5)  # cancelled by the stop: no answer to this one
        return await super().handle_DATA(server, session, envelope)


def test_a_server_stopped_mid_send_pauses_with_numbers_that_agree(tmp_path: Path) -> None:
    port = free_port()
    config = small_project(tmp_path / "news", port)
    app = App.from_config(config)
    edition = build(app)
    emails = add_subscribers(app, 40)
    handler = _StopsAfter(after=12)
    handler.controller = Controller(handler, hostname="127.0.0.1", port=port)
    handler.controller.start()
    try:
        code, output, took = _send(config, edition)
    finally:
        if not handler.stopping:
            handler.controller.stop()
    assert code == 1, output
    assert took < 8, f"{took:.1f} s before giving up"
    flat = " ".join(output.split())
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in flat
    assert "nothing more was tried" in flat
    received = sum(handler.per_recipient().values())
    assert received == 12
    sent, bounced, deferred = _counts(output)
    ledger = app.store.ledger(edition)
    assert (sent, bounced) == (received, 0)
    assert ledger.get("sent") == sent and ledger.get("failed", 0) == deferred
    assert deferred <= 1  # the copy in flight when the server went, if any
    assert not re.search(r"\d+ consecutive failures", flat)  # no count to disagree with
    assert app.store.edition(edition).status == "paused"

    handler.after = 10**9  # the same relay, up again, stopping no more
    with smtp_server(handler, port=port):
        code, output, _ = _send(config, edition)
    assert code == 0, output
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
