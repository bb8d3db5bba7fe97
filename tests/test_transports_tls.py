"""SMTP with STARTTLS, implicit TLS and AUTH against a real aiosmtpd server on loopback.

The server's certificate is self-signed, made here; the sender trusts it only through
`[transport] ca_file`. Verification is never switched off: without the CA the send
stops with a clear message, and so it does on a refused login, a missing password or
a password that would travel unencrypted. None of these bounces anybody.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest.app import App
from digest.config import SMTP_PASSWORD_ENV, TransportSettings
from digest.deliver.run import send_edition
from digest.deliver.transports import SmtpTransport, TransportError
from digest.errors import ConfigError
from tests.certs import self_signed
from tests.test_send_support import NOW, FaultyHandler, add_subscribers, build, small_project
from tests.test_send_support import smtp_server as run_server

USER, PASSWORD = "brief", "correct horse battery staple"


@dataclass
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A self-signed certificate for 127.0.0.1 and localhost (its own CA)."""
    made = self_signed(tmp_path_factory.mktemp("tls"), "digest test SMTP")
    return Cert(made.cert, made.key)


@dataclass
class Logins:
    tried: list[tuple[str, str]] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.tried.append((login, password))
        # handled=False: aiosmtpd answers (235 or 535) itself
        return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False)


class TlsHandler(FaultyHandler):
    """Keeps messages, and whether each came over TLS from a logged-in client."""

    secure: list[bool]

    def __init__(self) -> None:
        super().__init__()
        self.secure = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        tls = server.transport.get_extra_info("ssl_object") is not None
        self.secure.append(tls and bool(session.authenticated))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def starttls(cert: Cert) -> Iterator[tuple[int, TlsHandler, Logins]]:
    handler, logins = TlsHandler(), Logins()
    with run_server(
        handler,
        tls_context=cert.server_context(),
        require_starttls=True,
        auth_require_tls=True,
        authenticator=logins,
    ) as port:
        yield port, handler, logins


def _project(tmp_path: Path, port: int, transport: str) -> tuple[App, int, list[str]]:
    app = App.from_config(small_project(tmp_path / "news", port, transport))
    edition = build(app)
    return app, edition, add_subscribers(app, 5)


def test_starttls_and_auth_with_a_trusted_ca_file(
    tmp_path: Path,
    cert: Cert,
    starttls: tuple[int, TlsHandler, Logins],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, handler, logins = starttls
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    app, edition, emails = _project(
        tmp_path,
        port,
        f'security = "starttls"\nusername = "{USER}"\nca_file = "{cert.cert}"\n',
    )
    summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 5 and summary.paused is None
    assert sorted(handler.per_recipient()) == sorted(emails)
    assert handler.secure == [True] * 5
    assert logins.tried == [(USER, PASSWORD)]  # one connection, reused for every message


def test_implicit_tls(tmp_path: Path, cert: Cert, monkeypatch: pytest.MonkeyPatch) -> None:
    handler, logins = TlsHandler(), Logins()
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    with run_server(
        handler, ssl_context=cert.server_context(), authenticator=logins, auth_require_tls=False
    ) as port:
        app, edition, emails = _project(
            tmp_path, port, f'security = "tls"\nusername = "{USER}"\nca_file = "{cert.cert}"\n'
        )
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 5
    assert sorted(handler.per_recipient()) == sorted(emails)
    assert handler.secure == [True] * 5 and logins.tried == [(USER, PASSWORD)]


def test_an_untrusted_certificate_stops_the_send_without_blaming_anyone(
    tmp_path: Path, starttls: tuple[int, TlsHandler, Logins], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, handler, logins = starttls
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    app, edition, _ = _project(tmp_path, port, f'security = "starttls"\nusername = "{USER}"\n')
    summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 0 and summary.bounced == 0 and summary.paused is not None
    assert f"127.0.0.1:{port}: the server's TLS certificate is not trusted" in summary.paused
    assert "ca_file" in summary.paused
    assert handler.got == [] and logins.tried == []  # the password never left
    assert app.store.edition(edition).status == "paused"
    assert all(s.status == "active" for s in app.store.subscribers("daily"))


def test_a_refused_login_stops_the_send_and_never_shows_the_password(
    tmp_path: Path,
    cert: Cert,
    starttls: tuple[int, TlsHandler, Logins],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, handler, logins = starttls
    monkeypatch.setenv(SMTP_PASSWORD_ENV, "wrong-password-123")
    app, edition, _ = _project(
        tmp_path,
        port,
        f'security = "starttls"\nusername = "{USER}"\nca_file = "{cert.cert}"\n',
    )
    summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 0 and summary.bounced == 0 and summary.paused is not None
    assert handler.got == []
    assert f"login as {USER} refused (535" in summary.paused
    assert "wrong-password-123" not in summary.paused + " ".join(summary.errors)
    # one login (smtplib tries each mechanism offered: PLAIN, LOGIN), not one per subscriber
    assert set(logins.tried) == {(USER, "wrong-password-123")} and len(logins.tried) <= 2
    assert app.store.ledger(edition).get("bounced") is None
    assert all(s.status == "active" for s in app.store.subscribers("daily"))


def test_a_missing_password_is_named(
    tmp_path: Path, cert: Cert, starttls: tuple[int, TlsHandler, Logins]
) -> None:
    port, _handler, logins = starttls
    app, edition, _ = _project(
        tmp_path, port, f'security = "starttls"\nusername = "{USER}"\nca_file = "{cert.cert}"\n'
    )
    with pytest.raises(ConfigError, match=rf"\${SMTP_PASSWORD_ENV} is not set"):
        send_edition(app, edition, clock=lambda: NOW)  # refused before the send starts
    assert app.store.ledger(edition) == {} and logins.tried == []


def test_a_password_is_never_sent_unencrypted_to_another_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    transport = SmtpTransport(
        TransportSettings(kind="smtp", host="smtp.example.org", port=25, username=USER)
    )
    with pytest.raises(TransportError, match='security = "starttls" or "tls"'):
        transport.open()  # refused before any connection is made


def test_starttls_required_but_not_offered_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, logins = TlsHandler(), Logins()
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    with run_server(handler, authenticator=logins, auth_require_tls=False) as port:
        app, edition, _ = _project(tmp_path, port, f'security = "starttls"\nusername = "{USER}"\n')
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 0 and summary.bounced == 0 and summary.paused is not None
    assert (
        f"127.0.0.1:{port}: the server does not offer STARTTLS, which [transport] security = "
        '"starttls" requires' in summary.paused
    ), summary.paused
    assert ".." not in summary.paused
    assert handler.got == [] and logins.tried == []  # the password never left
    assert all(s.status == "active" for s in app.store.subscribers("daily"))


def test_a_login_the_server_does_not_offer_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = TlsHandler()
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    with run_server(handler) as port:  # no authenticator: no AUTH in its EHLO
        app, edition, _ = _project(tmp_path, port, f'username = "{USER}"\n')
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.paused is not None and handler.got == []
    assert (
        f"127.0.0.1:{port}: the server offers no login (AUTH), but [transport] username is set"
        in summary.paused
    ), summary.paused
