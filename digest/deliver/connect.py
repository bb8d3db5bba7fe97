"""Opening an SMTP connection from `[transport]`: connect, be greeted, STARTTLS or
implicit TLS, EHLO and AUTH, each failure raised in the operator's words.

Connecting and the greeting (and the TLS handshake of "tls") wait at most
`connect_timeout`: an address that never answers (blackholed, no refusal) is given up
on soon and raised as :class:`Unreachable`, which the engine tries again a few times
before it pauses the send (digest.deliver.reconnect); every later exchange, a slow
answer to DATA included, keeps the longer `timeout`. A server that cannot be used at
all (login refused, certificate not trusted, TLS not offered) raises
:class:`TransportError`. Certificates are always verified. Knows nothing of messages.
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import socket
import ssl

from digest.config import SMTP_PASSWORD_ENV, Settings, TransportSettings
from digest.deliver.replies import TransportError, Unreachable, missing_extension, reply_text
from digest.errors import ConfigError, DeliveryError


def check_login(settings: Settings) -> None:
    """:class:`ConfigError`, naming the file, when `[transport]` asks for a login this
    process cannot make as it is: no password in the environment, or one that would go
    unencrypted to another host. Called before a send starts (nothing claimed, nothing
    paused) and before `digest worker` takes batches; no connection is opened."""
    s = settings.transport
    if s.kind != "smtp" or not s.username:
        return
    if not s.password:
        raise ConfigError(
            f"{settings.path}: [transport] username is {s.username!r} but "
            f"${SMTP_PASSWORD_ENV} is not set in the environment; set it to the relay's "
            "password (it is never read from the file), or remove username"
        )
    if s.security == "none" and not _is_loopback(s.host):
        raise ConfigError(
            f'{settings.path}: [transport] username is set but security = "none": '
            f"refusing to send the password unencrypted to {s.host}; set "
            '[transport] security = "starttls" or "tls"'
        )


def connect(s: TransportSettings) -> smtplib.SMTP:
    """A connection to `s.host`, greeted, encrypted as `s.security` says and logged in."""
    where = f"{s.host}:{s.port}"
    password = s.password
    if s.username and not password:
        raise TransportError(
            f"{where}: [transport] username is {s.username!r} but ${SMTP_PASSWORD_ENV} is not set"
        )
    if s.username and s.security == "none" and not _is_loopback(s.host):
        raise TransportError(
            f"{where}: refusing to send the password unencrypted; set "
            '[transport] security = "starttls" or "tls"'
        )
    conn: smtplib.SMTP | None = None
    greeted = min(s.connect_timeout, s.timeout)
    try:
        if s.security == "tls":
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=greeted, context=_context(s))
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=greeted)
        _longer(conn, s.timeout)
        if s.security == "starttls":
            conn.starttls(context=_context(s))
        conn.ehlo_or_helo_if_needed()
        if s.username:
            conn.login(s.username, password or "")
    except ssl.SSLCertVerificationError as exc:
        close_quietly(conn)
        raise _untrusted(s, exc) from None
    except ssl.SSLError as exc:
        close_quietly(conn)
        raise TransportError(
            f"{where}: TLS failed ({exc.reason or exc}); check [transport] "
            "security and port (465 is usually tls, 587 starttls)"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        close_quietly(conn)
        raise TransportError(f"{where}: {missing_extension(str(exc))}") from None
    except smtplib.SMTPAuthenticationError as exc:
        close_quietly(conn)
        raise TransportError(
            f"{where}: login as {s.username} refused ({exc.smtp_code} "
            f"{reply_text(exc.smtp_error)})",
            code=exc.smtp_code,
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        if conn is None:  # connected, never greeted (a timeout, or closed at once)
            cause = exc.__context__
            why = _why(cause) if isinstance(cause, OSError) else "closed without a greeting"
            raise Unreachable(f"cannot connect to {where}: {why}") from None
        close_quietly(conn)
        raise DeliveryError(f"{where}: cannot connect ({exc})") from None
    except smtplib.SMTPException as exc:
        close_quietly(conn)
        if s.username and "AUTH" in str(exc):
            raise TransportError(f"{where}: cannot log in ({exc})") from None
        raise DeliveryError(f"{where}: cannot connect ({exc})") from None
    except OSError as exc:
        if conn is None:  # no connection made (or none that greeted): nobody to ask
            raise Unreachable(f"cannot connect to {where}: {_why(exc)}") from None
        close_quietly(conn)
        raise DeliveryError(f"{where}: cannot connect ({exc})") from None
    return conn


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _context(s: TransportSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise TransportError(
            f"{s.ca_file}: cannot load the CA certificates of [transport] ca_file ({exc})"
        ) from None


def _untrusted(s: TransportSettings, exc: ssl.SSLCertVerificationError) -> TransportError:
    hint = (
        f"is it the CA in {s.ca_file}?"
        if s.ca_file
        else "set [transport] ca_file to the CA certificate that signed it"
    )
    return TransportError(
        f"{s.host}:{s.port}: the server's TLS certificate is not trusted "
        f"({exc.verify_message or exc.reason}); {hint}"
    )


def _why(exc: OSError) -> str:
    """Why a connection could not be made, in lower case: "connection refused"."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer (timed out)"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _longer(conn: smtplib.SMTP, timeout: float) -> None:
    """Every exchange after the greeting waits `timeout` (a STARTTLS socket inherits it)."""
    conn.timeout = timeout
    if conn.sock is not None:
        conn.sock.settimeout(timeout)


def close_quietly(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()
