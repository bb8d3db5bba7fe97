"""Check what a person gives us: an address (syntax with email-validator, no DNS,
lower-cased), a display name and a time zone; no line break gets into any of them.

Raises SubscriberError naming the value and the reason. Pure functions: no store, no
network.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from digest.errors import SubscriberError

MAX_NAME = 200
#: Line breaks of every kind (and NUL): none may reach a header or a stored value.
BREAKS = "\r\n\0\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def normalise_email(value: str) -> str:
    """A checked address, lower-cased; raises SubscriberError naming it.

    The local part is lower-cased too: virtually every mailbox ignores its case, and
    treating `Ann@x.org` and `ann@x.org` as two people would let an unsubscribed
    address back in under another spelling.
    """
    if any(c in value for c in BREAKS):
        raise SubscriberError(f"{value.strip()[:100]!r}: the address contains a line break")
    try:
        # No SMTPUTF8: messages are built for plain ASCII envelopes and headers.
        checked = validate_email(value.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise SubscriberError(f"{value.strip()[:100]!r}: {exc}") from None
    return str(checked.ascii_email or checked.normalized).lower()


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
