"""An unchanged collect of a SQLite project, recorded with plain sqlite3 (issue 16).

`digest collect` with nothing changed sends one conditional GET a source and marks each
source checked; loading SQLAlchemy and the store to do that costs more than the
requests. So before the store is opened, :func:`collect_unchanged` reads the sources'
validators with :mod:`sqlite3`, fetches (with the standard library's client,
:mod:`digest.collect.revalidate`, and httpx for what it hands back), and if every
source answered 304 (or failed:
a feed that is down does not make every collect a slow one) writes the rows the store's
collect writes (:meth:`Store.record_unchanged <digest.store.Store.record_unchanged>`,
and :meth:`Store.record` of a failure: the same statements, in one transaction).
Anything else is left to the store: a URL other than a plain ``sqlite:///FILE``, no
such file, a schema not at the newest migration, a folder source, a sqlite3 error; and
a source that gave content, in which case the store's collect gets what was fetched
(nothing is fetched twice). Never writes anything the store would not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest.collect.fetched import FetchRequest, FetchResult
from digest.collect.revalidate import revalidate
from digest.config import SourceSettings
from digest.records import SourceReport
from digest.revision import HEAD, SQLITE_PRAGMAS, sqlite_file


@dataclass(frozen=True, slots=True)
class Unchanged:
    """What :func:`collect_unchanged` did: the collect's reports, when it recorded them
    all; else what it fetched (None: nothing), for the store's collect to finish."""

    reports: list[SourceReport] | None = None
    fetched: dict[str, FetchResult] | None = None


def _connect(path: Path) -> sqlite3.Connection:
    """A connection set up as the store's are; the file must exist (never created)."""
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=30)
    conn.isolation_level = None  # transactions are begun here, explicitly
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)
    return conn


def _timestamp(when: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (its fields as they are)."""
    day = f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
    return f"{day} {when.hour:02d}:{when.minute:02d}:{when.second:02d}.{when.microsecond:06d}"


def _validators(conn: sqlite3.Connection) -> dict[str, tuple[str | None, str | None]] | None:
    """Every source's ETag and Last-Modified; None when the schema is not the newest."""
    try:
        versions = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.OperationalError:  # no alembic_version: never migrated
        return None
    if versions != {HEAD}:
        return None
    rows = conn.execute("SELECT name, etag, last_modified FROM sources")
    return {name: (etag, modified) for name, etag, modified in rows}


_INSERT = (
    "INSERT INTO sources (name, location, consecutive_failures) VALUES (?, ?, 0) "
    "ON CONFLICT (name) DO NOTHING"
)
_FAILED = (
    "UPDATE sources SET location=?, last_checked_at=?, last_error=?, last_error_at=?, "
    "consecutive_failures=consecutive_failures + 1 WHERE name = ?"
)
_CHECKED = (
    "UPDATE sources SET location=?, last_checked_at=?, last_success_at=?, consecutive_failures=0"
)


def _record(
    conn: sqlite3.Connection, reports: Sequence[tuple[SourceReport, str]], now: str
) -> None:
    """Health rows, in one transaction, as the store's collect leaves them: a failed
    source's as :meth:`Store.record` writes it (in config order, before the others, as
    the store's collect stores them), then those of the 304s as
    :meth:`Store.record_unchanged` writes them."""
    failed = [(report, location) for report, location in reports if report.error]
    unchanged = [(report, location) for report, location in reports if not report.error]
    conn.execute("BEGIN IMMEDIATE")  # the write lock first, as the store's writes take it
    try:
        if failed:
            conn.executemany(_INSERT, [(report.name, location) for report, location in failed])
            conn.executemany(_FAILED, [(loc, now, r.error, now, r.name) for r, loc in failed])
        plain, validated = [], []
        for report, location in unchanged:
            if report.etag is None and report.last_modified is None:  # keep the stored ones
                plain.append((location, now, now, report.name))
            else:
                validators = (report.etag, report.last_modified)
                validated.append((location, now, now, *validators, report.name))
        if unchanged:
            conn.executemany(_INSERT, [(report.name, loc) for report, loc in unchanged])
        if plain:
            conn.executemany(f"{_CHECKED} WHERE name = ?", plain)
        if validated:
            conn.executemany(f"{_CHECKED}, etag=?, last_modified=? WHERE name = ?", validated)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _fetch(requests: list[FetchRequest], concurrency: int, timeout: float) -> list[FetchResult]:
    """Each request's result: by :func:`revalidate`, and by the full client (httpx,
    loaded only then) for those it hands back."""
    answered = revalidate(requests, concurrency=concurrency, timeout=timeout)
    rest = [request for request, result in zip(requests, answered, strict=True) if not result]
    if not rest:
        return [result for result in answered if result]
    from digest.collect.fetch import fetch_all_sync

    fetched = iter(fetch_all_sync(rest, concurrency=concurrency, timeout=timeout))
    return [result or next(fetched) for result in answered]


def collect_unchanged(
    sources: Sequence[SourceSettings],
    database_url: str,
    *,
    now: datetime,
    concurrency: int = 8,
    timeout: float = 15.0,
) -> Unchanged:
    """Collect `sources` into the SQLite file of `database_url` if none gave content
    (each answered 304 or failed)."""
    path = sqlite_file(database_url)
    if path is None or not sources or not all(s.url for s in sources) or not path.is_file():
        return Unchanged()
    try:
        conn = _connect(path)
    except sqlite3.Error:
        return Unchanged()
    try:
        try:
            validators = _validators(conn)
        except sqlite3.Error:
            return Unchanged()
        if validators is None:
            return Unchanged()
        requests = []
        for s in sources:
            assert s.url is not None
            etag, modified = validators.get(s.name, (None, None))
            requests.append(FetchRequest(s.name, s.url, etag, modified))
        results = _fetch(requests, concurrency, timeout)
        fetched = {r.name: r for r in results}
        if not all(r.not_modified or r.error for r in results):  # content to parse
            return Unchanged(fetched=fetched)
        reports = [
            SourceReport(r.name, error=r.error)
            if r.error
            else SourceReport(r.name, not_modified=True, etag=r.etag, last_modified=r.last_modified)
            for r in results
        ]
        checked = [(report, s.url or "") for report, s in zip(reports, sources, strict=True)]
        try:
            _record(conn, checked, _timestamp(now))
        except sqlite3.Error:  # locked, read-only, full: the store reports it its own way
            return Unchanged(fetched=fetched)
        return Unchanged(reports=reports)
    finally:
        conn.close()
