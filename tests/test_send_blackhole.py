"""A mail server that never answers (a blackholed address: no refusal, no greeting):
the send pauses within about 30 s in all, not after the full `[transport] timeout` for
each of the connection's tries, while a slow answer to a message (DATA) still gets
the longer `timeout`."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.test_send_support import (
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)


@contextmanager
def _never_answers() -> Iterator[int]:
    """A loopback port that listens and never accepts: the kernel queues the first
    connections (which then wait for a greeting that never comes) and drops the
    SYNs of the next ones once its short backlog is full (no refusal either)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def _send(config: Path, edition: int) -> tuple[int, str, float]:
    start = time.monotonic()
    result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    return result.exit_code, result.output, time.monotonic() - start


def test_a_host_that_never_answers_pauses_the_send_within_30_seconds(tmp_path: Path) -> None:
    with _never_answers() as port:
        config = small_project(tmp_path / "news", port)  # the default timeouts and tries
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 3)
        code, output, took = _send(config, edition)
    assert code == 1, output
    # 4 tries of 5 s and 3.5 s of waits: about 24 s (the full timeout per try took 186 s);
    # the bound leaves room for a loaded machine.
    assert took < 60, f"{took:.1f} s before giving up"
    flat = " ".join(output.split())
    assert f"cannot connect to 127.0.0.1:{port}: no answer (timed out)" in flat
    assert "nothing more was tried" in flat and f"`digest send {edition}` resumes" in flat
    assert app.store.edition(edition).status == "paused"


def test_connect_timeout_is_a_transport_setting(tmp_path: Path) -> None:
    with _never_answers() as port:
        config = small_project(tmp_path / "news", port, transport="connect_timeout = 0.5\n")
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 3)
        code, output, took = _send(config, edition)
    assert code == 1, output
    assert took < 10, f"{took:.1f} s before giving up"  # 4 tries of 0.5 s, 3.5 s of waits
    assert "no answer (timed out)" in " ".join(output.split())


def test_a_connect_timeout_that_is_not_positive_is_refused(tmp_path: Path) -> None:
    config = small_project(tmp_path / "news", 2525, transport="connect_timeout = 0\n")
    result = CliRunner().invoke(main, ["send", "1", "--config", str(config)])
    assert result.exit_code != 0
    flat = " ".join(result.output.split())
    assert "connect_timeout" in flat and "seconds > 0" in flat and "digest.toml" in flat


@dataclass
class _SlowData(FaultyHandler):
    """Takes `delay` seconds to answer each message's content."""

    delay: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def test_a_slow_answer_to_a_message_still_gets_the_longer_timeout(tmp_path: Path) -> None:
    handler = _SlowData(delay=1.5)  # longer than connect_timeout, shorter than timeout
    with smtp_server(handler) as port:
        config = small_project(
            tmp_path / "news", port, transport="connect_timeout = 0.5\ntimeout = 10\n"
        )
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 2)
        code, output, _ = _send(config, edition)
    assert code == 0, output
    assert "Sent 2" in output
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert app.store.edition(edition).status == "sent"
