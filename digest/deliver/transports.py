"""Transports: how finished message bytes leave digest.

One small protocol (`open`, `send`, `close`; `send` is `start` then `finish`, so a
caller may work while the server takes the message in) with three implementations:
SMTP with a reused connection (plain, STARTTLS or implicit TLS, optional AUTH), an
outbox folder of `.eml` files, and memory for tests (those two in
:mod:`~digest.deliver.local`). Per message, a failure is raised as
:class:`~digest.errors.DeliveryError`: `permanent` only when the server refused the
*recipient* (a bounce), otherwise transient with the SMTP code where there was one;
:class:`Unsendable` (nothing sent) for an address that is not ASCII when the relay does
not offer SMTPUTF8, which such a message needs (RFC 6531; the others go as before).
A transport that cannot work at all (login refused, certificate not trusted, TLS
not offered) raises :class:`TransportError`, which stops a send instead of blaming
subscribers; what the settings alone show cannot work (a login without its password,
or a password that would travel unencrypted) :func:`check_login` refuses before a send
starts (both in :mod:`~digest.deliver.connect`, which opens the connection).
Certificates are always verified. Transports know nothing of editions,
subscribers or the ledger.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
from typing import Protocol

from digest.config import TransportSettings
from digest.deliver.connect import check_login, close_quietly, connect
from digest.deliver.local import MemoryTransport, OutboxTransport
from digest.deliver.replies import (
    Refusal,
    TransportError,
    Unreachable,
    Unsendable,
    command_failure,
    data_error,
    no_smtputf8,
)
from digest.deliver.wire import (
    Envelope,
    commands,
    content,
    needs_smtputf8,
    plain,
    read_reply,
    write,
)
from digest.errors import DeliveryError

__all__ = [
    "MemoryTransport",
    "OutboxTransport",
    "Refusal",
    "SmtpTransport",
    "Transport",
    "TransportError",
    "Unreachable",
    "Unsendable",
    "check_login",
    "make_transport",
]


class Transport(Protocol):
    def open(self) -> None: ...

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        """Hand one message over; `name` is a stable file-safe id for it."""

    def start(
        self, sender: str, recipient: str, data: bytes, *, name: str, then: Envelope | None = None
    ) -> None:
        """`send` up to the server's last answer, which `finish` waits for: the caller
        may work meanwhile. Exactly one `finish` follows each `start` that returned.
        `then`: the envelope of the message the caller starts next, if it knows; a
        transport may announce it early (its content, and so the message, only ever
        goes with that `start`)."""

    def finish(self) -> None:
        """Wait for the answer to the message `start` handed over (only: the caller
        records it at once, whatever comes next); raise as `send`."""

    def accepts(self, sender: str, recipient: str) -> bool | None:
        """Would the server take mail from `sender` for `recipient` now? No message is
        sent. True or False when the server said so, None when it cannot be told."""

    def close(self) -> None: ...


#: Bytes of socket send buffer asked for (the kernel may give twice as much).
SEND_BUFFER = 512 * 1024


class SmtpTransport:
    """SMTP with one connection reused for every message; reconnects when dropped."""

    def __init__(self, settings: TransportSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None
        self._waiting: str | None = None  # the recipient whose message `finish` confirms
        self._waiting_utf8 = False  # whether its envelope needed SMTPUTF8
        self._pipelining = False  # the server offers PIPELINING (RFC 2920)
        self._smtputf8 = False  # the server offers SMTPUTF8 (RFC 6531)
        self._then: Envelope | None = None  # announced with the message `finish` confirms
        # The next message's envelope, announced: its replies are read by its `start`.
        self._ahead: Envelope | None = None

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def open(self) -> None:
        conn = connect(self.settings)
        with contextlib.suppress(OSError):
            # Room in the kernel for a whole message: `start` returns once it is written
            # and the caller works while the server reads it (the default, 16 KiB,
            # would keep the caller waiting for the server to read most of it).
            if conn.sock is not None:
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self._conn = conn
        self._pipelining = self.settings.pipelining and conn.has_extn("pipelining")
        self._smtputf8 = conn.has_extn("smtputf8")

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        self.start(sender, recipient, data, name=name)
        self.finish()

    def start(
        self, sender: str, recipient: str, data: bytes, *, name: str, then: Envelope | None = None
    ) -> None:
        if self._waiting is not None:  # a caller's mistake, not the recipient's
            raise TransportError(f"{self._waiting}: message not finished before the next one")
        if not plain(recipient, utf8=True) or not plain(sender, utf8=True):
            raise DeliveryError(f"{recipient!r}: not a plain address")
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead != (sender, recipient):
            # The server waits for the content of a message that is not coming: only
            # closing the connection ends that (nothing without the final dot is sent).
            self._drop()
            ahead = None
        announced = None
        if ahead is not None and self._conn is not None:  # sent with the last message:
            try:  # the replies to its commands
                announced = [read_reply(self._conn) for _ in range(3)]
            except (smtplib.SMTPServerDisconnected, OSError):
                self._drop()  # connected again below
        if self._conn is None:
            self.open()
        assert self._conn is not None
        if not self._smtputf8 and needs_smtputf8((sender, recipient)):
            raise no_smtputf8(recipient, self._where)  # before a byte of it is sent
        announce = then is not None and self._pipelining and self._sendable(then)
        try:
            replies = announced or self._envelope(self._conn, sender, recipient)
            self._refused(self._conn, sender, recipient, replies)
            tail = b"".join(commands(then)) if then is not None and announce else b""
            write(self._conn, content(data) + tail)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise DeliveryError(f"{recipient}: connection lost ({exc or 'disconnected'})") from None
        self._waiting = recipient
        self._waiting_utf8 = needs_smtputf8((sender, recipient))
        self._then = then if announce else None

    def finish(self) -> None:
        recipient, self._waiting = self._waiting, None
        then, self._then = self._then, None
        if recipient is None:
            return
        try:
            if self._conn is None:
                raise smtplib.SMTPServerDisconnected("disconnected")
            code, text = read_reply(self._conn)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise DeliveryError(f"{recipient}: connection lost ({exc or 'disconnected'})") from None
        self._ahead = then  # its replies are read by its `start`: this message is done
        if code != 250:
            failure = data_error(recipient, code, text, utf8=self._waiting_utf8)
            if code == 421:
                self._drop()
            raise failure

    def _sendable(self, envelope: Envelope) -> bool:
        """Whether this connection can carry `envelope` (SMTPUTF8 when it needs it)."""
        utf8 = self._smtputf8
        return plain(envelope[0], utf8=utf8) and plain(envelope[1], utf8=utf8)

    def accepts(self, sender: str, recipient: str) -> bool | None:
        """MAIL and RCPT, then RSET (no DATA, so no message): True when the recipient is
        accepted, False when refused with a 5xx, None otherwise (the sender refused, a
        4xx, a lost connection, a message still open)."""
        if self._waiting is not None or not plain(sender) or not plain(recipient):
            return None
        if self._ahead is not None:  # the server waits for an announced message's content
            self._drop()
        try:
            if self._conn is None:
                self.open()
            conn = self._conn
            assert conn is not None
            code, _ = conn.mail(sender)
            answer = None
            if code == 250:
                rcpt, _ = conn.rcpt(recipient)
                answer = True if rcpt in (250, 251) else False if 500 <= rcpt < 600 else None
            if conn.rset()[0] != 250:
                self._drop()
            return answer
        except (DeliveryError, smtplib.SMTPException, OSError):
            self._drop()
            return None

    def _envelope(self, conn: smtplib.SMTP, sender: str, recipient: str) -> list[tuple[int, bytes]]:
        """MAIL, RCPT and DATA, and their replies. With PIPELINING (RFC 2920) the three
        commands go in one write and their replies are read together; a caller that
        names the next message in `start` (`then`) has its commands go with this
        message's end, which the RFC allows as the first "command" of a group: one
        round trip per message. `smtplib.sendmail` is not used: it parses both
        addresses and waits for each reply, which costs more than the rest of a send."""
        if self._pipelining:
            write(conn, b"".join(commands((sender, recipient))))
            return [read_reply(conn), read_reply(conn), read_reply(conn)]
        replies: list[tuple[int, bytes]] = []
        for command, ok in zip(commands((sender, recipient)), (250, 250, 354), strict=True):
            write(conn, command)
            replies.append(read_reply(conn))
            if replies[-1][0] != ok and not (ok == 250 and replies[-1][0] == 251):
                break
        return replies

    def _refused(
        self, conn: smtplib.SMTP, sender: str, recipient: str, replies: list[tuple[int, bytes]]
    ) -> None:
        """Raise the first refusal among the envelope's replies, the transaction reset."""
        failure = command_failure(sender, recipient, replies)
        if failure is not None:
            if len(replies) == 3 and replies[2][0] == 354:  # data wanted all the same:
                write(conn, b".\r\n")  # end an empty message, which has no recipient
                read_reply(conn)
            self._end(conn, failure)
            raise failure

    def _end(self, conn: smtplib.SMTP, failure: DeliveryError) -> None:
        """After a refused command: reset the transaction, or drop a closing connection."""
        if failure.code == 421:
            self._drop()
            return
        try:
            code, _ = conn.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self._drop()

    def _drop(self) -> None:
        close_quietly(self._conn)
        self._conn = None
        self._waiting = None
        self._then = self._ahead = None

    def close(self) -> None:
        if self._waiting is not None:  # a message started, never finished (the caller failed)
            with contextlib.suppress(DeliveryError):
                self.finish()
        if self._ahead is not None:  # a next message announced, never started: the server
            self._drop()  # may wait for its content; QUIT would be read as content
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._drop()


def make_transport(settings: TransportSettings) -> Transport:
    if settings.kind == "smtp":
        return SmtpTransport(settings)
    if settings.kind == "memory":
        return MemoryTransport()
    return OutboxTransport(settings.path)
