"""A long List-Unsubscribe is folded after its colon, and still works everywhere.

Every other header digest writes keeps its lines within 78 characters (RFC 5322 2.1.1);
List-Unsubscribe was one line of 120 and more with a long base URL and a signed token.
It is folded before its URL when the line would pass 78 (the URL in angle brackets is
never broken: a line of its own may pass 78, up to 998). Sent by `send_edition`
through the real aiosmtpd server, DKIM-signed (RSA and Ed25519): what the server took
in verifies with dkimpy, Python's parser and `digest lint` read the URL, and a
receiver's RFC 8058 one-click POST to it unsubscribes the reader.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

from digest.app import App
from digest.config import DKIM_ED25519_KEY_ENV, DKIM_KEY_ENV
from digest.deliver.run import send_edition
from digest.dkim import DkimSigner
from digest.lint import lint_message
from tests.conftest import Mailbox
from tests.test_deliver_dkim import DUAL, _verify_all, ed_pem, rsa_pem  # noqa: F401
from tests.test_desk import running
from tests.test_send_support import NOW, add_subscribers, build, small_project
from tests.test_web_public import ONE_CLICK, local

#: A long (but ordinary) public address: every unsubscribe URL is over 58 characters.
BASE = "https://newsletter-subscriptions.the-copenhagen-brief.example.org"


def _header_lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def test_a_long_list_unsubscribe_is_folded_signed_read_and_one_click_works(
    tmp_path: Path,
    smtp_server: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    rsa_pem: str,  # noqa: F811
    ed_pem: str,  # noqa: F811
) -> None:
    monkeypatch.setenv(DKIM_KEY_ENV, rsa_pem)
    monkeypatch.setenv(DKIM_ED25519_KEY_ENV, ed_pem)
    config = small_project(tmp_path / "news", smtp_server.port, extra=DUAL)
    config.write_text(config.read_text().replace("https://brief.example.org", BASE))
    app = App.from_config(config)
    edition = build(app)
    readers = add_subscribers(app, 3) + add_subscribers(app, 2, start=10, format="text")
    summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == len(readers)
    signer = DkimSigner.from_settings(app.settings.newsletter.dkim, app.settings.path)
    assert signer is not None

    links: dict[str, str] = {}
    for got in smtp_server.messages:
        data = got.data
        lines = _header_lines(data)
        # Within 78 characters, but for a line holding one word alone (the URL).
        long = [line for line in lines if len(line) > 78 and len(line.split()) > 1]
        assert long == [], long
        folded = [n for n, line in enumerate(lines) if line == b"List-Unsubscribe:"]
        assert len(folded) == 1, "List-Unsubscribe: not folded before its URL"
        raw = lines[folded[0] + 1]
        assert re.fullmatch(rb" <%s/u/[A-Za-z0-9._-]+>" % re.escape(BASE.encode()), raw), raw
        assert _verify_all(data, signer) == [b"rsa-sha256", b"ed25519-sha256"]
        msg = message_from_bytes(data, policy=policy.default)
        url = str(msg["List-Unsubscribe"]).strip()
        assert url == raw.decode().strip()
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        codes = {f.code for f in lint_message(data)}
        assert not {c for c in codes if "unsubscribe" in c or "line" in c}, codes
        (recipient,) = got.recipients
        links[recipient] = url[1:-1]
    assert sorted(links) == sorted(readers)

    with running(config) as base, httpx.Client(follow_redirects=False) as client:
        for reader in (readers[0], readers[-1]):  # an HTML reader and a text-only one
            answer = client.post(local(links[reader], base), data=ONE_CLICK)
            assert answer.status_code == 200, answer.text[:300]
            assert "unsubscribed" in answer.text
    status = {s.email: s.status for s in app.store.subscribers("daily")}
    assert [status[r] for r in readers] == [
        "unsubscribed",
        "active",
        "active",
        "active",
        "unsubscribed",
    ]
    app.close()
