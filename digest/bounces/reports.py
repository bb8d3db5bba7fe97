"""Read what comes back to the envelope sender: bounces, complaints, auto-replies.

Understands delivery status notifications (RFC 3464, `multipart/report;
report-type=delivery-status`; RFC 6533's global ones and `utf-8` addresses, for a
message that went over SMTPUTF8), abuse feedback reports (ARF, RFC 5965,
`report-type=feedback-report`), the older plain-text bounces some servers still send
(a status code and an address, internationalised ones too, in the text of a message
from a mailer daemon), and auto-replies
(RFC 3834 `Auto-Submitted`, vacation and out-of-office answers), which are ignored.

The result says what the report *claims*; whether it may change anything (a signed VERP
tag, a verified webhook) is decided by :mod:`digest.bounces.apply`. Never raises on a
malformed message: it is reported as `unknown` with the reason.
Must not: touch the store or the network.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from typing import Literal

from email_validator import EmailNotValidError, validate_email

from digest.records import address_key, email_key

Kind = Literal["hard", "soft", "complaint", "delayed", "auto_reply", "unknown"]

__all__ = ["Finding", "Kind", "Report", "classify_status", "read_report"]


@dataclass(frozen=True, slots=True)
class Finding:
    """What a report says about one recipient."""

    kind: Kind
    recipient: str | None  # the address the report is about, as stored (address_key), if any
    status: str | None = None  # the enhanced status code ("5.1.1"), if any
    detail: str = ""  # one line for the subscriber's event: the server's words


@dataclass(frozen=True, slots=True)
class Report:
    """One message from the bounce mailbox, as understood."""

    key: str  # idempotency key: the report's Message-ID, else a hash of its bytes
    kind: Kind  # the report's overall kind (its first finding's, or auto_reply/unknown)
    findings: tuple[Finding, ...]
    #: Header text in which a signed VERP tag may stand: where the report was delivered
    #: (To, Delivered-To, X-Original-To, Envelope-To) and the returned original's
    #: Return-Path / Message-ID (ARF reports keep those).
    addressed: str
    why: str = ""  # for `unknown`: what could not be read


_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b([45])\d\d\b")
#: What may be an address in text: `something@something` between the characters that
#: end one in a report's prose (white space, brackets, quotes, punctuation). Only a
#: candidate: :func:`_mailbox` decides, with email-validator, whether it is one.
_CANDIDATE = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+")
_EMBEDDED = re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")  # utf-8-addr-xtext: \x{E9} is é
_UNKNOWN_USER = re.compile(
    r"user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|"
    r"mailbox unavailable|invalid (recipient|mailbox|address)|address rejected|"
    r"recipient not found|account (has been )?disabled",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|"
    r"abwesenheit|absence|vacation|fravær|i am away|autosvar)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"mailer-daemon|postmaster|mail delivery (system|subsystem)", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|delivery (status notification|failure|has failed)|"
    r"mail delivery failed|failure notice|could not be delivered",
    re.IGNORECASE,
)


def classify_status(status: str | None, detail: str = "") -> Kind:
    """Hard or soft from an enhanced status code (RFC 3463) and the server's words.

    Hard means the address itself is dead: 5.1.x (bad mailbox, bad domain), 5.2.1
    (mailbox disabled), 5.4.4 (unroutable), or a bare 5.0.0 whose text says the user is
    unknown. Everything else is soft: 4.x.x (try later), 5.2.2 (mailbox full), 5.3.x
    (system), 5.7.x (policy: the *message* was refused, e.g. as spam, not the address)
    and 5.x.x we cannot place. Soft bounces suppress only after several in a row.
    """
    if not status:
        return "soft"
    match = _ENHANCED.search(status)
    if match is None:
        return "soft"
    klass, subject, detail_code = match.groups()
    if klass != "5":
        return "soft"
    if subject == "1" or (subject, detail_code) in (("2", "1"), ("4", "4")):
        return "hard"
    if (subject, detail_code) == ("0", "0") and _UNKNOWN_USER.search(detail):
        return "hard"
    return "soft"


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def _unescaped(match: re.Match[str]) -> str:
    point = int(match.group(1), 16)
    return chr(point) if point <= 0x10FFFF and not 0xD800 <= point < 0xE000 else match.group(0)


def _mailbox(candidate: str) -> str | None:
    """`candidate` as subscribers are stored (:func:`address_key`) if it is an address
    one of them could have (email-validator's syntax, internationalised ones too, as
    :func:`digest.subscribers.normalise_email` checks them), else None. Its domain may be
    A-labels or U-labels: address_key gives the form we store either way."""
    candidate = candidate.strip("'`").rstrip(".")
    if not candidate.isascii():
        candidate = unicodedata.normalize("NFC", candidate)
    try:
        checked = validate_email(candidate, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    return address_key(str(checked.ascii_email or checked.normalized))


def _mailboxes(text: str) -> Iterator[str]:
    """The addresses in `text`, in order, as stored; what only looks like one is skipped."""
    for candidate in _CANDIDATE.findall(text):
        if (found := _mailbox(candidate)) is not None:
            yield found


def _address(value: str | None) -> str | None:
    """`rfc822; Ann@Example.com` -> `ann@example.com`; RFC 6533's `utf-8; jos\\x{E9}@x.org`
    (or the address raw, in a global DSN) -> `josé@x.org`: as subscribers are stored."""
    if not value:
        return None
    # Raw UTF-8 read from bytes is held as surrogate escapes: the characters again.
    value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    value = _EMBEDDED.sub(_unescaped, value.rpartition(";")[2] or value)
    return next(_mailboxes(value), None)


def _header_blocks(part: Message) -> list[Message]:
    """The field blocks of a message/delivery-status or message/feedback-report part
    (or an RFC 6533 message/global-delivery-status one, which the email package reads
    as one message: its headers the first block, its body the others, as text)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [p for p in payload if isinstance(p, Message)]
        if len(blocks) == 1 and isinstance(rest := blocks[0].get_payload(decode=True), bytes):
            return [blocks[0], *_parsed_blocks(rest)]  # the body's bytes as they came
        return blocks
    if isinstance(payload, str):  # an unusual transfer encoding: parse it ourselves
        raw = part.get_payload(decode=True)
        return _parsed_blocks(raw if isinstance(raw, bytes) else payload.encode("utf-8", "replace"))
    return []


def _parsed_blocks(text: bytes) -> list[Message]:
    """Field blocks separated by empty lines; UTF-8 values read as text (RFC 6533)."""
    return [
        HeaderParser(policy=policy.default).parsestr(block.decode("utf-8", "replace") + "\n")
        if not block.isascii()
        else BytesHeaderParser(policy=policy.default).parsebytes(block + b"\n")
        for block in re.split(rb"\r?\n\r?\n", text)
        if block.strip()
    ]


def _dsn(part: Message) -> Iterator[Finding]:
    for block in _header_blocks(part)[1:]:  # the first block is per-message
        action = (block.get("Action") or "").strip().lower()
        status = (block.get("Status") or "").strip() or None
        diagnostic = _one_line(str(block.get("Diagnostic-Code") or ""))
        recipient = _address(str(block.get("Final-Recipient") or "")) or _address(
            str(block.get("Original-Recipient") or "")
        )
        detail = diagnostic or (f"{action} {status}" if status else action)
        if action in ("delivered", "relayed", "expanded"):
            continue
        if action == "delayed":
            yield Finding("delayed", recipient, status, detail)
        else:  # "failed", or no action at all from a careless server
            yield Finding(classify_status(status, diagnostic), recipient, status, detail)


def _arf(part: Message) -> Iterator[Finding]:
    for block in _header_blocks(part)[:1]:
        feedback = (block.get("Feedback-Type") or "").strip().lower()
        recipient = _address(str(block.get("Original-Rcpt-To") or ""))
        if feedback in ("", "abuse", "fraud", "other", "virus"):
            yield Finding("complaint", recipient, None, f"feedback report: {feedback or 'abuse'}")


def _returned_headers(message: Message) -> str:
    """Return-Path, Message-ID, To and From of the original enclosed in a report."""
    out: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            enclosed = inner[0] if isinstance(inner, list) and inner else None
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            enclosed = BytesHeaderParser(policy=policy.default).parsebytes(
                raw if isinstance(raw, bytes) else b""
            )
        else:
            continue
        if isinstance(enclosed, Message):
            for name in ("Return-Path", "Message-ID", "X-Digest-Return", "To"):
                out.extend(str(v) for v in enclosed.get_all(name) or ())
    return "\n".join(out)


def _decoded(raw: bytes, charset: str | None) -> str:
    """A text part's characters, in NFC. A part labelled `us-ascii` (or not labelled)
    may hold raw UTF-8 all the same: a daemon copies a failed EAI address as it got
    it. UTF-8 is read first then, as ASCII is UTF-8; any other label is believed."""
    names = [charset or "utf-8"]
    if (charset or "us-ascii").lower() in ("us-ascii", "ascii", "utf-8", "utf8"):
        names.insert(0, "utf-8")
    for name in names:
        try:
            return unicodedata.normalize("NFC", raw.decode(name))
        except (UnicodeError, LookupError, ValueError):  # ValueError: a NUL in the label
            continue
    return unicodedata.normalize("NFC", raw.decode("utf-8", "replace"))


def _text(message: Message) -> str:
    chunks = []
    for part in message.walk():
        if part.get_content_maintype() == "text" and part.get_content_subtype() == "plain":
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                chunks.append(_decoded(raw, part.get_content_charset()))
    return "\n".join(chunks)


def _plain_bounce(message: Message) -> Iterator[Finding]:
    """A bounce without a DSN part: find a status code and an address in its text.

    The address is the one a `RCPT TO:<...>` names, else the first in the text that is
    neither ours (the report's To) nor the daemon's; internationalised ones too, in
    whichever form the text spells their domain."""
    text = _text(message)
    enhanced = _ENHANCED.search(text)
    code = _SMTP_CODE.search(text)
    status = enhanced.group(0) if enhanced else None
    if status is None and code is not None:
        status = f"{code.group(1)}.0.0"
    lines = [ln for ln in text.splitlines() if _ENHANCED.search(ln) or _SMTP_CODE.search(ln)]
    detail = _one_line(lines[0] if lines else text)
    rcpt = re.search(r"RCPT TO:\s*<([^<>\s]+@[^<>\s]+)>", text, re.IGNORECASE)
    candidates = _mailboxes(rcpt.group(1) if rcpt else text)
    ours = {email_key(a) for a in _mailboxes(str(message.get("To") or ""))}
    recipient = next(
        (a for a in candidates if email_key(a) not in ours and not _DAEMON.search(a)), None
    )
    if status is None:
        yield Finding("unknown", recipient, None, detail or "no status code in the text")
    else:
        yield Finding(classify_status(status, detail), recipient, status, detail)


def _is_auto_reply(message: Message) -> bool:
    auto = (message.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    precedence = (message.get("Precedence") or "").strip().lower()
    if precedence == "auto_reply":
        return True
    return bool(_AUTO_SUBJECT.search(str(message.get("Subject") or "")))


def read_report(raw: bytes) -> Report:
    """Understand one message from the bounce mailbox (or an ESP's forwarded copy)."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        msgid = str(message.get("Message-ID") or "").strip()
        addressed = "\n".join(
            str(v)
            for name in ("To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
            for v in (message.get_all(name) or ())
        )
        addressed += "\n" + _returned_headers(message)
    except Exception as exc:  # the email package raises many kinds on broken input
        digest = hashlib.sha256(raw).hexdigest()
        return Report(f"sha256:{digest}", "unknown", (), "", why=f"unreadable: {exc}")
    key = f"mid:{msgid}" if msgid else f"sha256:{hashlib.sha256(raw).hexdigest()}"
    try:
        return _understood(message, key, addressed)
    except Exception as exc:  # a damaged part must not stop the mailbox at this message
        return Report(key, "unknown", (), addressed, why=f"unreadable: {exc}")


def _understood(message: Message, key: str, addressed: str) -> Report:
    """:func:`read_report` of a message whose headers could be read."""
    findings: list[Finding] = []
    report_type = ""
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type") or "").lower()
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/delivery-status", "message/global-delivery-status"):
            findings.extend(_dsn(part))
        elif kind == "message/feedback-report":
            findings.extend(_arf(part))
    if not findings:
        # Bounces are auto-submitted too (RFC 3464): a mailer daemon's message is a bounce
        # first; only a person's automatic answer is an auto-reply.
        sender = str(message.get("From") or "")
        subject = str(message.get("Subject") or "")
        if _DAEMON.search(sender) or _BOUNCE_SUBJECT.search(subject) or report_type:
            findings.extend(_plain_bounce(message))
        elif _is_auto_reply(message):
            return Report(key, "auto_reply", (), addressed)
        else:
            return Report(key, "unknown", (), addressed, why="neither a bounce nor a complaint")
    if not findings:  # a delivery-status part that named nobody
        return Report(key, "unknown", (), addressed, why="the report names no recipient")
    return Report(key, findings[0].kind, tuple(findings), addressed)
