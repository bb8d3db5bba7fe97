"""Message bytes: placeholders in quoted-printable, address headers, DKIM signing."""

from __future__ import annotations

import base64
import quopri
import re
import smtplib
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from digest.app import App
from digest.config import DKIM_KEY_ENV
from digest.dkim import DkimKey
from digest.errors import ConfigError
from digest.message import DKIM_HEADERS, DkimSigner, personalise, prepare, qp_encode, qp_value
from digest.records import Subscriber
from digest.render import PREFERENCES, UNSUBSCRIBE, Rendered, Variant
from tests.conftest import Mailbox
from tests.test_render_golden import EDITION_ID, sample_edition, sample_settings

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
READER = Subscriber(7, "reader@example.com", "Søren Ærø", "daily")
UNSUB_URL = "https://brief.example.org/u/" + "A" * 40

# --- quoted-printable with placeholders ----------------------------------------------------


def test_a_placeholder_ending_a_line_keeps_the_line_break_after_it() -> None:
    text = f"Unsubscribe with one click:\n{UNSUBSCRIBE}\n\nThe Brief, 1 Street\n"
    data = personalise(
        prepare(
            Rendered("s", "p", f'<a href="{UNSUBSCRIBE}">u</a>', text),
            sender="The Brief <brief@example.org>",
            list_name="daily",
            list_title="The Brief",
            edition_id=1,
            nonce="3f9a0c1d2e4b5a67",
            date=NOW,
        ),
        edition_id=1,
        subscriber_id=2,
        email="a@example.com",
        name="A",
        unsubscribe_url=UNSUB_URL,
        preferences_url="https://brief.example.org/p/x",
    )
    msg = message_from_bytes(data, policy=policy.default)
    plain = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()
    plain = plain.replace("\r\n", "\n")
    assert f"one click:\n{UNSUB_URL}\n\nThe Brief, 1 Street\n" in plain


PIECES = st.lists(
    st.one_of(
        st.sampled_from([UNSUBSCRIBE, PREFERENCES, "\n", " ", "\n\n"]),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r")),
    ),
    max_size=12,
)


@given(PIECES)
def test_placeholders_anywhere_survive_encoding_and_substitution(pieces: list[str]) -> None:
    text = "".join(pieces)
    encoded = qp_encode(text)
    assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))
    filled = encoded.replace(UNSUBSCRIBE.encode(), qp_value(UNSUB_URL)).replace(
        PREFERENCES.encode(), qp_value("https://brief.example.org/p/" + "b" * 90)
    )
    assert all(len(line) <= 76 for line in filled.split(b"\r\n"))
    decoded = quopri.decodestring(filled.replace(b"\r\n", b"\n")).decode("utf-8")
    expected = text.replace(UNSUBSCRIBE, UNSUB_URL).replace(
        PREFERENCES, "https://brief.example.org/p/" + "b" * 90
    )
    assert decoded == expected


# --- headers -------------------------------------------------------------------------------


def test_non_ascii_names_are_encoded_but_addresses_and_list_ids_are_not() -> None:
    prepared = prepare(
        Rendered("Hej", "p", f'<a href="{UNSUBSCRIBE}">Afmeld</a>', f"{UNSUBSCRIBE}\n"),
        sender="Københavnerbrevet, dagligt <brief@example.org>",
        list_name="daily",
        list_title="Københavnerbrevet",
        edition_id=1,
        nonce="3f9a0c1d2e4b5a67",
        date=NOW,
        reply_to="Redaktionen på Ærø <desk@example.org>",
    )
    data = personalise(
        prepared,
        edition_id=1,
        subscriber_id=2,
        email="a@example.com",
        name="Åse Ødegård",
        unsubscribe_url=UNSUB_URL,
        preferences_url=UNSUB_URL,
    )
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "<brief@example.org>" in head and "<desk@example.org>" in head
    assert "<daily.example.org>" in head
    msg = message_from_bytes(data, policy=policy.default)
    sender = msg["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (
        "Københavnerbrevet, dagligt",
        "brief@example.org",
    )
    assert msg["Reply-To"].addresses[0].addr_spec == "desk@example.org"
    assert msg["To"].addresses[0].display_name == "Åse Ødegård"
    assert str(msg["List-Id"]) == "Københavnerbrevet <daily.example.org>"


# --- DKIM ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keypair() -> tuple[bytes, bytes]:
    """A fresh RSA key: (private PEM, the DNS TXT record publishing its public half)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def dns_stub(records: dict[bytes, bytes]):  # type: ignore[no-untyped-def]
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name)

    return lookup


DKIM_TABLE = '\n[newsletter.dkim]\nselector = "brief2026"\ndomain = "example.org"\n'


def signed_message(folder: Path, extra: str = DKIM_TABLE) -> bytes:
    app = App(sample_settings(folder, extra=extra))
    prepared = app.prepare(sample_edition(), Variant(), False, now=NOW)
    return app.message_for(prepared, EDITION_ID, READER)


def test_messages_are_signed_per_subscriber_and_verify(
    tmp_path: Path, keypair: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    pem, record = keypair
    monkeypatch.setenv(DKIM_KEY_ENV, pem.decode())
    data = signed_message(tmp_path)
    lookup = dns_stub({b"brief2026._domainkey.example.org.": record})
    assert dkim.verify(data, dnsfunc=lookup)

    msg = message_from_bytes(data, policy=policy.default)
    tags = dict(re.findall(r"(\w+)=([^;]*)", re.sub(r"\s+", "", str(msg["DKIM-Signature"]))))
    assert (tags["d"], tags["s"], tags["c"], tags["a"]) == (
        "example.org",
        "brief2026",
        "relaxed/simple",
        "rsa-sha256",
    )
    assert tags["t"] == str(int(NOW.timestamp()))
    signed = set(tags["h"].split(":"))
    assert {h.lower() for h in DKIM_HEADERS} - {"reply-to"} <= signed
    # The unsubscribe link is the subscriber's own, inside the signature.
    assert msg["List-Unsubscribe"].strip().startswith("<https://brief.example.org/u/")

    # Tampering with a signed list header, the subject or the body breaks the signature.
    head, body = data.split(b"\r\n\r\n", 1)
    forged = head.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <http://evil.")
    assert not dkim.verify(forged + b"\r\n\r\n" + body, dnsfunc=lookup)
    assert not dkim.verify(
        head + b"\r\n\r\n" + body.replace(b"Harbour", b"Harb0ur", 1), dnsfunc=lookup
    )
    added = b"List-Unsubscribe: <https://evil.example/u>\r\n" + data
    assert not dkim.verify(added, dnsfunc=lookup)  # oversigned: no second copy can be added


def test_the_key_can_come_from_a_key_file(
    tmp_path: Path, keypair: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DKIM_KEY_ENV, raising=False)
    pem, record = keypair
    (tmp_path / "dkim.pem").write_bytes(pem)
    data = signed_message(tmp_path, DKIM_TABLE + 'key_file = "dkim.pem"\n')
    assert dkim.verify(data, dnsfunc=dns_stub({b"brief2026._domainkey.example.org.": record}))


def test_without_a_dkim_table_nothing_is_signed(tmp_path: Path) -> None:
    assert b"DKIM-Signature" not in signed_message(tmp_path, "")


def test_a_missing_key_names_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DKIM_KEY_ENV, raising=False)
    with pytest.raises(
        ConfigError, match=rf"newsletter\.dkim needs a private key.*\${DKIM_KEY_ENV}"
    ):
        signed_message(tmp_path)


def test_a_bad_key_is_refused_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n"
    monkeypatch.setenv(DKIM_KEY_ENV, secret)
    with pytest.raises(ConfigError) as caught:
        signed_message(tmp_path)
    assert f"${DKIM_KEY_ENV}: not an RSA private key" in str(caught.value)
    assert "bm90IGEga2V5" not in str(caught.value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('selector = "a b"\ndomain = "example.org"', r"newsletter\.dkim\.selector"),
        ('selector = "s"\ndomain = "localhost"', r"newsletter\.dkim\.domain"),
        ('selector = "s"', r"missing key newsletter\.dkim\.domain"),
        ('selector = "s"\ndomain = "example.org"\nkey_file = "nope.pem"', r"no such file"),
        ('selector = "s"\ndomain = "example.org"\nprivate_key = "x"', r"not read from the file"),
    ],
)
def test_dkim_settings_are_checked(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        sample_settings(tmp_path, extra=f"\n[newsletter.dkim]\n{table}\n")


def test_a_signature_survives_delivery_through_a_real_smtp_server(
    tmp_path: Path,
    keypair: tuple[bytes, bytes],
    monkeypatch: pytest.MonkeyPatch,
    smtp_server: Mailbox,
) -> None:
    pem, record = keypair
    monkeypatch.setenv(DKIM_KEY_ENV, pem.decode())
    data = signed_message(tmp_path)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as smtp:
        smtp.sendmail("brief@example.org", [READER.email], data)
    (received,) = smtp_server.messages
    lookup = dns_stub({b"brief2026._domainkey.example.org.": record})
    assert dkim.verify(received.data, dnsfunc=lookup)


def test_a_signer_signs_what_it_is_given(keypair: tuple[bytes, bytes]) -> None:
    pem, record = keypair
    signer = DkimSigner([DkimKey("s1", "example.org", pem, origin="test")])
    data = b"From: a@example.org\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
    signed = signer.sign(data, now=NOW)
    assert signed.endswith(data)
    assert dkim.verify(signed, dnsfunc=dns_stub({b"s1._domainkey.example.org.": record}))
