"""Wrap a rendered variant into message bytes, then personalise them per subscriber.

`prepare` runs once per variant: it encodes both bodies (quoted-printable, UTF-8,
lines well under 998 octets) and the fixed headers, keeps each per-subscriber
value as a placeholder on a line of its own, and cuts the message at them
(digest.segments). `personalise` then joins the pieces with a few short byte strings
put in and, when the newsletter has a DKIM key, signs the result (digest.dkim: the
signed headers' canonical form and the body hash up to the first placeholder are
computed once per variant): no template render, CSS inlining, `bytes.replace` over the
message or EmailMessage per subscriber. This module builds bytes; it sends nothing and never
logs a key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

from digest.dkim import DKIM_HEADERS as DKIM_HEADERS
from digest.dkim import DkimSigner, Template
from digest.errors import DeliveryError
from digest.headers import (
    address_line,
    domain_of,
    format_address,
    header_line,
    list_id_line,
    unsubscribe_value,
)
from digest.placeholders import PLACEHOLDERS, PREFERENCES, UNSUBSCRIBE
from digest.segments import Segments

if TYPE_CHECKING:
    from digest.render import Rendered

QP_WIDTH = 76
_SAFE = frozenset(
    b" !\"#$%&'()*+,-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    b"abcdefghijklmnopqrstuvwxyz{|}~"
)
_TOKEN = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")")
#: The header placeholders: random per process like the body's (see digest.render), so a
#: subject made from a feed's headline cannot spell them.
_MARK = secrets.token_hex(16)
TO, MSGID = f"@@TO_{_MARK}@@".encode(), f"@@MESSAGE_ID_{_MARK}@@".encode()
_UNSUB, _PREFS = UNSUBSCRIBE.encode(), PREFERENCES.encode()
_QP_ESCAPE = re.compile(r"[^ -<>-~]")  # what quoted-printable encodes: not in _SAFE
_QP_ESCAPE_BYTES = re.compile(rb"[^ -<>-~]")
# In an ASCII link: white space (str's \s has \x1c-\x1f too), brackets, quotes.
_URL_UNSAFE = re.compile(rb"[\s\x1c-\x1f<>\"']")
_NONCE = re.compile(r"[0-9a-z]{1,32}")  # stays a dot-atom in the Message-ID


def _qp_chars(text: str) -> list[bytes]:
    return [bytes([b]) if b in _SAFE else b"=%02X" % b for b in text.encode("utf-8")]


def _qp_line(chars: list[bytes], out: list[bytes]) -> None:
    """Encode one logical line with soft breaks; trailing space/tab is escaped."""
    if chars and chars[-1] in (b" ", b"\t"):
        chars[-1] = b"=%02X" % chars[-1][0]
    line = b""
    for ch in chars:
        if len(line) + len(ch) > QP_WIDTH - 1:
            out.append(line + b"=")
            line = b""
        line += ch
    out.append(line)


def qp_encode(text: str) -> bytes:
    """Quoted-printable (RFC 2045) with each placeholder kept whole on a line of its own.

    A placeholder is joined to the text around it by soft line breaks; one that ends a
    line keeps that line's hard break (the next line is not joined to it).
    """
    out: list[bytes] = []
    for raw in text.split("\n"):
        raw = raw.rstrip("\r")
        pieces = _TOKEN.split(raw)
        for i, piece in enumerate(pieces):
            more = i + 1 < len(pieces) and any(pieces[i + 1 :])  # text follows on this line
            if i % 2:  # a placeholder
                out.append(piece.encode("ascii") + (b"=" if more else b""))
                continue
            chars = _qp_chars(piece) if piece else []
            if not chars and i > 0:
                continue  # nothing between or after placeholders
            if i + 1 < len(pieces):  # a placeholder follows: end with a soft break
                if not chars:
                    continue  # the line starts with the placeholder
                if chars[-1] in (b" ", b"\t"):
                    chars[-1] = b"=%02X" % chars[-1][0]
                _qp_line(chars, out)
                out[-1] += b"="
            else:
                _qp_line(chars, out)
    return b"\r\n".join(out)


def qp_value(value: str) -> bytes:
    """A substituted value, encoded and wrapped like the body around it."""
    if len(value) < QP_WIDTH and not _QP_ESCAPE.search(value) and value[-1:] not in (" ", "\t"):
        return value.encode("ascii")  # the usual link: nothing to escape or wrap
    out: list[bytes] = []
    _qp_line(_qp_chars(value), out)
    return b"\r\n".join(out)


def _qp_link(url: bytes) -> bytes:
    """`qp_value` of an ASCII link."""
    if len(url) < QP_WIDTH and not _QP_ESCAPE_BYTES.search(url) and url[-1:] not in b" \t":
        return url
    return qp_value(url.decode("ascii"))


@dataclass(frozen=True, slots=True)
class Prepared:
    """A variant's message bytes with per-subscriber placeholders."""

    head: bytes  # headers, with @@TO@@ / @@MESSAGE_ID@@ / placeholders
    body: bytes  # the MIME body
    text_only: bool
    list_id: str
    domain: str
    dkim: DkimSigner | None = None  # signs each personalised message when set
    date: datetime | None = None  # the Date header's time (the DKIM t= tag)
    signing: Template | None = None  # dkim's per-variant plan (made by `prepare`)
    segments: Segments | None = None  # head and body cut at the slots (made by `prepare`)
    nonce: str | None = None  # the edition's (or a test's) part of each Message-ID


def prepare(
    rendered: Rendered,
    *,
    sender: str,
    list_name: str,
    list_title: str,
    edition_id: int,
    nonce: str | None,
    date: datetime,
    text_only: bool = False,
    reply_to: str | None = None,
    test: bool = False,
    dkim: DkimSigner | None = None,
    one_click: bool = True,
) -> Prepared:
    """Encode one variant once; `personalise` fills in the subscriber (and signs).
    `one_click`: the unsubscribe link is https, so List-Unsubscribe-Post (RFC 8058).

    `nonce` goes into every Message-ID (see :func:`message_id`): the stored edition's,
    or a fresh one for a test message; None only for an edition stored before nonces.
    """
    if nonce is not None and not _NONCE.fullmatch(nonce):
        raise DeliveryError(f"edition {edition_id}: nonce {nonce!r} is not 1-32 of [0-9a-z]")
    domain = domain_of(sender)
    list_id = f"{list_name}.{domain}"
    subject = ("[TEST] " if test else "") + rendered.subject
    head = b"".join(
        [
            address_line("From", sender),
            b"To: " + TO + b"\r\n",
            header_line("Subject", subject),
            header_line("Date", format_datetime(date)),
            b"Message-ID: " + MSGID + b"\r\n",
            address_line("Reply-To", reply_to) if reply_to else b"",
            list_id_line(list_title, list_id),
            # The whole value is the subscriber's (folded before a long URL).
            b"List-Unsubscribe:" + _UNSUB + b"\r\n",
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" if one_click else b"",
            b"Precedence: bulk\r\n",
            f"X-Digest-Edition: {edition_id}\r\n".encode(),
            b"MIME-Version: 1.0\r\n",
        ]
    )
    if text_only:
        text = text_part(rendered.text)
        split = text.index(b"\r\n\r\n")
        return _signed(
            Prepared(
                head + text[: split + 2],
                text[split + 4 :],
                True,
                list_id,
                domain,
                nonce=nonce,
            ),
            dkim,
            date,
        )
    content_type, body = alternative(rendered.text, rendered.html)
    return _signed(
        Prepared(head + content_type, body, False, list_id, domain, nonce=nonce), dkim, date
    )


def text_part(text: str) -> bytes:
    """The plain-text part, its headers and body: `text` as
    :func:`digest.render.text.flowed_part` made it, format=flowed, DelSp=no (RFC 3676),
    quoted-printable (a flowed line's trailing space kept as "=20"). The edition's, the
    welcome's and the confirmation's; a single-part message has its headers as its own."""
    return (
        b'Content-Type: text/plain; charset="utf-8"; format=flowed; delsp=no\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp_encode(text) + b"\r\n"
    )


def alternative(text: str, html: str) -> tuple[bytes, bytes]:
    """The Content-Type header and the body of a multipart/alternative message: the
    flowed text part (:func:`text_part`), then the HTML (RFC 2046: the preferred last).
    The boundary is a hash of both, so the same bodies make the same bytes."""
    html_part = (
        b'Content-Type: text/html; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp_encode(html) + b"\r\n"
    )
    seed = hashlib.sha256(html.encode() + text.encode()).hexdigest()[:24]
    boundary = f"=_digest_{seed}".encode()
    content_type = b'Content-Type: multipart/alternative;\r\n boundary="' + boundary + b'"\r\n'
    body = (
        b"This is a multi-part message in MIME format.\r\n\r\n"
        + b"--"
        + boundary
        + b"\r\n"
        + text_part(text)
        + b"--"
        + boundary
        + b"\r\n"
        + html_part
        + b"--"
        + boundary
        + b"--\r\n"
    )
    return content_type, body


# The kinds of slot (digest.segments): the values `personalise` puts in, in this order
# (the header's unsubscribe slot is List-Unsubscribe's whole value, `unsubscribe_value`).
_TO, _MSGID, _HEAD_UNSUB, _BODY_UNSUB, _BODY_PREFS = range(5)
#: The per-subscriber placeholders of the header block and of the body, and their slots.
HEAD_MARKS = {TO: _TO, MSGID: _MSGID, _UNSUB: _HEAD_UNSUB}
BODY_MARKS = {_UNSUB: _BODY_UNSUB, _PREFS: _BODY_PREFS}


def _signed(prepared: Prepared, dkim: DkimSigner | None, date: datetime) -> Prepared:
    segments = Segments(prepared.head, prepared.body, HEAD_MARKS, BODY_MARKS)
    if dkim is None:
        return replace(prepared, date=date, segments=segments)
    plan = dkim.template(prepared.head, prepared.body, segments, HEAD_MARKS, now=date)
    return replace(prepared, dkim=dkim, date=date, signing=plan, segments=segments)


def message_id(edition_id: int, subscriber_id: int, domain: str, nonce: str | None) -> str:
    """`<digest.EDITION.SUBSCRIBER.NONCE@domain>`: the same each time this copy is made,
    nobody else's.

    The same: a copy resent after a crash repeats its ID, so the receiver drops the
    duplicate; hence the nonce is stored with the edition (64 random bits, digest.store)
    rather than made per message. Nobody else's: ids alone repeat in every installation,
    recreated database and `digest demo`, and Gmail hides a message whose ID it has
    seen. Random, not a keyed hash of the creation time: that repeats wherever two
    databases share the key and the build time (as demos do), and the ID then tells
    nothing of a key (nor of an address: the subscriber is an id). A test message
    gets a fresh nonce. None (an edition stored before nonces) is the old form, so its
    resumed send repeats the IDs it delivered. A dot-atom msg-id (RFC 5322).
    """
    if nonce is None:
        return f"<digest.{edition_id}.{subscriber_id}@{domain}>"
    return f"<digest.{edition_id}.{subscriber_id}.{nonce}@{domain}>"


def personalise(
    prepared: Prepared,
    *,
    edition_id: int,
    subscriber_id: int,
    email: str,
    name: str,
    unsubscribe_url: str,
    preferences_url: str,
) -> bytes:
    """The finished message for one subscriber (:func:`personalise_links` with the
    links as text)."""
    for url in (unsubscribe_url, preferences_url):
        if not url.isascii():
            raise DeliveryError(f"{email}: link {url!r} is not a plain ASCII URL")
    return personalise_links(
        prepared,
        edition_id=edition_id,
        subscriber_id=subscriber_id,
        email=email,
        name=name,
        unsubscribe_url=unsubscribe_url.encode("ascii"),
        preferences_url=preferences_url.encode("ascii"),
    )


def personalise_links(
    prepared: Prepared,
    *,
    edition_id: int,
    subscriber_id: int,
    email: str,
    name: str,
    unsubscribe_url: bytes,
    preferences_url: bytes,
) -> bytes:
    """The finished message for one subscriber: the prepared pieces joined with their
    address, Message-ID and links put in, then the DKIM signature when the variant was
    prepared with a signer. An address that is not ASCII (EAI) is put in the To: header
    as raw UTF-8 (RFC 6532): such a copy can only go over SMTPUTF8, which the transport
    sees from the envelope; every other byte is the same as for an ASCII address."""
    for url in (unsubscribe_url, preferences_url):
        if not url.isascii() or _URL_UNSAFE.search(url):
            shown = url.decode("ascii", "replace")
            raise DeliveryError(f"{email}: link {shown!r} is not a plain ASCII URL")
    values = (
        format_address(name, email).encode("utf-8"),
        message_id(edition_id, subscriber_id, prepared.domain, prepared.nonce).encode("ascii"),
        unsubscribe_value(unsubscribe_url),
        _qp_link(unsubscribe_url),
        _qp_link(preferences_url),
    )
    if prepared.signing is not None:
        return prepared.signing.sign(values)
    segments = prepared.segments
    if segments is None:  # a Prepared made by hand, not by `prepare`
        segments = Segments(prepared.head, prepared.body, HEAD_MARKS, BODY_MARKS)
    return b"".join(segments.fill(values))
