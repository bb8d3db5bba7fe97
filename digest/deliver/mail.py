"""`send_one`: one finished message to one address, outside any edition's ledger.

The one path for single messages: a desk test send and a double opt-in confirmation.
The envelope sender is the newsletter's own address (a single message has no VERP tag:
its bounce names no delivery), and the message is DKIM-signed when `[newsletter.dkim]`
is set, unless it already carries our signature (a prepared edition signs its copies).
This module opens one connection per message; it must not touch the ledger.
"""

from __future__ import annotations

from datetime import datetime

from digest.config import Settings
from digest.deliver.transports import Transport
from digest.dkim import DkimSigner
from digest.headers import split_address


def plain_sender(settings: Settings) -> str:
    """The newsletter's address, as MAIL FROM of a single message."""
    return split_address(settings.newsletter.sender)[1]


def signed(settings: Settings, data: bytes, *, now: datetime) -> bytes:
    """`data` with the newsletter's DKIM signature(s) when a key is set (and it has none)."""
    signer = DkimSigner.from_settings(settings.newsletter.dkim, settings.path)
    if signer is None or data.startswith(b"DKIM-Signature:"):
        return data
    return signer.sign(data, now=now)


def send_one(
    settings: Settings,
    transport: Transport,
    recipient: str,
    data: bytes,
    *,
    name: str,
    now: datetime,
) -> None:
    """Hand `data` to `transport` for `recipient` over a connection of its own; the
    transport's DeliveryError when it is not taken."""
    message = signed(settings, data, now=now)
    transport.open()
    try:
        transport.send(plain_sender(settings), recipient, message, name=name)
    finally:
        transport.close()
