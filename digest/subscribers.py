"""Subscriber lists: CSV import and export, adding, removing and forgetting people,
and the double opt-in confirmation message, with the consent rules.

The database is the record of consent; CSV files are only a way in and out. An
import validates every row (address syntax with email-validator, no DNS), reports
bad rows by line number and reason, merges duplicates, and writes the good rows in
one transaction; it is the operator's record of consent gathered elsewhere, so new
rows are active even on a double opt-in list. A header naming a column twice is
refused. An export puts a single quote before any cell a spreadsheet would run as a
formula (starting with = + - @, TAB or CR), and an import takes that quote off again,
so a file goes out and comes back unchanged. Nothing here (import, `add`, the
subscribe form) ever reactivates an unsubscribed, bounced or complained address, or
re-adds one erased with `forget`.
This module renders no edition and opens no HTTP connection; `subscribe` hands one
confirmation message to the configured transport.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from digest.errors import DeliveryError, SubscriberError
from digest.records import SUPPRESSED, Subscriber
from digest.store import Store

if TYPE_CHECKING:
    from digest.app import App

COLUMNS = ("email", "name", "sections", "timezone", "format")
MAX_NAME = 200
CONFIRMATION_SENT = "confirmation sent"
RESEND_AFTER = timedelta(minutes=10)  # a pending address gets at most one per this
_BREAKS = "\r\n\0\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A CSV row left out of an import, and why."""

    line: int  # the line the row starts on (1 is the header)
    email: str  # the address as written (cut to 100 characters), for the report
    reason: str


@dataclass(frozen=True, slots=True)
class Merged:
    """A row whose address already appeared earlier in the same file."""

    line: int
    first_line: int
    email: str


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    kept_suppressed: int = 0  # unsubscribed/bounced/complained/forgotten rows left alone
    duplicates: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)


def normalise_email(value: str) -> str:
    """A checked address, lower-cased; raises SubscriberError naming it.

    The local part is lower-cased too: virtually every mailbox ignores its case, and
    treating `Ann@x.org` and `ann@x.org` as two people would let an unsubscribed
    address back in under another spelling.
    """
    if any(c in value for c in _BREAKS):
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
    if any(c in value for c in _BREAKS):
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


def _clean(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if any(c in value for c in _BREAKS):
        raise SubscriberError(f"{what} contains a line break")
    return value


def parse_row(row: dict[str, Any]) -> dict[str, Any]:
    """Check one CSV row; return the values to store or raise SubscriberError."""
    raw = row.get("email") or ""
    if not raw.strip():
        raise SubscriberError("no address")
    try:
        email = normalise_email(raw)
    except SubscriberError as exc:
        # The report puts the address first already; keep only the reason.
        raise SubscriberError(str(exc).split(": ", 1)[-1]) from None
    values: dict[str, Any] = {"email": email, "name": clean_name(row.get("name"))}
    sections = _clean(row.get("sections"), "sections")
    if sections:
        values["sections"] = sorted({s.strip() for s in sections.split(";") if s.strip()})
    tz = _clean(row.get("timezone"), "timezone")
    if tz:
        values["timezone"] = check_timezone(tz)
    fmt = _clean(row.get("format"), "format").lower()
    if fmt:
        if fmt not in ("html", "text"):
            raise SubscriberError(f"format {fmt[:20]!r} must be html or text")
        values["format"] = fmt
    return values


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows with the line each starts on; raises SubscriberError for an unusable file.

    Blank rows are skipped. A quoted field may span lines (that is how a CR/LF gets
    into a value); the row is reported at the line where it starts.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubscriberError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubscriberError(f"{path}: not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        fields = [f.strip().lower() for f in header]
        if "email" not in fields:
            raise SubscriberError(
                f"{path}:1: the header must have an 'email' column (columns: {', '.join(COLUMNS)})"
            )
        unknown = sorted(set(fields) - set(COLUMNS) - {""})
        if unknown:
            raise SubscriberError(
                f"{path}:1: unknown column {unknown[0][:40]!r} (columns: {', '.join(COLUMNS)})"
            )
        named = [f for f in fields if f]
        twice = next((f for f in named if named.count(f) > 1), None)
        if twice is not None:
            raise SubscriberError(
                f"{path}:1: the column {twice!r} appears twice in the header; "
                "keep one (which of the two is meant cannot be guessed)"
            )
        end = reader.line_num
        for values in reader:
            start, end = end + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            yield start, {f: _unquote(v) for f, v in zip(fields, values, strict=False) if f}
    except csv.Error as exc:
        raise SubscriberError(f"{path}:{reader.line_num}: {exc}") from None


def import_rows(
    store: Store,
    list_name: str,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    now: datetime,
    origin: str,
    dry_run: bool = False,
) -> ImportResult:
    """Check every row, merge duplicates, then write the good rows in one transaction."""
    result = ImportResult()
    good: dict[str, dict[str, Any]] = {}
    first: dict[str, int] = {}
    for line, row in rows:
        try:
            values = parse_row(row)
        except SubscriberError as exc:
            result.problems.append(
                RowProblem(line, (row.get("email") or "").strip()[:100], str(exc))
            )
            continue
        email = values["email"]
        if email in good:
            result.duplicates += 1
            result.merged.append(Merged(line, first[email], email))
            good[email].update(values)  # the later row's values win
            continue
        good[email], first[email] = values, line
    writes = []
    existing = store.statuses(list_name, good)
    erased = store.erased(e for e in good if e not in existing)
    for email, values in good.items():
        if email in erased or existing.get(email) in SUPPRESSED:
            result.kept_suppressed += 1  # never reactivated or re-added by an import
            continue
        if email not in existing:
            values = {**values, "status": "active"}
            result.added += 1
        else:
            result.updated += 1
        writes.append(values)
    if not dry_run:
        store.write_subscribers(list_name, writes, origin=origin, now=now)
    return result


def import_csv(
    store: Store, list_name: str, path: Path, *, now: datetime, dry_run: bool = False
) -> ImportResult:
    return import_rows(
        store, list_name, read_csv(path), now=now, origin=f"import:{path.name}", dry_run=dry_run
    )


# -- one person at a time ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Added:
    """What adding an address to a list did."""

    subscriber: Subscriber | None  # None: refused (suppressed or forgotten)
    created: bool  # a new subscription was made
    confirmation_sent: bool = False  # a double opt-in message went out
    reason: str = ""  # why nothing changed, for the operator (never shown on the web)


def add_subscriber(
    store: Store,
    list_name: str,
    email: str,
    name: str = "",
    *,
    double_opt_in: bool,
    origin: str,
    now: datetime,
) -> Added:
    """Make a subscription: pending with double opt-in, else active. An existing one
    is left as it is (an operator's or a form's add never revives a suppressed one)."""
    email = normalise_email(email)
    name = clean_name(name)
    existing = store.subscriber(list_name, email)
    if existing is not None:
        if existing.status in SUPPRESSED:
            why = f"{email} is {existing.status} on list {list_name!r}; not reactivated"
        else:
            why = f"{email} is already {existing.status} on list {list_name!r}"
        return Added(existing, False, reason=why)
    if store.is_suppressed(email):
        return Added(None, False, reason=f"{email} was erased with `forget`; not re-added")
    status = "pending" if double_opt_in else "active"
    (sid,) = store.write_subscribers(
        list_name, [{"email": email, "name": name, "status": status}], origin=origin, now=now
    )
    return Added(store.subscriber_by_id(sid) if sid else None, bool(sid))


def subscribe(
    app: App, list_name: str, email: str, name: str = "", *, origin: str, now: datetime
) -> Added:
    """Add an address to a list and, for a double opt-in list, send the confirmation
    (again, for someone still pending). Raises SubscriberError for a bad address or
    name, DeliveryError when the confirmation cannot be handed over."""
    lst = app.settings.list(list_name)
    added = add_subscriber(
        app.store,
        lst.name,
        email,
        name,
        double_opt_in=lst.double_opt_in,
        origin=origin,
        now=now,
    )
    sub = added.subscriber
    if sub is None or sub.status != "pending":
        return added
    sent = [e.at for e in app.store.events(sub.id) if e.detail == CONFIRMATION_SENT]
    if sent and now - max(sent) < RESEND_AFTER:
        # Someone still pending asked again: no flood of confirmations to one inbox.
        return Added(sub, added.created, False, f"{added.reason}; confirmation sent recently")
    send_confirmation(app, sub, now=now)
    app.store.note(sub.id, origin=origin, detail=CONFIRMATION_SENT, now=now)
    return Added(sub, added.created, True, added.reason)


def send_confirmation(app: App, subscriber: Subscriber, *, now: datetime) -> None:
    """Send the double opt-in message (signed when DKIM is set: digest.deliver.mail)."""
    from digest.deliver.mail import send_one

    data = confirmation_message(app, subscriber, now=now)
    name = f"confirm-{subscriber.id}-{int(now.timestamp())}"
    send_one(app.settings, app.transport(), subscriber.email, data, name=name, now=now)


def confirmation_message(app: App, subscriber: Subscriber, *, now: datetime) -> bytes:
    """The double opt-in message: plain text with the signed `{base_url}/c/<token>` link,
    DKIM-signed like an edition when the newsletter has a key.

    Header values are checked for line breaks before they are set, so an address or
    name typed into a form cannot add headers or recipients. The name the visitor typed
    (anyone can type any address) is in neither the text nor the headers: until the
    address is confirmed, the To: header is the bare address, so nobody can make our
    mail carry their words to a stranger.
    """
    from digest.deliver.mail import signed
    from digest.message import format_address
    from digest.render import Theme

    news = app.settings.newsletter
    lst = app.settings.list(subscriber.list)
    title = lst.title or news.name
    for what, value in (("address", subscriber.email), ("name", subscriber.name)):
        if any(c in value for c in _BREAKS):
            raise SubscriberError(f"{subscriber.email!r}: the {what} contains a line break")
    text = Theme(app.settings.templates).render(
        "web/confirm-email.txt",
        newsletter=news,
        list_title=title,
        subscriber_name="",  # unverified text from a form: not put into the mail
        email=subscriber.email,
        confirm_url=app.links.confirm_url(subscriber.id),
    )
    sender = parseaddr(news.sender)
    domain = sender[1].rpartition("@")[2] or "localhost"
    msg = EmailMessage(policy=SMTP)
    try:
        msg["From"] = Address(sender[0], addr_spec=sender[1])
        to = format_address("", str(Address(addr_spec=subscriber.email)))
    except (ValueError, IndexError, DeliveryError) as exc:
        raise SubscriberError(f"{subscriber.email!r}: cannot be put in a header ({exc})") from None
    msg["Subject"] = f"Confirm your subscription to {title}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<digest.confirm.{subscriber.id}.{int(now.timestamp())}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    if news.reply_to:
        msg["Reply-To"] = news.reply_to
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    # The To: header is added as bytes: the email package's folding of a long quoted
    # name can split it into several addresses.
    data = b"To: " + to.encode("ascii") + b"\r\n" + msg.as_bytes()
    return signed(app.settings, data, now=now)


def remove_subscriber(
    store: Store, list_name: str, email: str, *, status: str, origin: str, now: datetime
) -> bool:
    """Mark a subscription unsubscribed, bounced or complained; True if it changed."""
    if status not in SUPPRESSED:
        raise SubscriberError(f"status {status!r}: expected one of {', '.join(sorted(SUPPRESSED))}")
    sub = store.subscriber(list_name, normalise_email(email))
    if sub is None:
        from digest.errors import NotFound

        raise NotFound(f"{email.strip()}: not a subscriber of list {list_name!r}")
    return store.set_status(sub.id, status, origin=origin, now=now)


def forget(store: Store, email: str, *, now: datetime) -> int:
    """Erase a person from every list, keeping only a suppression hash."""
    try:
        address = normalise_email(email)
    except SubscriberError:
        address = email.strip().lower()  # erase whatever was stored under it anyway
    return store.forget(address, now=now)


# -- out ------------------------------------------------------------------------------
def subscriber_dict(sub: Subscriber, *, paused: bool = False) -> dict[str, Any]:
    return {
        "email": sub.email,
        "name": sub.name,
        "status": sub.status,
        "list": sub.list,
        "sections": list(sub.sections),
        "timezone": sub.timezone,
        "format": sub.format,
        "paused": paused,
    }


def _quote(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _unquote(cell: str) -> str:
    """What :func:`_quote` made of a cell, back as it was."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def export_csv(subscribers: Iterable[Subscriber], out: io.TextIOBase | Any) -> int:
    """The import's columns; formula-like cells are quoted (see :data:`FORMULA_STARTS`)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for sub in subscribers:
        cells = [sub.email, sub.name, ";".join(sub.sections), sub.timezone or "", sub.format]
        writer.writerow([_quote(c) for c in cells])
        n += 1
    return n
