"""A transport kept open across the tasks of one `digest worker` process.

Opening a connection (TCP, EHLO, STARTTLS, AUTH) costs more than a small batch's
messages, so a worker process keeps one between its tasks; `close` only notes the time,
and a connection idle for IDLE_SECONDS is reopened before it is used again. So is one
whose relay could not carry a message (:class:`Unsendable`: no SMTPUTF8 in its EHLO
answer): the relay may offer it by the next task (`digest send --retry-unsendable`
after fixing it), and only a new connection asks. Knows no App, edition or ledger.
"""

from __future__ import annotations

import time

from digest.deliver.replies import Unsendable
from digest.deliver.transports import Transport
from digest.deliver.wire import Envelope

#: A kept-open SMTP connection idle this long is reopened before the next batch.
IDLE_SECONDS = 60.0


class Reused:
    """A transport kept open across the tasks of one process (`close` only notes the
    time; a connection idle for IDLE_SECONDS is reopened before it is used again)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.opened = False
        self.used = time.monotonic()
        self.dated = False  # the relay's EHLO answer could not carry a message

    def open(self) -> None:
        if self.opened and (self.dated or time.monotonic() - self.used > IDLE_SECONDS):
            self.shut()
        if not self.opened:
            self.inner.open()
            self.opened = True
        self.used = time.monotonic()

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        self.start(sender, recipient, data, name=name)
        self.finish()

    def start(
        self, sender: str, recipient: str, data: bytes, *, name: str, then: Envelope | None = None
    ) -> None:
        try:
            self.inner.start(sender, recipient, data, name=name, then=then)
        except Unsendable:
            self.dated = True
            raise

    def finish(self) -> None:
        self.inner.finish()
        self.used = time.monotonic()

    def accepts(self, sender: str, recipient: str) -> bool | None:
        self.used = time.monotonic()
        return self.inner.accepts(sender, recipient)

    def close(self) -> None:
        self.used = time.monotonic()

    def shut(self) -> None:
        """Really close the connection (at the end of the process)."""
        self.dated = False
        if self.opened:
            self.opened = False
            self.inner.close()
