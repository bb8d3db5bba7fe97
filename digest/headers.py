"""Header lines as a message carries them: an unstructured one (the Subject, RFC 2047
encoded only when it must be), mailboxes (From, To, Reply-To: only the display name is
ever encoded, so a name cannot add or change an address; a To: address that is not
ASCII goes as raw UTF-8, RFC 6532, for a message sent over SMTPUTF8), List-Id (RFC
2919), List-Unsubscribe's value (RFC 2369: folded before its URL, never inside it),
and the sender's domain. A value with a line break is refused (DeliveryError), never
folded into a header of its own. Builds bytes and strings; sends nothing.
"""

from __future__ import annotations

import base64
import re
from email.header import Header
from email.utils import parseaddr

from digest.errors import DeliveryError


def _check(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise DeliveryError(f"header {name} contains a line break: {value!r}")


def header_line(name: str, value: str) -> bytes:
    """An unstructured header (Subject): RFC 2047-encoded only when it is not ASCII or
    holds text a reader would decode as an encoded word (``=?utf-8?b?...?=`` from a
    headline must read literally, not as whatever it encodes)."""
    _check(name, value)
    if value.isascii() and "=?" not in value:
        return f"{folded(name, value)}\r\n".encode("ascii")
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}\r\n".encode("ascii")


def folded(name: str, value: str, width: int = 78) -> str:
    """`name: value` folded before a space wherever a line would pass `width`
    characters (RFC 5322 2.1.1: lines SHOULD keep within 78); unfolding gives the value
    back as it was. A word longer than a line stays whole (998 is the limit)."""
    lines: list[str] = []
    line = f"{name}:"
    for n, word in enumerate(value.split(" ")):
        if n and word and len(line) + 1 + len(word) > width and line.strip():
            lines.append(line)
            line = ""
        line += f" {word}"
    return "\r\n".join([*lines, line])


#: `List-Unsubscribe: <>`: the line a URL is put in.
_UNSUBSCRIBE_LINE = len(b"List-Unsubscribe: <>")


def unsubscribe_value(url: bytes, width: int = 78) -> bytes:
    """What follows `List-Unsubscribe:` for `url`: ` <URL>`, or `CRLF <URL>` (folded
    after the colon) when `List-Unsubscribe: <URL>` would pass `width` characters. The
    URL stays whole on its line (up to 998), as a URL in angle brackets must not be
    broken; unfolding (a parser, relaxed DKIM) gives `<URL>` either way."""
    if _UNSUBSCRIBE_LINE + len(url) <= width:
        return b" <" + url + b">"
    return b"\r\n <" + url + b">"


def split_address(value: str) -> tuple[str, str]:
    """(display name, address) of `Name <a@b>`, also when an unquoted name has a comma."""
    if match := re.fullmatch(r"\s*(.*?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*", value):
        return match[1].strip().strip('"'), match[2]
    return parseaddr(value)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9 !#$%&'*+/?^_`{|}~.,;:()\[\]<>@\"\\-]{1,60}")
_WORD_BYTES = 45  # UTF-8 bytes per encoded word: 60 base64 characters, 72 in all
# A name formataddr leaves unquoted (no specials), its white space single spaces between
# words: `format_address` gives it as it is.
_ATOM = r"[A-Za-z0-9!#$%&'*+/?^_`{|}~-]+"
_BARE_NAME = re.compile(rf"(?=.{{1,60}}\Z){_ATOM}(?: {_ATOM})*")
_NOT_ADDRESS = re.compile(r"[\r\n<>]")
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')  # what makes a name a quoted string (RFC 5322)


def format_address(name: str, email: str, *, field: str = "To") -> str:
    """`name <email>` for a `field` header, one valid mailbox whatever the name holds.

    A short printable ASCII name is a quoted string when it needs quoting (as
    `formataddr` quotes it); any other (long, non-ASCII, looking like an encoded word)
    is RFC 2047 base64 encoded words of at most 75 characters, one per folded line. The
    name's characters never reach the header raw, so quotes, commas, brackets or `@` in
    it cannot add or change an address. An address that is not ASCII (EAI) is given as
    it is, never encoded (RFC 6532): the caller encodes the header as UTF-8.
    """
    if "\r" in name or "\n" in name or _NOT_ADDRESS.search(email):
        raise DeliveryError(f"{email!r}: address or name contains a line break or bracket")
    if _BARE_NAME.fullmatch(name):  # the usual name: what formataddr gives it, sooner
        return f"{name} <{email}>"
    name = " ".join(name.split())
    if not name:
        return email
    if _PLAIN_NAME.fullmatch(name) and "=?" not in name:
        if _SPECIALS.search(name):
            name = '"' + re.sub(r'[\\"]', r"\\\g<0>", name) + '"'
        return f"{name} <{email}>"
    # Break after a space where a word allows it: parsers differ on the white space
    # between encoded words (RFC 2047 drops it; Python's address parser adds a space).
    words: list[str] = []
    chunk = b""
    first = min(_WORD_BYTES, (78 - len(field) - 2 - 12) // 4 * 3)  # after `field: `
    for word in re.findall(r"\S+ ?", name):
        for ch in (word,) if len(word.encode()) <= (_WORD_BYTES if words else first) else word:
            piece = ch.encode("utf-8")
            if chunk and len(chunk) + len(piece) > (_WORD_BYTES if words else first):
                words.append(chunk.decode("utf-8"))
                chunk = b""
            chunk += piece
    words.append(chunk.decode("utf-8"))
    encoded = [f"=?utf-8?b?{base64.b64encode(w.encode()).decode('ascii')}?=" for w in words]
    return "\r\n ".join([*encoded, f"<{email}>"])


def address_line(name: str, value: str) -> bytes:
    """A From / Reply-To header: only the display name is ever encoded, not the address
    (as in To: encoded words of at most 75 characters, each on a line of its own)."""
    _check(name, value)
    display, address = split_address(value)
    if not address or not address.isascii():
        raise DeliveryError(f"header {name}: {value!r} is not a usable ASCII address")
    return f"{name}: {format_address(display, address, field=name)}\r\n".encode("ascii")


def list_id_line(title: str, list_id: str) -> bytes:
    """RFC 2919 `List-Id: phrase <label.domain>`; a non-ASCII title is encoded, the id not."""
    _check("List-Id", title)
    value = format_address(title, list_id, field="List-Id")
    return f"List-Id: {value if value.endswith('>') else f'<{list_id}>'}\r\n".encode("ascii")


def domain_of(sender: str) -> str:
    return split_address(sender)[1].rpartition("@")[2] or "localhost"
