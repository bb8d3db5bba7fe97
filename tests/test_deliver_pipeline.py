"""One round trip a message: the engine names the next message's envelope when it
starts one, and the SMTP transport sends its MAIL/RCPT/DATA with this message's final
dot (RFC 2920 allows message content as the first "command" of a group). The next
message itself goes only with its own `start`: a stop, a wrong guess or a close in
between leave it undelivered (the server never got its final dot), and the ledger
never has it as sent.

Real parts: aiosmtpd on loopback (offering PIPELINING), SQLite files, the real
SMTP transport.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digest.app import App
from digest.config import TransportSettings
from digest.deliver.run import send_edition
from digest.deliver.transports import SmtpTransport
from digest.lifecycle import EditionStatus
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

MESSAGE = b"Message-ID: <digest.1.{n}.0123456789abcdef@example.org>\r\nSubject: x\r\n\r\nbody\r\n"
SENDER = "news@example.org"


class Joining(FaultyHandler):
    """Counts the messages whose end arrived together with the next MAIL FROM, and
    can run `on_data(n)` when the n-th message (0-based) ends."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(pipelining=True, **kwargs)
        self.joined = 0
        self.on_data: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if bytes(server._reader._buffer).startswith(b"MAIL FROM:"):
            with self.lock:
                self.joined += 1
        if self.on_data is not None:
            self.on_data(self.datas)
        return await super().handle_DATA(server, session, envelope)


def _message(n: int) -> bytes:
    return MESSAGE.replace(b"{n}", str(n).encode())


def test_a_send_takes_one_round_trip_per_message(tmp_path: Path) -> None:
    handler = Joining()
    with smtp_server(handler) as port:
        app = App.from_config(small_project(tmp_path / "news", port))
        edition = build(app)
        emails = add_subscribers(app, 30)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 30 and summary.paused is None
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert handler.joined == 29  # every message's end but the last carried the next's


def test_pipelining_false_sends_each_message_on_its_own(tmp_path: Path) -> None:
    """`[transport] pipelining = false`: for a relay that offers PIPELINING but mishandles
    it, no message's end carries the next envelope; everyone still gets one copy."""
    handler = Joining()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, transport="pipelining = false")
        app = App.from_config(config)
        assert app.settings.transport.pipelining is False
        edition = build(app)
        emails = add_subscribers(app, 12)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 12 and summary.paused is None
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert handler.joined == 0


def test_an_announced_message_is_delivered_only_when_it_is_started(tmp_path: Path) -> None:
    handler = Joining()
    with smtp_server(handler) as port:
        transport = SmtpTransport(TransportSettings(kind="smtp", host="127.0.0.1", port=port))
        transport.start(SENDER, "a@example.net", _message(1), name="1", then=(SENDER, "b@x.net"))
        transport.finish()
        transport.close()  # b announced, never started: closed without its dot
        transport.start(SENDER, "c@example.net", _message(2), name="2", then=(SENDER, "d@x.net"))
        transport.finish()
        transport.start(SENDER, "e@example.net", _message(3), name="3")  # not d: a guess gone
        transport.finish()  # wrong, on a new connection
        transport.start(SENDER, "f@example.net", _message(4), name="4", then=(SENDER, "g@x.net"))
        transport.finish()
        transport.start(SENDER, "g@x.net", _message(5), name="5")  # the one announced
        transport.finish()
        transport.close()
    got = [g.recipient for g in handler.got]
    assert got == ["a@example.net", "c@example.net", "e@example.net", "f@example.net", "g@x.net"]
    assert handler.joined == 3  # a, c and f ended with the next commands


def test_a_pause_after_an_announcement_sends_the_announced_message_once(
    tmp_path: Path,
) -> None:
    """The edition is paused while messages are announced ahead: the run stops, the
    ledger has exactly what the server took, and the resumed run sends the rest."""
    handler = Joining()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 40)
        other = App.from_config(config)

        def pause(n: int) -> None:
            if n == 11:
                other.store.set_edition_status(
                    edition, EditionStatus.PAUSED, now=NOW, expect=(EditionStatus.SENDING,)
                )

        handler.on_data = pause
        first = send_edition(app, edition, clock=lambda: NOW)
        assert first.paused is not None and 0 < first.sent < 40
        assert app.store.ledger(edition).get("sent") == handler.count() == first.sent
        handler.on_data = None
        handler.run += 1
        second = send_edition(app, edition, clock=lambda: NOW)
    assert first.sent + second.sent == 40 and second.paused is None
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails)
    assert app.store.ledger(edition) == {"sent": 40}
