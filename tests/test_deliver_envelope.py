"""Envelope senders: each edition copy's own signed VERP address; single messages the
newsletter's plain address, DKIM-signed, through the one `send_one` path."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest.app import App
from digest.bounces.verp import read_tag
from digest.config import DKIM_KEY_ENV
from digest.deliver.run import SendOptions, send_edition
from digest.subscribers import send_confirmation, subscribe
from digest.web.desk_edition import send_test
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

BOUNCES = '\n[bounces]\nreturn_path = "bounces@example.org"\n'


@dataclass
class EnvelopeHandler(FaultyHandler):
    """Also keeps each accepted recipient's envelope sender (MAIL FROM)."""

    senders: dict[str, str] = field(default_factory=dict)
    messages: dict[str, bytes] = field(default_factory=dict)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.senders[rcpt] = envelope.mail_from
                self.messages[rcpt] = envelope.original_content or envelope.content
        return "250 OK"


@pytest.mark.parametrize("workers", [1, 2])
def test_each_copy_has_its_own_verp_envelope_sender(
    tmp_path: Path, db_url: str, workers: int
) -> None:
    handler = EnvelopeHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, extra=BOUNCES, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 30)
        summary = send_edition(app, edition, options=SendOptions(workers=workers))
        assert summary.sent == 30 and summary.paused is None
    ids = {s.email: s.id for s in app.store.subscribers("daily")}
    assert set(handler.senders) == set(emails)
    keys = app.verp_keys()
    for email, sender in handler.senders.items():
        assert sender.startswith("bounces+") and sender.endswith("@example.org"), sender
        tagged = read_tag(sender, "bounces@example.org", keys)
        assert tagged is not None, sender
        assert (tagged.edition_id, tagged.subscriber_id) == (edition, ids[email])


def test_without_a_return_path_the_envelope_sender_is_the_newsletters(tmp_path: Path) -> None:
    handler = EnvelopeHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 3)
        send_edition(app, edition)
    sender = app.envelope_sender(edition, 1)
    assert "+" not in sender and set(handler.senders.values()) == {sender}


@pytest.fixture
def rsa_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    monkeypatch.setenv(DKIM_KEY_ENV, pem.decode())
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


DKIM_TABLE = '\n[newsletter.dkim]\nselector = "s1"\ndomain = "example.org"\n'


def test_confirmations_and_test_sends_are_signed_and_use_the_plain_sender(
    tmp_path: Path, rsa_key: bytes
) -> None:
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return rsa_key if name == b"s1._domainkey.example.org." else None

    handler = EnvelopeHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, extra=BOUNCES + DKIM_TABLE)
        app = App.from_config(config)
        edition = build(app)
        added = subscribe(app, "daily", "new@example.net", "New", origin="test", now=NOW)
        assert added.subscriber is not None
        send_confirmation(app, added.subscriber, now=NOW)
        send_test(app, edition, "editor@example.net", as_subscriber=None, now=NOW)
    for rcpt in ("new@example.net", "editor@example.net"):
        # The newsletter's own address: a single message has no VERP tag.
        assert handler.senders[rcpt] == "brief@example.org", handler.senders
        assert dkim.verify(handler.messages[rcpt], dnsfunc=lookup), rcpt
        assert handler.messages[rcpt].count(b"DKIM-Signature:") == 1
