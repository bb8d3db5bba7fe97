"""While the server takes a message in, the engine does its own work: the transport
`start`s a message and `finish`es it (waits for the server's answer) only after the
engine has written the outcomes so far and built the next subscriber's message.

Real parts: aiosmtpd on loopback, a SQLite file, the real SMTP transport (a subclass
that only looks at the ledger when it is asked to finish).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from digest.app import App
from digest.config import TransportSettings
from digest.deliver.engine import Engine
from digest.deliver.interfaces import SLOTS, SendOptions, Stop
from digest.deliver.transports import SEND_BUFFER, SmtpTransport, TransportError
from digest.deliver.wiring import AppMessages, StoreLedger
from digest.errors import DeliveryError
from digest.lifecycle import EditionStatus
from digest.records import Subscriber
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)


class Watching(SmtpTransport):
    """The SMTP transport, noting at each `finish` what the ledger and the message
    source have done by then."""

    def __init__(self, settings: TransportSettings, app: App, edition: int, built: list[int]):
        super().__init__(settings)
        self.app, self.edition, self.built = app, edition, built
        self.at_finish: list[tuple[int, int]] = []  # (sent in the ledger, messages built)

    def finish(self) -> None:
        sent = self.app.store.ledger(self.edition).get("sent", 0)
        # On SQLite what the database does not have yet is in the worker's journal.
        journal = Path(f"{self.app.store.engine.url.database}-sent")
        pending = [j.read_text().split() for j in journal.iterdir()] if journal.is_dir() else []
        self.at_finish.append((sent + sum(map(len, pending)), len(self.built)))
        super().finish()


class Counting(AppMessages):
    def __init__(self, *args: Any, built: list[int]) -> None:
        super().__init__(*args)
        self.built = built

    def build(self, subscriber: Subscriber) -> tuple[str, bytes]:
        self.built.append(subscriber.id)
        return super().build(subscriber)


@pytest.mark.parametrize("pipelining", [True, False])
def test_outcomes_are_written_and_the_next_message_built_before_waiting_for_the_server(
    tmp_path: Path, pipelining: bool
) -> None:
    handler = FaultyHandler(pipelining=pipelining)
    with smtp_server(handler) as port:
        app = App.from_config(small_project(tmp_path / "news", port))
        app.keys  # noqa: B018 -- the project's key, checked before any row is claimed
        edition_id = build(app)
        add_subscribers(app, 30)
        app.store.set_edition_status(edition_id, EditionStatus.SENDING, now=NOW)
        edition = app.store.edition(edition_id)
        built: list[int] = []
        transport = Watching(app.settings.transport, app, edition_id, built)
        summary = Engine(
            StoreLedger(app.store, edition, name="w"),
            Counting(app, edition, NOW, built=built),
            transport,
            edition_id=edition_id,
            policy=app.settings.transport,
            index=0,
            workers=1,
            options=SendOptions(mark_every=2),
            clock=lambda: NOW,
            stop=Stop(),
            counts=[0] * SLOTS,
            tick=None,
        ).run()
    assert summary.sent == 30 and handler.count() == 30
    assert app.store.ledger(edition_id) == {"sent": 30}
    # At the k-th wait for the server: every earlier outcome is in the ledger or its
    # journal (written while the k-th message was on the wire), and the next message is
    # already built.
    assert transport.at_finish == [(k, min(k + 2, 30)) for k in range(30)]
    assert built == sorted(set(built))  # each message built once, in order


def test_start_then_finish_is_send_and_a_refusal_after_data_comes_with_finish(
    tmp_path: Path,
) -> None:
    handler = FaultyHandler(pipelining=True)
    with smtp_server(handler) as port:
        transport = SmtpTransport(TransportSettings(kind="smtp", host="127.0.0.1", port=port))
        transport.open()
        message = (
            b"Message-ID: <digest.1.2.0123456789abcdef@example.org>\r\nSubject: x\r\n\r\nbody\r\n"
        )
        transport.start("news@example.org", "a@example.net", message, name="1-2")
        with pytest.raises(TransportError, match="not finished"):
            transport.start("news@example.org", "b@example.net", message, name="1-3")
        transport.finish()
        transport.finish()  # nothing started: nothing to wait for
        handler.all_temporary = True
        transport.start("news@example.org", "c@example.net", message, name="1-4")
        with pytest.raises(DeliveryError, match="451") as refused:
            transport.finish()
        assert not refused.value.permanent
        handler.all_temporary = False
        transport.start("news@example.org", "d@example.net", message, name="1-5")
        transport.close()  # finishes the message it started, then quits
    assert [g.recipient for g in handler.got] == ["a@example.net", "d@example.net"]


def test_the_socket_holds_a_whole_message(tmp_path: Path) -> None:
    """`start` returns once the message is written: the send buffer is not the
    kernel's 16 KiB default, which would keep the engine waiting for the server."""
    with smtp_server(FaultyHandler()) as port:
        transport = SmtpTransport(TransportSettings(kind="smtp", host="127.0.0.1", port=port))
        transport.open()
        try:
            conn = transport._conn
            assert conn is not None and conn.sock is not None
            assert conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) >= SEND_BUFFER
        finally:
            transport.close()
