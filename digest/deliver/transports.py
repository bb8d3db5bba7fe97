"""Transports: how finished message bytes leave digest.

One small protocol (`open`, `send`, `close`) with three implementations: SMTP with a
reused connection (plain, STARTTLS or implicit TLS, optional AUTH), an outbox folder
of `.eml` files, and memory for tests. Per message, a failure is raised as
:class:`~digest.errors.DeliveryError`: `permanent` only when the server refused the
*recipient* (a bounce), otherwise transient with the SMTP code where there was one.
A transport that cannot work at all (login refused, certificate not trusted, TLS
not offered) raises :class:`TransportError`, which stops a send instead of blaming
subscribers. Certificates are always verified. Transports know nothing of editions,
subscribers or the ledger.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import smtplib
import ssl
from pathlib import Path
from typing import Protocol

from digest.config import SMTP_PASSWORD_ENV, TransportSettings
from digest.errors import DeliveryError


class TransportError(DeliveryError):
    """The transport itself is unusable (no message is at fault): stop the send."""


class Refusal(DeliveryError):
    """A recipient refused with a 5xx that may be about the sender or the relay rather
    than the address (see :func:`_rcpt_error`): never a bounce by itself.

    `confirmable` (a bare 5xx, no enhanced status code, no word of relaying or policy):
    it becomes a bounce only once the same server accepts a later recipient, which
    shows the refusal was about that address. Otherwise (5.7.x, relaying, policy) it
    is deferred to the next run. The send engine decides; this class only says which.
    """

    def __init__(self, message: str, *, code: int, confirmable: bool) -> None:
        super().__init__(message, permanent=False, code=code)
        self.confirmable = confirmable


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

    def close(self) -> None:
        pass


_LEADING_DOT = re.compile(rb"(?m)^\.")  # dot-stuffing (RFC 5321 4.5.2)
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
#: Answers about the session, not a message: login required, refused, too weak, or
#: encryption required (RFC 4954). Whatever command they answer, they stop the send.
_SESSION_CODES = (530, 534, 535, 538)
#: Words of a refusal that is about the sender, the relay or its policy.
_POLICY_WORDS = re.compile(
    r"\b(relay\w*|auth\w*|sender|policy|spam\w*|block\w*|blacklist\w*|listed|"
    r"reputation|quota|rate.?limit\w*|too many|not permitted)\b",
    re.I,
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpTransport:
    """SMTP with one connection reused for every message; reconnects when dropped."""

    def __init__(self, settings: TransportSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _context(self) -> ssl.SSLContext:
        ca_file = self.settings.ca_file
        try:
            return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise TransportError(
                f"{ca_file}: cannot load the CA certificates of [transport] ca_file ({exc})"
            ) from None

    def _untrusted(self, exc: ssl.SSLCertVerificationError) -> TransportError:
        hint = (
            f"is it the CA in {self.settings.ca_file}?"
            if self.settings.ca_file
            else "set [transport] ca_file to the CA certificate that signed it"
        )
        return TransportError(
            f"{self._where}: the server's TLS certificate is not trusted "
            f"({exc.verify_message or exc.reason}); {hint}"
        )

    def open(self) -> None:
        s = self.settings
        password = s.password
        if s.username and not password:
            raise TransportError(
                f"{self._where}: [transport] username is {s.username!r} but "
                f"${SMTP_PASSWORD_ENV} is not set"
            )
        if s.username and s.security == "none" and not _is_loopback(s.host):
            raise TransportError(
                f"{self._where}: refusing to send the password unencrypted; set "
                '[transport] security = "starttls" or "tls"'
            )
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    conn.starttls(context=self._context())
            conn.ehlo_or_helo_if_needed()
            if s.username:
                conn.login(s.username, password or "")
        except ssl.SSLCertVerificationError as exc:
            _close(conn)
            raise self._untrusted(exc) from None
        except ssl.SSLError as exc:
            _close(conn)
            raise TransportError(
                f"{self._where}: TLS failed ({exc.reason or exc}); check [transport] "
                "security and port (465 is usually tls, 587 starttls)"
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            _close(conn)
            raise TransportError(f"{self._where}: {exc}") from None
        except smtplib.SMTPAuthenticationError as exc:
            _close(conn)
            raise TransportError(
                f"{self._where}: login as {s.username} refused ({exc.smtp_code} "
                f"{_text(exc.smtp_error)})",
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPException as exc:
            _close(conn)
            if s.username and "AUTH" in str(exc):
                raise TransportError(f"{self._where}: cannot log in ({exc})") from None
            raise DeliveryError(f"{self._where}: cannot connect ({exc})") from None
        except OSError as exc:
            _close(conn)
            raise DeliveryError(f"{self._where}: cannot connect ({exc})") from None
        self._conn = conn

    def send(self, sender: str, recipient: str, data: bytes, *, name: str) -> None:
        if any(c in recipient for c in "\r\n<>") or any(c in sender for c in "\r\n<>"):
            raise DeliveryError(f"{recipient!r}: not a plain address")
        if self._conn is None:
            self.open()
        assert self._conn is not None
        try:
            self._transaction(self._conn, sender, recipient, data)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise DeliveryError(f"{recipient}: connection lost ({exc or 'disconnected'})") from None

    def _transaction(self, conn: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
        """MAIL, RCPT, DATA and the message. With PIPELINING (RFC 2920) the three
        commands go in one write and their replies are read together: two round trips
        per message instead of four. `smtplib.sendmail` is not used: it parses both
        addresses and waits for each reply, which costs more than the rest of a send."""
        commands = [
            b"MAIL FROM:<" + sender.encode("ascii") + b">\r\n",
            b"RCPT TO:<" + recipient.encode("ascii") + b">\r\n",
            b"DATA\r\n",
        ]
        replies: list[tuple[int, bytes]] = []
        if conn.has_extn("pipelining"):
            conn.send(b"".join(commands))
            replies = [conn.getreply() for _ in commands]
        else:
            for command, ok in zip(commands, (250, 250, 354), strict=True):
                conn.send(command)
                replies.append(conn.getreply())
                if replies[-1][0] != ok and not (ok == 250 and replies[-1][0] == 251):
                    break
        failure = _failure(sender, recipient, replies)
        if failure is not None:
            if len(replies) == 3 and replies[2][0] == 354:  # data wanted all the same:
                conn.send(b".\r\n")  # end an empty message, which has no recipient
                conn.getreply()
            self._end(conn, failure)
            raise failure
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        if data.startswith(b".") or b"\n." in data:
            data = _LEADING_DOT.sub(b"..", data)
        conn.send(data + b".\r\n")
        code, text = conn.getreply()
        if code != 250:
            failure = _data_error(recipient, code, text)
            if code == 421:
                self._drop()
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
        _close(self._conn)
        self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._drop()


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()


def _text(msg: bytes | str) -> str:
    return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else msg


def _enhanced(text: str) -> tuple[int, int, int] | None:
    m = _ENHANCED.match(text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _failure(sender: str, recipient: str, replies: list[tuple[int, bytes]]) -> DeliveryError | None:
    """The first refusal among the replies to MAIL, RCPT and DATA, as an error.

    A permanent refusal of MAIL FROM, or a login/encryption answer (530, 534, 535, 538)
    to any command, is about the sender or the session: a :class:`TransportError`,
    which pauses the send and never touches a subscriber."""
    (code, text), *rest = replies
    for reply, answer in replies:
        if reply in _SESSION_CODES:
            return TransportError(
                f"the server needs a (different) login or encryption: it answered "
                f"{reply} {_text(answer)}; check [transport] username, security and "
                f"${SMTP_PASSWORD_ENV}",
                code=reply,
            )
    if 500 <= code < 600:
        return TransportError(
            f"the server refused the sender {sender} ({code} {_text(text)}); no "
            "subscriber is at fault: check [newsletter] sender and what the relay allows",
            code=code,
        )
    if code != 250:
        return DeliveryError(
            f"{recipient}: sender {sender} refused ({code} {_text(text)})", code=code
        )
    if rest[0][0] not in (250, 251):
        return _rcpt_error(recipient, *rest[0])
    if len(rest) > 1 and rest[1][0] != 354:
        return _data_error(recipient, *rest[1])
    return None


def _rcpt_error(recipient: str, code: int, msg: bytes | str) -> DeliveryError:
    """A refused recipient. The rule (issue 14: a relay answering `550 Relaying
    denied` to everyone must not bounce a whole list):

    - 4xx: transient, retried (greylisting, a full queue);
    - 5xx with an enhanced status code other than 5.7.x (e.g. `550 5.1.1 User
      unknown`): about the address, a bounce (`permanent`);
    - 5xx with 5.7.x (relaying denied, policy), or without an enhanced code but
      with words of relaying, login, sender or policy: a :class:`Refusal`, never a
      bounce: deferred to the next run;
    - any other bare 5xx (`550 No such user`): a `confirmable` :class:`Refusal`, a
      bounce only once the same server accepts a later recipient.

    Refusals in a row count towards `max_consecutive_failures`, which pauses the
    send with the server's answer."""
    text = _text(msg)
    error = f"{recipient}: {code} {text}"
    if not 500 <= code < 600:
        return DeliveryError(error, code=code)
    enhanced = _enhanced(text)
    if enhanced is not None and enhanced[1] != 7:
        return DeliveryError(error, permanent=True, code=code)
    confirmable = enhanced is None and not _POLICY_WORDS.search(text)
    return Refusal(error, code=code, confirmable=confirmable)


def _data_error(recipient: str, code: int, msg: bytes | str) -> DeliveryError:
    """Refused after DATA: only a mailbox status (5.1.x, 5.2.1) bounces the address;
    content or policy refusals are the message's problem, not the subscriber's."""
    text = _text(msg)
    enhanced = _enhanced(text)
    bounce = (
        500 <= code < 600 and enhanced is not None and (enhanced[1] == 1 or enhanced[1:] == (2, 1))
    )
    return DeliveryError(f"{recipient}: {code} {text}", permanent=bounce, code=code)


def make_transport(settings: TransportSettings) -> Transport:
    if settings.kind == "smtp":
        return SmtpTransport(settings)
    if settings.kind == "memory":
        return MemoryTransport()
    return OutboxTransport(settings.path)
