"""A transport kept open across the tasks of one `digest worker` process.

Opening a connection (TCP, EHLO, STARTTLS, AUTH) costs more than a small batch's
messages, so a worker process keeps one between its tasks; `close` only notes the time,
and a connection idle for IDLE_SECONDS is reopened before it is used again. Knows no
App, edition or ledger.
"""

from __future__ import annotations

import time

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

    def open(self) -> None:
        if self.opened and time.monotonic() - self.used > IDLE_SECONDS:
            self.shut()
        if not self.opened:
            self.inner.open()
            self.opened = True
        self.used = time.monotonic()

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        self.inner.send(sender, recipient, data, name=name)
        self.used = time.monotonic()

    def start(
        self, sender: str, recipient: str, data: bytes, *, name: str, then: Envelope | None = None
    ) -> None:
        self.inner.start(sender, recipient, data, name=name, then=then)

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
        if self.opened:
            self.opened = False
            self.inner.close()
