"""CSV files in and out: an import checks every row and writes the good ones in one
transaction; an export writes the same columns back.

An import validates every row (address syntax with email-validator, no DNS), reports
bad rows by line number and reason, merges duplicates (an address in any case of a
Unicode local part is one address), and writes the good rows in
one transaction; it is the operator's record of consent gathered elsewhere, so new
rows are active even on a double opt-in list. A blank cell or a missing column leaves
the stored value as it was. A header naming a column twice is
refused. An export puts a single quote before any cell a spreadsheet would run as a
formula (starting with = + - @, TAB or CR), and an import takes that quote off again,
so a file goes out and comes back unchanged. An import never reactivates an
unsubscribed, bounced or complained address, re-adds one erased with `forget`, or
adds one that bounced on another list. An import with a suppressed status (the people
who left another tool) stores new rows with that status and moves active or pending
ones to it: an import can stop mail to someone, never start it again. A choice a
reader made themselves on their preferences page (sections, format, time zone) is
theirs: an import never changes it again (it may set the others, and the name).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.errors import SubscriberError
from digest.records import SUPPRESSED, Subscriber, email_key
from digest.sections import read_cell
from digest.store import Store
from digest.subscribers.addresses import (
    BREAKS,
    check_timezone,
    clean_name,
    normalise_email,
    one_line,
)

COLUMNS = ("email", "name", "sections", "timezone", "format")
#: What an import also reads: when the person gave consent in the tool they come from
#: (Mailchimp's OPTIN_TIME or CONFIRM_TIME, a sign-up date), ISO 8601, UTC unless it
#: says otherwise. It goes into the new subscription's history; an export has no such
#: column (the history is digest's record).
CONSENTED_AT = "consented_at"
IMPORT_COLUMNS = (*COLUMNS, CONSENTED_AT)
#: Separators a file may use; the one that splits the header into an `email` column wins.
DELIMITERS = (",", ";", "\t")
#: Key of a row (from :func:`read_csv`) with more non-blank cells than the header: how many.
EXTRA = "\0cells"
#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: How a zip archive starts (a Mailchimp audience export is one).
ZIP = b"PK\x03\x04"
#: What an import may store its rows as: `active`, or how people left another tool.
IMPORT_STATUSES = ("active", *sorted(SUPPRESSED))


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
    unchanged: int = 0  # on the list already with these values: nothing written
    kept_choices: int = 0  # the file differs from a choice the reader made: theirs stays
    newly_suppressed: int = 0  # active or pending before, now the import's status
    kept_suppressed: int = 0  # unsubscribed/bounced/complained/forgotten rows left alone
    duplicates: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)  # rows taken, something changed
    merged: list[Merged] = field(default_factory=list)


def _clean(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if any(c in value for c in BREAKS):
        raise SubscriberError(f"{what} contains a line break")
    return value


def parse_row(
    row: dict[str, Any],
    *,
    sections: Sequence[str] | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """Check one CSV row; return the values to store or raise SubscriberError.

    Sections are read against the configured `sections` (:func:`digest.sections.
    read_cell`: any case, `;` or `,` between, stored as configured, unknown refused;
    none configured: left out, a note); None: unchecked, split at `;`. What was taken
    but changed (a name's line breaks joined, as the form joins them) goes in `notes`.
    """
    if EXTRA in row:
        raise SubscriberError(
            f"{row[EXTRA]} cells where the header has fewer; quote a value that holds the separator"
        )
    raw = row.get("email") or ""
    if not raw.strip():
        raise SubscriberError("no address")
    try:
        email = normalise_email(raw)
    except SubscriberError as exc:
        # The report puts the address first already; keep only the reason.
        raise SubscriberError(str(exc).split(": ", 1)[-1]) from None
    values: dict[str, Any] = {"email": email}
    raw_name = row.get("name") or ""
    name = clean_name(one_line(raw_name))
    if notes is not None and any(c in raw_name.strip() for c in BREAKS):
        notes.append("note: the name's line breaks were joined by a space")
    if name:  # a blank or missing name never erases the one stored
        values["name"] = name
    cell = _clean(row.get("sections"), "sections")
    if cell and sections is not None and not sections:  # means nothing here: said
        if notes is not None:
            notes.append("note: its sections were left out: no source has a section")
    elif cell and sections is not None:
        values["sections"] = read_cell(cell, sections)
    elif cell:
        values["sections"] = sorted({s.strip() for s in cell.split(";") if s.strip()})
    tz = _clean(row.get("timezone"), "timezone")
    if tz:
        values["timezone"] = check_timezone(tz)
    fmt = _clean(row.get("format"), "format").lower()
    if fmt:
        if fmt not in ("html", "text"):
            raise SubscriberError(f"format {fmt[:20]!r} must be html or text")
        values["format"] = fmt
    consented = _clean(row.get(CONSENTED_AT), CONSENTED_AT)
    if consented:
        values[CONSENTED_AT] = _consent_time(consented)
    return values


def _consent_time(value: str) -> datetime:
    """An ISO 8601 date or date and time (UTC unless it gives an offset), in UTC."""
    try:
        when = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise SubscriberError(
            f"{CONSENTED_AT} {value[:40]!r} is not an ISO 8601 date or time "
            "(such as 2024-03-01 or 2024-03-01T09:30:00Z)"
        ) from None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows with the line each starts on; raises SubscriberError for an unusable file.

    The separator is a comma, a semicolon or a tab: whichever makes an `email` column
    of the header. Blank rows are skipped. A quoted field may span lines (that is how a
    CR/LF gets into a value); the row is reported at the line where it starts. A row
    with more non-blank cells than the header is marked (:data:`EXTRA`) and refused
    by :func:`parse_row`: its values cannot be trusted to be in their columns.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubscriberError(f"{path}: cannot read ({exc.strerror})") from None
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, [])
        fields = [f.strip().lower() for f in header]
        if "email" not in fields:
            raise SubscriberError(
                f"{path}:1: the header must have an 'email' column "
                f"(columns: {', '.join(IMPORT_COLUMNS)})"
            )
        unknown = sorted(set(fields) - set(IMPORT_COLUMNS) - {""})
        if unknown:
            raise SubscriberError(
                f"{path}:1: unknown column {unknown[0][:40]!r} "
                f"(columns: {', '.join(IMPORT_COLUMNS)})"
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
            row: dict[str, Any] = {
                f: _unquote(v) for f, v in zip(fields, values, strict=False) if f
            }
            if any(v.strip() for v in values[len(fields) :]):
                row[EXTRA] = len(values)  # e.g. an unquoted comma in a name
            yield start, row
    except csv.Error as exc:
        raise SubscriberError(f"{path}:{reader.line_num}: {exc}") from None


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without a BOM), or UTF-16 with its BOM (Excel's "Unicode Text").

    Anything else is refused at the line of the first byte that is not UTF-8: a legacy
    code page (Windows-1252, Mac Roman, ...) cannot be told from another by its bytes,
    and a wrong guess would store misspelt names without a word.
    """
    if data.startswith(ZIP):
        raise SubscriberError(
            f"{path}: a zip archive, not a CSV file: unzip it and import its CSV files "
            "one at a time (an audience export: see docs/subscribers.md)"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SubscriberError(f"{path}: not UTF-16 (byte {exc.start})") from None
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        ends = b"\n" if b"\n" in body else b"\r"
        line = body.count(ends, 0, exc.start) + 1
        raise SubscriberError(
            f"{path}:{line}: not UTF-8 (byte {body[exc.start : exc.start + 1]!r}); "
            'save it as "CSV UTF-8" (Excel) or with UTF-8 encoding, then import it again'
        ) from None


def _delimiter(text: str) -> str:
    """The separator of the header line: a comma, or (as spreadsheets in locales with a
    decimal comma write CSV) a semicolon or a tab."""
    first = next(iter(text.splitlines()), "")  # (a lone CR ends a line too)
    for delimiter in DELIMITERS:
        try:
            header = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:  # the reader proper names the file and line of what is wrong
            return ","
        if "email" in (f.strip().lower() for f in header):
            return delimiter
    return ","


def import_rows(
    store: Store,
    list_name: str,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    now: datetime,
    origin: str,
    dry_run: bool = False,
    status: str = "active",
    sections: Sequence[str] | None = None,
) -> ImportResult:
    """Check every row, merge duplicates, then write the good rows in one transaction.

    An existing subscriber keeps every choice they made themselves on their
    preferences page (:meth:`~digest.store.Store.own_choices`): the file's value for it
    is left out (counted in `kept_choices`), its other values are written as usual.

    `status` is what the rows are: `active` (new rows are added active; the file is the
    operator's record of consent), or `unsubscribed`, `bounced` or `complained` for the
    people who left another tool: new rows are stored so and never mailed, and active
    or pending subscribers are moved to it. A suppressed one stays as it is either way.
    """
    if status not in IMPORT_STATUSES:
        raise SubscriberError(f"status {status!r}: expected one of {', '.join(IMPORT_STATUSES)}")
    result = ImportResult()
    good: dict[str, dict[str, Any]] = {}  # by address, as its first row spells it
    first: dict[str, int] = {}
    spelled: dict[str, str] = {}  # email_key -> that address: one mailbox, one row
    for line, row in rows:
        notes: list[str] = []
        try:
            values = parse_row(row, sections=sections, notes=notes)
        except SubscriberError as exc:
            result.problems.append(
                RowProblem(line, (row.get("email") or "").strip()[:100], str(exc))
            )
            continue
        result.notes.extend(RowProblem(line, values["email"], note) for note in notes)
        email = spelled.setdefault(email_key(values["email"]), values["email"])
        if email in good:
            result.duplicates += 1
            result.merged.append(Merged(line, first[email], values["email"]))
            good[email].update({**values, "email": email})  # the later row's values win
            continue
        good[email], first[email] = values, line
    writes = []
    existing = store.stored_subscribers(list_name, good)
    own = store.own_choices(sub.id for sub in existing.values())
    erased = store.erased(e for e in good if e not in existing)
    bounced = store.bounced(e for e in good if e not in existing)  # on another list
    for email, values in good.items():
        sub = existing.get(email)
        if email in erased or email in bounced or (sub and sub.status in SUPPRESSED):
            result.kept_suppressed += 1  # never reactivated or re-added by an import
            continue
        consented = values.get(CONSENTED_AT)
        if consented is not None and consented > now:
            line = first[email]
            why = f"{CONSENTED_AT} {consented:%Y-%m-%dT%H:%M:%SZ} is in the future"
            result.problems.append(RowProblem(line, email, why))
            continue
        if sub is not None:  # its history is digest's own: the consent time is not news
            values = {k: v for k, v in values.items() if k != CONSENTED_AT}
            # What the reader chose themselves wins over what the file says.
            mine = own.get(sub.id, frozenset())
            if not _same(sub, {k: v for k, v in values.items() if k in mine}):
                result.kept_choices += 1
            values = {k: v for k, v in values.items() if k not in mine}
        if sub is None:
            values = {**values, "status": status}
            result.added += 1
        elif status != "active":
            values = {**values, "status": status}
            result.newly_suppressed += 1
        elif _same(sub, values):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        writes.append(values)
    if not dry_run:
        store.write_subscribers(list_name, writes, origin=origin, now=now)
    return result


def _same(sub: Subscriber, values: dict[str, Any]) -> bool:
    """True when storing `values` would change nothing about `sub`."""
    stored = {"name": sub.name, "sections": list(sub.sections), "timezone": sub.timezone}
    stored["format"] = sub.format
    return all(stored.get(k) == v for k, v in values.items() if k != "email")


def import_csv(
    store: Store,
    list_name: str,
    path: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    status: str = "active",
    sections: Sequence[str] | None = None,
) -> ImportResult:
    """:func:`import_rows` of the CSV file `path`; `sections` are the configured ones
    (:attr:`digest.config.Settings.sections`), None: not checked."""
    return import_rows(
        store,
        list_name,
        read_csv(path),
        now=now,
        origin=f"import:{path.name}",
        dry_run=dry_run,
        status=status,
        sections=sections,
    )


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
