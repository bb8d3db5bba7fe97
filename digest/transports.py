"""Transports: how finished message bytes leave digest.

One small protocol (`open`, `send`, `close`) with three implementations: SMTP with a
reused connection, an outbox folder of `.eml` files, and memory for tests. A failure
is raised as :class:`~digest.errors.DeliveryError`, marked permanent for 5xx answers
so the sender can bounce the address; everything else is transient and retried.
Transports know nothing of editions, subscribers or the ledger.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from pathlib import Path
from typing import Protocol

from digest.config import TransportSettings
from digest.errors import DeliveryError


class Transport(Protocol):
    def open(self) -> None: ...

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        """Hand one message over; `name` is a stable file-safe id for it."""

    def close(self) -> None: ...


class MemoryTransport:
    """Keeps messages in a list (tests, dry runs)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def open(self) -> None:
        pass

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        self.sent.append((recipient, data))

    def close(self) -> None:
        pass


class OutboxTransport:
    """Writes one `.eml` file per message into a folder (written whole, then renamed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeliveryError(
                f"{self.folder}: cannot create the outbox ({exc.strerror})"
            ) from None

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        path = self.folder / f"{name}.eml"
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise DeliveryError(f"{path}: cannot write ({exc.strerror})") from None

    def close(self) -> None:
        pass


class SmtpTransport:
    """SMTP with one connection reused for every message; reconnects when dropped."""

    def __init__(self, settings: TransportSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def open(self) -> None:
        s = self.settings
        try:
            if s.security == "tls":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if s.username:
                conn.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"{s.host}:{s.port}: login as {s.username} refused ({exc.smtp_code})",
                permanent=True,
                code=exc.smtp_code,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{s.host}:{s.port}: cannot connect ({exc})") from None
        self._conn = conn

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        if self._conn is None:
            self.open()
        assert self._conn is not None
        try:
            refused = self._conn.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, msg = exc.recipients.get(recipient, (450, b"refused"))
            raise _smtp_error(recipient, code, msg) from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise _smtp_error(recipient, exc.smtp_code, exc.smtp_error) from None
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise DeliveryError(f"{recipient}: connection lost ({exc or 'disconnected'})") from None
        if refused:
            code, msg = refused[recipient]
            raise _smtp_error(recipient, code, msg)

    def _reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._drop()


def _smtp_error(recipient: str, code: int, msg: bytes | str) -> DeliveryError:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else msg
    return DeliveryError(f"{recipient}: {code} {text}", permanent=500 <= code < 600, code=code)


def make_transport(settings: TransportSettings) -> Transport:
    if settings.kind == "smtp":
        return SmtpTransport(settings)
    if settings.kind == "memory":
        return MemoryTransport()
    return OutboxTransport(settings.path)
