"""Lint the MIME structure: `multipart/alternative` with text then HTML, UTF-8, and
transfer encodings that survive every relay; and find a part's decoded text.

Reads a parsed message; reports findings, never raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage, Message

from digest.lint.findings import Finding, find
from digest.lint.headers import MAX_LINE


def check_structure(msg: EmailMessage) -> Iterator[Finding]:
    kind = msg.get_content_type()
    alternative = kind == "multipart/alternative"
    kinds = [part.get_content_type() for part in msg.iter_parts()] if alternative else [kind]
    if kinds == ["text/plain"]:
        yield find("mime-no-html")
    elif kind == "text/html" or (alternative and "text/plain" not in kinds):
        yield find("mime-html-only")
    elif not alternative:
        yield find("mime-not-alternative", kind=kind)
    elif kinds[0] != "text/plain" or kinds[-1] != "text/html":
        yield find("mime-part-order", kinds=", ".join(kinds))
    charsets, eight_bit, bad = [], [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind, charset = part.get_content_type(), part.get_content_charset() or "none"
        if part.get_content_maintype() == "text" and charset not in ("utf-8", "utf8"):
            charsets.append(f"{kind} ({charset})")
        cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
        if cte == "8bit":
            eight_bit.append(kind)
        elif cte not in ("quoted-printable", "base64") and not (cte == "7bit" and _is_7bit(part)):
            bad.append(f"{kind} ({cte})")
    if charsets:
        yield find("mime-charset", parts=", ".join(charsets))
    if bad:
        yield find("mime-transfer-encoding", parts=", ".join(bad))
    if eight_bit:
        yield find("mime-8bit", parts=", ".join(eight_bit))


def _is_7bit(part: Message) -> bool:
    try:
        payload = part.get_payload()
    except ValueError:  # a charset Python cannot name ("utf-\0-8"): no 7bit text
        return False
    if not isinstance(payload, str) or not payload.isascii():
        return False
    return all(len(line) <= MAX_LINE for line in payload.splitlines())


def flowed(msg: EmailMessage) -> bool:
    """Whether the first inline text/plain part is format=flowed (RFC 3676)."""
    for part in msg.walk():
        if part.get_content_type() == "text/plain" and not part.is_attachment():
            return str(part.get_param("format", "")).lower() == "flowed"
    return False


def body(msg: EmailMessage, subtype: str) -> str | None:
    """The decoded text of the first inline text/<subtype> part, or None."""
    for part in msg.walk():
        if part.get_content_type() == f"text/{subtype}" and not part.is_attachment():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            try:
                return data.decode(part.get_content_charset() or "utf-8", "replace")
            except (LookupError, ValueError):  # unknown, or a NUL in its name
                return data.decode("utf-8", "replace")
    return None
