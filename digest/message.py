"""Wrap a rendered variant into message bytes, then personalise them per subscriber.

`prepare` runs once per variant: it encodes both bodies (quoted-printable, UTF-8,
lines well under 998 octets) and the fixed headers, and keeps each per-subscriber
value as a placeholder on a line of its own. `personalise` then only substitutes a
few short byte strings: no template render, CSS inlining or EmailMessage per
subscriber. This module builds bytes; it sends nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

from digest.errors import DeliveryError
from digest.render import PLACEHOLDERS, PREFERENCES, UNSUBSCRIBE, Rendered

QP_WIDTH = 76
_SAFE = frozenset(
    b" !\"#$%&'()*+,-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    b"abcdefghijklmnopqrstuvwxyz{|}~"
)
_TOKEN = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")")
TO, MSGID = b"@@TO@@", b"@@MESSAGE_ID@@"


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
    """Quoted-printable (RFC 2045) with each placeholder kept whole on a line of its own."""
    out: list[bytes] = []
    for raw in text.split("\n"):
        raw = raw.rstrip("\r")
        pieces = _TOKEN.split(raw)
        for i, piece in enumerate(pieces):
            if i % 2:  # a placeholder: soft break before and after
                out.append(piece.encode("ascii") + (b"=" if i + 1 < len(pieces) else b""))
                continue
            chars = _qp_chars(piece) if piece else []
            if i + 1 < len(pieces):
                if chars and chars[-1] in (b" ", b"\t"):
                    chars[-1] = b"=%02X" % chars[-1][0]
                _qp_line(chars, out)
                out[-1] += b"="
            elif chars or i == 0:
                _qp_line(chars, out)
    return b"\r\n".join(out)


def qp_value(value: str) -> bytes:
    """A substituted value, encoded and wrapped like the body around it."""
    out: list[bytes] = []
    _qp_line(_qp_chars(value), out)
    return b"\r\n".join(out)


def _header(name: str, value: str) -> bytes:
    if "\r" in value or "\n" in value:
        raise DeliveryError(f"header {name} contains a line break: {value!r}")
    try:
        value.encode("ascii")
        encoded = value
    except UnicodeEncodeError:
        encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}\r\n".encode("ascii")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A variant's message bytes with per-subscriber placeholders."""

    head: bytes  # headers, with @@TO@@ / @@MESSAGE_ID@@ / placeholders
    body: bytes  # the MIME body
    text_only: bool
    list_id: str
    domain: str


def domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def prepare(
    rendered: Rendered,
    *,
    sender: str,
    list_name: str,
    list_title: str,
    edition_id: int,
    date: datetime,
    text_only: bool = False,
    reply_to: str | None = None,
    test: bool = False,
) -> Prepared:
    """Encode one variant once; `personalise` fills in the subscriber."""
    domain = domain_of(sender)
    list_id = f"{list_name}.{domain}"
    subject = ("[TEST] " if test else "") + rendered.subject
    head = b"".join(
        [
            _header("From", sender),
            b"To: " + TO + b"\r\n",
            _header("Subject", subject),
            _header("Date", format_datetime(date)),
            b"Message-ID: " + MSGID + b"\r\n",
            _header("Reply-To", reply_to) if reply_to else b"",
            _header("List-Id", f"{list_title} <{list_id}>"),
            f"List-Unsubscribe: <{UNSUBSCRIBE}>\r\n".encode(),
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
            b"Precedence: bulk\r\n",
            f"X-Digest-Edition: {edition_id}\r\n".encode(),
            b"MIME-Version: 1.0\r\n",
        ]
    )
    text_part = (
        b'Content-Type: text/plain; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp_encode(rendered.text) + b"\r\n"
    )
    if text_only:
        return Prepared(
            head + text_part[: text_part.index(b"\r\n\r\n") + 2],
            text_part[text_part.index(b"\r\n\r\n") + 4 :],
            True,
            list_id,
            domain,
        )
    html_part = (
        b'Content-Type: text/html; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp_encode(rendered.html) + b"\r\n"
    )
    seed = hashlib.sha256(rendered.html.encode() + rendered.text.encode()).hexdigest()[:24]
    boundary = f"=_digest_{seed}".encode()
    head += b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n'
    body = (
        b"This is a multi-part message in MIME format.\r\n\r\n"
        + b"--"
        + boundary
        + b"\r\n"
        + text_part
        + b"--"
        + boundary
        + b"\r\n"
        + html_part
        + b"--"
        + boundary
        + b"--\r\n"
    )
    return Prepared(head, body, False, list_id, domain)


def message_id(edition_id: int, subscriber_id: int, domain: str) -> str:
    """Stable per edition x subscriber: a resent copy carries the same Message-ID."""
    return f"<digest.{edition_id}.{subscriber_id}@{domain}>"


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
    """The finished message for one subscriber: a handful of byte substitutions."""
    if any(c in email for c in "\r\n<>") or any(c in name for c in "\r\n"):
        raise DeliveryError(f"{email!r}: address or name contains a line break or bracket")
    to = formataddr((name, email), charset="utf-8").encode("ascii")
    head = (
        prepared.head.replace(TO, to)
        .replace(MSGID, message_id(edition_id, subscriber_id, prepared.domain).encode())
        .replace(UNSUBSCRIBE.encode(), unsubscribe_url.encode("ascii"))
    )
    body = prepared.body.replace(UNSUBSCRIBE.encode(), qp_value(unsubscribe_url)).replace(
        PREFERENCES.encode(), qp_value(preferences_url)
    )
    return head + b"\r\n" + body
