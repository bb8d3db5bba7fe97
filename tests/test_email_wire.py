"""What a receiver sees of a sent edition: the raw bytes the SMTP server took in.

DKIM is checked with dkimpy against the key's TXT record; header syntax against RFC
5322 / 2047 limits (an encoded word of at most 75 characters, lines of at most 78).
"""

from __future__ import annotations

import re
import smtplib
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest.app import App
from digest.config import DKIM_KEY_ENV, load
from digest.dkim import DkimSigner, public_record
from digest.records import Subscriber
from tests.conftest import Mailbox
from tests.test_render_golden import CONFIG, EDITION_ID, sample_edition, sample_settings

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
TABLE = '\n[newsletter.dkim]\nselector = "brief2026"\ndomain = "example.org"\n'
HTML_READER = Subscriber(7, "reader@example.com", "Søren Ærø", "daily")
TEXT_READER = Subscriber(8, "text@example.com", "Plain Reader", "daily", format="text")
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _sent(app: App, subscriber: Subscriber, smtp_server: Mailbox) -> bytes:
    """`subscriber`'s copy of the sample edition, as the SMTP server received it."""
    variant, text_only = app.variant_for(subscriber)
    prepared = app.prepare(sample_edition(), variant, text_only, now=NOW)
    data = app.message_for(prepared, EDITION_ID, subscriber)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as smtp:
        smtp.sendmail("brief@example.org", [subscriber.email], data)
    return smtp_server.messages[-1].data


def _lookup(app: App):  # type: ignore[no-untyped-def]
    signer = DkimSigner.from_settings(app.settings.newsletter.dkim, app.settings.path)
    assert signer is not None
    records = {r.name: r.text for r in map(public_record, signer.keys)}
    return lambda name, timeout=5: records.get(name)


@pytest.mark.parametrize("subscriber", [HTML_READER, TEXT_READER], ids=["html", "text"])
def test_no_header_can_be_added_in_front_of_a_signed_copy(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rsa_pem: str,
    smtp_server: Mailbox,
    subscriber: Subscriber,
) -> None:
    """A replayed copy with a second To, Date, Message-ID, List-Id or MIME header put
    above the others (where a mail reader looks first), or a Reply-To it did not have,
    must fail DKIM: each signed header is signed once more than it occurs."""
    monkeypatch.setenv(DKIM_KEY_ENV, rsa_pem)
    app = App(sample_settings(tmp_path, extra=TABLE))
    data = _sent(app, subscriber, smtp_server)
    lookup = _lookup(app)
    assert dkim.verify(data, dnsfunc=lookup)
    at = data.index(b"\r\nFrom: ") + 2  # after the DKIM-Signature field
    added = {
        b"To": b"victim@example.net",
        b"Reply-To": b"attacker@example.net",  # a header the copy does not have
        b"Date": b"Sat, 01 Jan 2028 09:00:00 +0000",
        b"Message-ID": b"<replayed@example.net>",
        b"List-Id": b"Other <other.example.net>",
        b"MIME-Version": b"1.0",
        b"Content-Type": b'text/plain; charset="iso-8859-1"',
        b"Content-Transfer-Encoding": b"base64",
    }
    for name, value in added.items():
        forged = data[:at] + name + b": " + value + b"\r\n" + data[at:]
        shown = message_from_bytes(forged, policy=policy.default)[name.decode()]
        assert str(shown) == value.decode()  # what a reader would be shown
        assert not dkim.verify(forged, dnsfunc=lookup), f"a second {name.decode()} verifies"


def test_a_text_copy_signs_its_transfer_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_pem: str, smtp_server: Mailbox
) -> None:
    """The text-only copy's body is quoted-printable; the header saying so is signed."""
    monkeypatch.setenv(DKIM_KEY_ENV, rsa_pem)
    app = App(sample_settings(tmp_path, extra=TABLE))
    data = _sent(app, TEXT_READER, smtp_server)
    assert dkim.verify(data, dnsfunc=_lookup(app))
    head = data.split(b"\r\n\r\n", 1)[0]
    assert re.search(rb"(?m)^Content-Transfer-Encoding: quoted-printable(\r|\Z)", head)
    forged = head.replace(b"quoted-printable", b"8bit") + data[len(head) :]
    assert not dkim.verify(forged, dnsfunc=_lookup(app))


LONG_SENDER = "Københavnerbrevet — Den Daglige Oversigt fra Redaktionen på Ærø og Bornholm"
LONG_TITLE = "Københavnerbrevet — dagligt nyt fra havnen, rådhuset og kulturlivet på Ærø"


def test_long_non_ascii_sender_names_are_folded_encoded_words(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    """RFC 2047: an encoded word is at most 75 characters, so a long non-ASCII From,
    Reply-To or List-Id name is several, one per folded line of at most 78; a reader
    decodes them back to the configured name and address."""
    config = tmp_path / "digest.toml"
    config.write_text(
        CONFIG.format(language="da", extra=f'reply_to = "{LONG_SENDER} <desk@example.org>"')
        .replace("The Sample Brief <brief@example.org>", f"{LONG_SENDER} <brief@example.org>")
        .replace('title = "The Sample Brief"', f'title = "{LONG_TITLE}"'),
        encoding="utf-8",
    )
    data = _sent(App(load(config)), HTML_READER, smtp_server)
    head = data.split(b"\r\n\r\n", 1)[0]
    for word in ENCODED_WORD.findall(head):
        assert len(word) <= 75, word
    fields = re.findall(rb"(?m)^(?:From|Reply-To|List-Id):[^\r]*(?:\r\n[ \t][^\r]*)*", head)
    assert len(fields) == 3
    for line in b"\r\n".join(fields).split(b"\r\n"):
        assert len(line) <= 78, line
    msg = message_from_bytes(data, policy=policy.default)
    for name, address in (("From", "brief@example.org"), ("Reply-To", "desk@example.org")):
        (mailbox,) = msg[name].addresses
        # Python's address parser keeps the space between two encoded words that RFC
        # 2047 drops (the name is cut after a space): a reader shows one space.
        shown = " ".join(mailbox.display_name.split())
        assert (shown, mailbox.addr_spec) == (LONG_SENDER, address)
    assert " ".join(str(msg["List-Id"]).split()) == f"{LONG_TITLE} <daily.example.org>"


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_one_click_unsubscribe_is_offered_only_over_https(
    tmp_path: Path, smtp_server: Mailbox, scheme: str
) -> None:
    """RFC 8058 3.1: the one-click List-Unsubscribe-Post goes with an HTTPS URI only (a
    receiver POSTs to it without asking); an http:// link is still listed (RFC 2369).
    (An http base URL is refused but for this machine: a local test's.)"""
    base = "https://brief.example.org" if scheme == "https" else "http://brief.localhost"
    config = tmp_path / "digest.toml"
    config.write_text(
        CONFIG.format(language="en", extra="").replace("https://brief.example.org", base),
        encoding="utf-8",
    )
    msg = message_from_bytes(
        _sent(App(load(config)), HTML_READER, smtp_server), policy=policy.default
    )
    assert str(msg["List-Unsubscribe"]).strip().startswith(f"<{base}/u/")
    post = msg["List-Unsubscribe-Post"]
    assert (str(post) if post else None) == (
        "List-Unsubscribe=One-Click" if scheme == "https" else None
    )
