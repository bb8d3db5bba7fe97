"""Check what a person gives us: an address (syntax with email-validator, no DNS;
internationalised ones too, RFC 6530), a display name and a time zone; no line break
gets into any of them. And the inbox an address reaches (`mailbox_key`), for limits.

Raises SubscriberError naming the value and the reason. Pure functions: no store, no
network.
"""

from __future__ import annotations

import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from digest.errors import SubscriberError
from digest.records import address_key

MAX_NAME = 200
#: Line breaks of every kind (and NUL): none may reach a header or a stored value.
BREAKS = "\r\n\0\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _trimmed(value: str) -> str:
    """`value` without the white space and invisible format characters around it (a
    zero-width space, a byte order mark, a direction mark, a word joiner: Unicode's Cf),
    which a paste from a web page, a chat or a document brings along. Inside an address
    they are left for the check to refuse."""
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf"


def normalise_email(value: str) -> str:
    """A checked address in the form it is stored under; raises SubscriberError naming it.

    An address that can be ASCII is: its domain as A-labels (punycode), its local part
    lower-cased (virtually every mailbox ignores its case, and treating `Ann@x.org` and
    `ann@x.org` as two people would let an unsubscribed address back in under another
    spelling). A local part that cannot be ASCII (EAI: `josé@example.com`, mailed over
    SMTPUTF8) is email-validator's `normalized` form: NFC, the domain as lower-case
    U-labels, and the local part's case kept as typed. Unicode case mapping is not the
    ASCII one: it depends on the language (Turkish `I`/`ı`, `İ`/`i`), can change the
    length (`İ` lower-cases to `i` plus a combining dot) and the context (`Σ` to `σ` or
    `ς`), and RFC 6530 leaves the case of a local part to its server. A lower-cased
    copy can name no mailbox at all, and its bounce would suppress a real reader. The
    store matches it by :func:`digest.records.email_key`, which lower-cases it:
    `José@x` and `josé@x` are one subscriber, mailed as first typed.
    """
    if any(c in value for c in BREAKS):
        raise SubscriberError(f"{value.strip()[:100]!r}: the address contains a line break")
    try:
        checked = validate_email(_trimmed(value), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise SubscriberError(f"{value.strip()[:100]!r}: {exc}") from None
    return address_key(str(checked.ascii_email or checked.normalized))


#: Mail domains that ignore the dots in a local part (all of them reach one inbox).
_DOTLESS = frozenset({"gmail.com", "googlemail.com"})
#: Yahoo's disposable addresses, `base-keyword@`, all reach one inbox (a Yahoo name has
#: no hyphen of its own); yahoo.* domains count too.
_HYPHENED = frozenset({"ymail.com", "rocketmail.com"})


def mailbox_key(email: str) -> str:
    """The inbox a (normalised) address reaches: without a `+tag` (and without dots at
    Gmail, a `-keyword` at Yahoo), so `ann+1@`, `ann+2@`... `a.nn@gmail.com`,
    `ann-x@yahoo.com` count as one address; so do the case variants of a Unicode local
    part (`José@`, `JOSÉ@`), one subscriber too (:func:`digest.records.email_key`).
    Only limits use it: the form's posts per inbox (digest.web.public) and the
    confirmations one inbox is sent (digest.subscribers.people); the address is
    stored as typed."""
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    if not local.isascii():
        local = local.lower()  # as email_key; an ASCII one is lower-cased already
    local = local.split("+", 1)[0] or local
    if domain in _DOTLESS:
        local = local.replace(".", "") or local
    if domain in _HYPHENED or domain.startswith("yahoo."):
        local = local.split("-", 1)[0] or local  # Yahoo's disposable base-keyword@
    return f"{local}@{domain}"


def one_line(value: str) -> str:
    """`value` on one line: its line breaks (of every kind) and other control characters
    become spaces, and its whitespace is folded. A name typed into the subscribe form
    (:func:`digest.web.public.visitor_name`) and one an import reads are made so."""
    spaced = "".join(" " if c in BREAKS or unicodedata.category(c) == "Cc" else c for c in value)
    return " ".join(spaced.split())


def clean_name(value: str | None) -> str:
    """A display name: one line, folded whitespace, at most 200 characters."""
    value = value or ""
    if any(c in value for c in BREAKS):
        raise SubscriberError("the name contains a line break")
    value = " ".join(value.split())
    if len(value) > MAX_NAME:
        raise SubscriberError(f"the name is longer than {MAX_NAME} characters")
    return value


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SubscriberError(f"time zone {value[:64]!r} is not an IANA time zone") from None
    return value
