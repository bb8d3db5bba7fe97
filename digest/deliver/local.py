"""Transports that keep each message here instead of handing it to a server: an outbox
folder of `.eml` files (`[transport] kind = "outbox"`, `digest demo`) and memory (tests,
dry runs). Both take any message at once, an address that is not ASCII too (no relay to
offer SMTPUTF8). They know nothing of editions, subscribers or the ledger; the
:class:`~digest.deliver.transports.Transport` protocol is in that module.
"""

from __future__ import annotations

import os
from pathlib import Path

from digest.deliver.replies import TransportError
from digest.deliver.wire import Envelope
from digest.errors import DeliveryError


class _AtOnce:
    """A transport whose `send` is done when it returns: `start` sends, `finish` and
    `close` have nothing left to do, and an announced next message is not used."""

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        raise NotImplementedError

    def start(
        self, sender: str, recipient: str, data: bytes, *, name: str, then: Envelope | None = None
    ) -> None:
        self.send(sender, recipient, data, name=name)

    def finish(self) -> None:
        pass

    def accepts(self, sender: str, recipient: str) -> bool | None:
        return None  # it refuses nobody: there is no refusal to confirm

    def close(self) -> None:
        pass


class MemoryTransport(_AtOnce):
    """Keeps messages in a list (tests, dry runs)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def open(self) -> None:
        pass

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        self.sent.append((recipient, data))


class OutboxTransport(_AtOnce):
    """Writes one `.eml` file per message into a folder (written whole, then renamed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportError(
                f"{self.folder}: cannot create the outbox ({exc.strerror})"
            ) from None

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        path = self.folder / f"{name}.eml"
        tmp = path.with_suffix(".tmp")
        # As the final mail server would: the envelope sender (where bounces go) on top.
        data = b"Return-Path: <" + sender.encode("ascii", "replace") + b">\r\n" + data
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise DeliveryError(f"{path}: cannot write ({exc.strerror})") from None
