"""DKIM at wire speed: OpenSSL RSA, a body hash per variant, Ed25519 dual signing.

Every signature is checked by dkimpy's verifier against the test key's TXT record.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from digest.app import App
from digest.config import DKIM_ED25519_KEY_ENV, DKIM_KEY_ENV
from digest.dkim import DkimKey, DkimSigner, public_record
from digest.errors import ConfigError
from digest.headers import format_address
from digest.message import MSGID, TO, Prepared, message_id, qp_value
from digest.records import Subscriber
from digest.render import PREFERENCES, UNSUBSCRIBE, Variant
from tests.test_render_golden import EDITION_ID, sample_edition, sample_settings

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
TABLE = '\n[newsletter.dkim]\nselector = "brief2026"\ndomain = "example.org"\n'
DUAL = TABLE + 'ed25519_selector = "brief2026e"\n'


def _pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def ed_pem() -> str:
    return _pem(ed25519.Ed25519PrivateKey.generate())


def _dns(signer: DkimSigner):  # type: ignore[no-untyped-def]
    records = {r.name: r.text for r in map(public_record, signer.keys)}

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name)

    return lookup


def _verify_all(data: bytes, signer: DkimSigner) -> list[bytes]:
    """Verify every DKIM-Signature in `data`; return their a= tags."""
    count = len(re.findall(rb"(?im)^DKIM-Signature:", data))
    algorithms = []
    for idx in range(count):
        verifier = dkim.DKIM(data)
        assert verifier.verify(idx=idx, dnsfunc=_dns(signer)), (idx, verifier.signature_fields)
        algorithms.append(verifier.signature_fields[b"a"])
    return algorithms


def _none_verifies(data: bytes, signer: DkimSigner) -> bool:
    """No DKIM-Signature in `data` verifies (and there is one at least)."""
    count = len(re.findall(rb"(?im)^DKIM-Signature:", data))
    return count > 0 and not any(_verifies(data, idx, signer) for idx in range(count))


def _verifies(data: bytes, idx: int, signer: DkimSigner) -> bool:
    try:
        return bool(dkim.DKIM(data).verify(idx=idx, dnsfunc=_dns(signer)))
    except dkim.DKIMException:  # a body hash that does not match, say
        return False


def _signing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_pem: str, ed_pem: str, table: str
) -> tuple[App, DkimSigner]:
    """The sample newsletter signing with the keys `table` names, and its signer."""
    monkeypatch.setenv(DKIM_KEY_ENV, rsa_pem)
    monkeypatch.setenv(DKIM_ED25519_KEY_ENV, ed_pem)
    app = App(sample_settings(tmp_path, extra=table))
    signer = DkimSigner.from_settings(app.settings.newsletter.dkim, app.settings.path)
    assert signer is not None
    return app, signer


SUBSCRIBERS = [
    Subscriber(7, "reader@example.com", "Søren Ærø", "daily"),
    Subscriber(8, "b@example.com", "", "daily", format="text"),
    Subscriber(9, "c@example.com", 'A, very "quoted" name ' * 4, "daily", sections=("Culture",)),
    Subscriber(123456789, "d@example.com", "Plain Name", "daily"),
    # EAI (RFC 6532): the address raw UTF-8 in To:, signed and verified as it is.
    Subscriber(10, "josé@example.com", "José Ørsted", "daily"),
    Subscriber(11, "अजय@डाटा.भारत", "", "daily", format="text"),
]


@pytest.mark.parametrize("table", [TABLE, DUAL], ids=["rsa", "rsa+ed25519"])
def test_every_personalised_copy_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_pem: str, ed_pem: str, table: str
) -> None:
    app, signer = _signing(tmp_path, monkeypatch, rsa_pem, ed_pem, table)
    edition = sample_edition()
    expected = [b"rsa-sha256"] + ([b"ed25519-sha256"] if table == DUAL else [])
    for sub in SUBSCRIBERS:
        variant, text_only = app.variant_for(sub)
        prepared = app.prepare(edition, variant, text_only, now=NOW)
        assert prepared.signing is not None  # the per-variant plan, not a sign per message
        data = app.message_for(prepared, EDITION_ID, sub)
        assert _verify_all(data, signer) == expected
        # Every signature covers this subscriber's own headers and links. (The link in
        # List-Unsubscribe: a signature's base64 may hold "/u/" too, and a forgery there
        # broke only that signature: the test failed one run in a hundred.)
        head, body = data.split(b"\r\n\r\n", 1)
        at = head.index(b"/u/", head.index(b"\r\nList-Unsubscribe:"))
        forged = head[:at] + b"/u/X" + head[at + 3 :]
        assert _none_verifies(forged + b"\r\n\r\n" + body, signer)
        assert _none_verifies(head + b"\r\n\r\n" + body.replace(b"/p/", b"/p/X", 1), signer)


def test_an_ed25519_key_alone_signs_ed25519_sha256(tmp_path: Path, ed_pem: str) -> None:
    signer = DkimSigner([DkimKey("e1", "example.org", ed_pem.encode(), origin="test")])
    data = b"From: a@example.org\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n\r\n\r\n"
    signed = signer.sign(data, now=NOW)
    assert _verify_all(signed, signer) == [b"ed25519-sha256"]


def test_the_fast_path_signs_what_the_generic_signer_signs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_pem: str
) -> None:
    """The per-variant template (canonical headers and body-hash prefix computed once)
    gives exactly the signature of signing the finished message from scratch; also
    with List-Unsubscribe folded before a long URL (a big subscriber id's token)."""
    monkeypatch.setenv(DKIM_KEY_ENV, rsa_pem)
    app = App(sample_settings(tmp_path, extra=TABLE))
    prepared = app.prepare(sample_edition(), Variant(), False, now=NOW)
    folds = []
    for sub in (SUBSCRIBERS[2], replace(SUBSCRIBERS[2], id=10**12)):
        data = app.message_for(prepared, EDITION_ID, sub)
        signature, message = data.split(b"\r\n", 4)[:4], data.partition(b"\r\nFrom: ")
        unsigned = b"From: " + message[2]
        assert prepared.dkim is not None
        again = prepared.dkim.sign(unsigned, now=NOW)
        assert again == data, signature
        folds.append(b"\r\nList-Unsubscribe:\r\n <https://" in data)
    assert folds == [False, True]


def test_a_second_selector_without_its_key_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_pem: str
) -> None:
    monkeypatch.setenv(DKIM_KEY_ENV, rsa_pem)
    monkeypatch.delenv(DKIM_ED25519_KEY_ENV, raising=False)
    app = App(sample_settings(tmp_path, extra=DUAL))
    with pytest.raises(ConfigError, match=DKIM_ED25519_KEY_ENV):
        app.prepare(sample_edition(), Variant(), False, now=NOW)


def _by_hand(
    prepared: Prepared, subscriber: Subscriber, unsubscribe: str, preferences: str
) -> bytes:
    """The unsigned copy made the slow, obvious way: each placeholder replaced in the
    whole header block and body (what personalising did before it joined pieces);
    List-Unsubscribe folded after its colon when its line would pass 78 characters."""
    line = f"List-Unsubscribe: <{unsubscribe}>"
    field = line if len(line) <= 78 else f"List-Unsubscribe:\r\n <{unsubscribe}>"
    head = (
        prepared.head.replace(TO, format_address(subscriber.name, subscriber.email).encode())
        .replace(
            MSGID, message_id(EDITION_ID, subscriber.id, prepared.domain, prepared.nonce).encode()
        )
        .replace(f"List-Unsubscribe:{UNSUBSCRIBE}".encode(), field.encode())
    )
    body = prepared.body.replace(UNSUBSCRIBE.encode(), qp_value(unsubscribe)).replace(
        PREFERENCES.encode(), qp_value(preferences)
    )
    return head + b"\r\n" + body


MANY = [
    *SUBSCRIBERS,
    Subscriber(1, "a@example.com", "  spaced   out  ", "daily"),
    Subscriber(2, "b.c+tag@example.com", "Ann O'Neil-Smith", "daily", format="text"),
    Subscriber(3, "c@example.com", "x" * 61, "daily"),
    Subscriber(4, "d@example.com", "=?utf-8?q?not_really?=", "daily"),
    Subscriber(5, "e@example.com", "Dr. Who (the Doctor)", "daily", sections=("Culture",)),
    Subscriber(10**10, "f@example.com", "Beyond The Fast Token", "daily"),
    *(Subscriber(1000 + i, f"r{i}@example.net", f"Reader Number{i}", "daily") for i in range(24)),
]


@pytest.mark.parametrize("table", [TABLE, DUAL], ids=["rsa", "rsa+ed25519"])
def test_joined_copies_are_the_replaced_copies_and_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_pem: str, ed_pem: str, table: str
) -> None:
    """A copy joined from the prepared pieces, signed from the per-variant template, is
    byte for byte the copy made by replacing placeholders and signing it from scratch,
    and dkimpy verifies every signature of every copy (names plain, spaced, long,
    encoded, quoted; ids past the fast token's range)."""
    monkeypatch.setenv(DKIM_KEY_ENV, rsa_pem)
    monkeypatch.setenv(DKIM_ED25519_KEY_ENV, ed_pem)
    app = App(sample_settings(tmp_path, extra=table))
    plain = App(sample_settings(tmp_path / "plain"))
    edition = sample_edition()
    expected = [b"rsa-sha256"] + ([b"ed25519-sha256"] if table == DUAL else [])
    for sub in MANY:
        variant, text_only = app.variant_for(sub)
        prepared = app.prepare(edition, variant, text_only, now=NOW)
        assert prepared.dkim is not None
        data = app.message_for(prepared, EDITION_ID, sub)
        by_hand = _by_hand(prepared, sub, *_urls(app, sub.id))
        assert data == prepared.dkim.sign(by_hand, now=NOW), sub
        assert _verify_all(data, prepared.dkim) == expected
        unsigned = plain.prepare(edition, variant, text_only, now=NOW)
        assert unsigned.signing is None
        assert plain.message_for(unsigned, EDITION_ID, sub) == _by_hand(
            unsigned, sub, *_urls(plain, sub.id)
        )


def _urls(app: App, subscriber_id: int) -> tuple[str, str]:
    return app.links.unsubscribe_url(subscriber_id), app.links.preferences_url(subscriber_id)


def test_header_lines_keep_within_78_characters_and_still_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_pem: str, ed_pem: str
) -> None:
    """RFC 5322 2.1.1: a line SHOULD keep within 78 characters. The Subject, the
    multipart Content-Type and the DKIM h= list were single lines of 80-150; they are
    folded now and read back the same (the Subject's words, the boundary) and verify.
    So is List-Unsubscribe, after its colon: its URL (the base URL and a token) is left
    whole on a line of its own, as mail providers read it for one-click unsubscribe."""
    from email import message_from_bytes, policy

    app, signer = _signing(tmp_path, monkeypatch, rsa_pem, ed_pem, DUAL)
    edition = sample_edition()
    lead = replace(
        edition.leads[0],
        title="City council backs the harbour tunnel plan after a long night of debate",
    )
    edition = replace(edition, leads=(lead, *edition.leads[1:]))
    sub = SUBSCRIBERS[0]
    variant, text_only = app.variant_for(sub)
    data = app.message_for(app.prepare(edition, variant, text_only, now=NOW), EDITION_ID, sub)
    head = data.split(b"\r\n\r\n", 1)[0]
    long = [line for line in head.split(b"\r\n") if len(line) > 78 and b" " in line.strip()]
    assert long == [], long
    assert _verify_all(data, signer) == [b"rsa-sha256", b"ed25519-sha256"]
    msg = message_from_bytes(data, policy=policy.default)
    subject = app.renderer.subject(edition)
    assert len(f"Subject: {subject}") > 78  # the sample's Subject does need folding
    assert msg["Subject"] == subject
    assert msg.get_content_type() == "multipart/alternative" and msg.get_boundary()
