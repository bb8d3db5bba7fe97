"""Subscriber lists: CSV import and export, with the consent rules.

The database is the record of consent; CSV files are only a way in and out. An
import validates every row (address syntax with email-validator, no DNS), reports
bad rows by line number and reason, merges duplicates, and writes the good rows in
one transaction. It never reactivates an unsubscribed, bounced or complained
address, and never re-adds one erased with `forget`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from digest.errors import SubscriberError
from digest.records import SUPPRESSED, Subscriber
from digest.store import Store

COLUMNS = ("email", "name", "sections", "timezone", "format")


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    email: str
    reason: str


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    kept_suppressed: int = 0  # unsubscribed/bounced/complained/forgotten rows left alone
    duplicates: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def normalise_email(value: str) -> str:
    """A checked, normalised address (domain lower-cased); raises SubscriberError."""
    if any(c in value for c in "\r\n\0"):
        raise SubscriberError(f"{value!r}: contains a line break")
    try:
        return str(validate_email(value.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise SubscriberError(f"{value.strip()!r}: {exc}") from None


def _clean(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if any(c in value for c in "\r\n\0"):
        raise SubscriberError(f"{what} contains a line break")
    return value


def parse_row(row: dict[str, Any]) -> dict[str, Any]:
    """Check one CSV row; return the values to store or raise SubscriberError."""
    email = normalise_email(row.get("email") or "")
    name = _clean(row.get("name"), "name")
    if len(name) > 200:
        raise SubscriberError("name is longer than 200 characters")
    values: dict[str, Any] = {"email": email, "name": name}
    sections = _clean(row.get("sections"), "sections")
    if sections:
        values["sections"] = sorted({s.strip() for s in sections.split(";") if s.strip()})
    tz = _clean(row.get("timezone"), "timezone")
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise SubscriberError(f"timezone {tz!r} is not an IANA time zone") from None
        values["timezone"] = tz
    fmt = _clean(row.get("format"), "format").lower()
    if fmt:
        if fmt not in ("html", "text"):
            raise SubscriberError(f"format {fmt!r} must be html or text")
        values["format"] = fmt
    return values


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows with their line numbers; raises SubscriberError for an unusable file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubscriberError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubscriberError(f"{path}: not UTF-8 (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "email" not in fields:
        raise SubscriberError(
            f"{path}:1: the header must have an 'email' column (columns: {', '.join(COLUMNS)})"
        )
    reader.fieldnames = fields
    unknown = sorted(set(fields) - set(COLUMNS))
    if unknown:
        raise SubscriberError(
            f"{path}:1: unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})"
        )
    try:
        for row in reader:
            yield reader.line_num, row
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
    result = ImportResult()
    good: dict[str, dict[str, Any]] = {}
    for line, row in rows:
        try:
            values = parse_row(row)
        except SubscriberError as exc:
            result.problems.append(
                RowProblem(line, (row.get("email") or "").strip()[:100], str(exc))
            )
            continue
        if values["email"] in good:
            result.duplicates += 1
            good[values["email"]].update(values)  # the later row's values win
            continue
        good[values["email"]] = values
    writes = []
    for email, values in good.items():
        existing = store.subscriber(list_name, email)
        if existing is None and store.is_suppressed(email):
            result.kept_suppressed += 1
            continue
        if existing is not None and existing.status in SUPPRESSED:
            result.kept_suppressed += 1  # never reactivated by an import
            continue
        if existing is None:
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


def subscriber_dict(sub: Subscriber) -> dict[str, Any]:
    return {
        "email": sub.email,
        "name": sub.name,
        "status": sub.status,
        "list": sub.list,
        "sections": list(sub.sections),
        "timezone": sub.timezone,
        "format": sub.format,
    }


def export_csv(subscribers: Iterable[Subscriber], out: io.TextIOBase | Any) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for sub in subscribers:
        writer.writerow(
            [sub.email, sub.name, ";".join(sub.sections), sub.timezone or "", sub.format]
        )
        n += 1
    return n
