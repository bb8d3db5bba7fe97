"""Copying a project's database into another (SQLite to PostgreSQL): all of it, or nothing.

:func:`copy_database` reads the source in one snapshot (SQLite: under its write lock, so
no send claims or marks a row meanwhile) and refuses a source behind this digest's
schema, one with a send in progress and a target that holds rows. It then copies every
table in foreign-key order, in batches bounded in rows and bytes (pictures hold bytes),
in ONE transaction on the target, moves the target's id sequences past every id the
source ever gave (an erased subscriber's id is never given again: a signed link to it
must not come to point at someone else), checks each table's count and commits. A
failure rolls the whole copy back: the target is left migrated and empty.

Nothing here prints; messages name databases with their passwords hidden.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    DateTime,
    LargeBinary,
    Table,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from digest.errors import StoreError, StoreReadOnly
from digest.revision import HEAD
from digest.store import schema as t
from digest.store._base import utc
from digest.store._faults import detail
from digest.store._serving import refuse_serving

if TYPE_CHECKING:
    from digest.store import Store

#: Rows per INSERT, and the bytes of binary values one INSERT holds at most (a batch of
#: pictures is cut short when they reach it): memory stays bounded whatever the size.
BATCH_ROWS = 500
BATCH_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CopiedTable:
    """One table of the copy: its name and its rows, counted in the source and in the
    target before the commit (the copy is refused unless they agree)."""

    name: str
    source: int
    target: int


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What :func:`copy_database` did."""

    source: str  # the source as messages name it (no password)
    target: str  # the target, likewise
    revision: str  # the schema revision of both
    tables: tuple[CopiedTable, ...]  # in the order copied (foreign-key order)
    journaled: int  # sent messages a killed send had only journaled, recorded first

    @property
    def rows(self) -> int:
        return sum(table.target for table in self.tables)


def copy_database(
    source: Store,
    target: Store,
    *,
    now: datetime,
    claim_lease: float,
    gone: Callable[[str], bool] = lambda _name: False,
    on_table: Callable[[str, int], None] | None = None,
    force: bool = False,
    batch_rows: int = BATCH_ROWS,
    batch_bytes: int = BATCH_BYTES,
) -> CopyReport:
    """Copy every row of `source` into `target`, which is migrated to this digest's
    schema first and must hold no rows. `claim_lease`: `[queue] lease`, how long a
    worker's ledger claim counts as a send in progress. `gone(name)`: whether the
    process a send lease's owner or a claim names is provably gone (a killed send of
    this machine: it sends nothing after the copy, which goes ahead; `digest send` from
    the copy takes its lease and rows over). `on_table(name, rows)` is told each table
    as its copy begins. A `digest serve` running on the source is refused too
    (:mod:`digest.store._serving`), unless `force`."""
    if _same(source, target):
        raise StoreError(
            f"{target.url}: that is the database [database] url names, which the copy reads "
            "from; point [database] url back at the old database (the SQLite file, such as "
            "sqlite:///digest.db) until the copy is done, then at this one"
        )
    with source.engine.connect() as conn:
        _check_revision(conn, source.url)
    journaled = _replay_journals(source, now)
    with _snapshot(source) as src:
        _refuse_sends(src, source.url, now, claim_lease, gone)
        if not force:
            refuse_serving(src, source.url, now=now, gone=gone)
        counts = {table.name: _count(src, table) for table in t.metadata.sorted_tables}
        given = _ids_given(src)
        target.migrate()
        copied: list[CopiedTable] = []
        with target.engine.begin() as dst:
            target._lock_schema(dst)  # SQLite: the write lock; PostgreSQL: no migration races
            _refuse_rows(dst, target.url)
            for table in t.metadata.sorted_tables:
                if on_table is not None:
                    on_table(table.name, counts[table.name])
                try:
                    _copy_table(src, dst, table, batch_rows, batch_bytes)
                except DBAPIError as exc:
                    url = target.engine.url.render_as_string(hide_password=False)
                    raise StoreError(
                        f"{target.url}: table {table.name} refused a row of {source.url} "
                        f"({detail(exc.orig or exc, url)}); {_UNDONE}"
                    ) from None
                except StoreError as exc:  # the target's disk full, its server gone, ...
                    raise type(exc)(f"{exc}; {_UNDONE}") from None
            _advance_ids(dst, given)
            for table in t.metadata.sorted_tables:
                copied.append(CopiedTable(table.name, counts[table.name], _count(dst, table)))
            wrong = [c for c in copied if c.source != c.target]
            if wrong:
                told = ", ".join(f"{c.name} {c.target} of {c.source}" for c in wrong)
                raise StoreError(f"{target.url}: the copy's counts differ ({told}); {_UNDONE}")
    if target.engine.dialect.name == "postgresql":
        # A bulk load into tables never analysed: until autovacuum gets to them the
        # planner guesses their sizes and passes over indexes (an article by its link).
        # The copy is done by then: a refusal (a role that owns no table) leaves the
        # statistics to autovacuum.
        with contextlib.suppress(DBAPIError), target.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return CopyReport(source.url, target.url, HEAD, tuple(copied), journaled)


_UNDONE = "nothing was copied: the copy was rolled back and the target holds no rows"


def _same(source: Store, target: Store) -> bool:
    """Whether both name one database (a SQLite file however spelt, or one server's)."""
    a, b = source.engine.url, target.engine.url
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return bool(a.database and b.database) and _file(a) == _file(b)
    return (a.host, a.port or 5432, a.database) == (b.host, b.port or 5432, b.database)


def _file(url: URL) -> Path:
    return Path(url.database or "").resolve()


def _check_revision(conn: Connection, name: str) -> None:
    """The source at this digest's revision, as it is (it is not migrated here)."""
    found: set[str] = set()
    if inspect(conn).has_table("alembic_version"):
        found = {str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    conn.rollback()
    if found == {HEAD}:
        return
    if not found:
        raise StoreError(f"{name}: holds no digest database (no schema revision); nothing to copy")
    at = ", ".join(sorted(found))
    if all(r.isdigit() for r in found) and max(map(int, found)) > int(HEAD):
        raise StoreError(
            f"{name}: the database is at revision {at}, newer than this digest's {HEAD}; "
            "copy it with the digest that migrated it"
        )
    raise StoreError(
        f"{name}: the database is at revision {at}, this digest's is {HEAD}; run any digest "
        "command that opens it (`digest editions`, say), which migrates it, then copy again"
    )


def _replay_journals(store: Store, now: datetime) -> int:
    """Record as sent what killed sends journaled and never marked (SQLite: see
    :class:`digest.store._writer.LedgerWriter`), as the next send would: those
    messages went out, and the copy's ledger must say so. The rows changed."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return 0
    try:
        names = os.listdir(f"{url.database}-sent")
    except OSError:
        return 0
    editions = {int(part) for n in names if (part := n.split(".")[0]).isdigit()}
    return sum(store.apply_journals(edition, now) for edition in sorted(editions))


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A connection reading one state of the source until the copy ends. SQLite: the
    write lock is held too (BEGIN IMMEDIATE), so a send started meanwhile waits and
    claims nothing that the copy would not see; a read-only file has no writer."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except StoreReadOnly:
                conn.exec_driver_sql("BEGIN")
        else:
            conn.execution_options(isolation_level="REPEATABLE READ")
            conn.execute(text("SET TRANSACTION READ ONLY"))
        try:
            yield conn
        finally:
            conn.rollback()


def _iso(when: datetime | None) -> str:
    return "?" if when is None else when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refuse_sends(
    conn: Connection, name: str, now: datetime, claim_lease: float, gone: Callable[[str], bool]
) -> None:
    """A send in progress (a live send lease, or ledger rows a worker claimed within
    its lease) is waited for: what it sends after the copy would be sent again. A
    lease or claims whose process is provably `gone` are no send in progress."""
    lease, d = t.send_leases, t.deliveries
    busy: dict[int, str] = {}
    for row in conn.execute(select(lease).where(lease.c.until > now).order_by(lease.c.edition_id)):
        if not gone(row.owner):
            busy[int(row.edition_id)] = (
                f"pid {row.pid} on {row.host} holds it until {_iso(utc(row.until))}"
            )
    claims = (
        select(d.c.edition_id, d.c.worker, func.count(), func.max(d.c.claimed_at))
        .where(
            d.c.status == "claimed",
            d.c.worker.is_not(None),
            d.c.claimed_at > now - timedelta(seconds=claim_lease),
        )
        .group_by(d.c.edition_id, d.c.worker)
        .order_by(d.c.edition_id)
    )
    held: dict[int, tuple[int, datetime]] = {}
    for edition, worker, count, claimed in conn.execute(claims):
        latest = utc(claimed)
        if gone(str(worker)) or latest is None:
            continue
        before, last = held.get(int(edition), (0, latest))
        held[int(edition)] = (before + int(count), max(last, latest))
    for edition, (count, latest) in held.items():
        busy.setdefault(
            edition,
            f"workers claimed {count} messages, the latest at {_iso(latest)}; a "
            f"dead worker's claims count for [queue] lease = {claim_lease:g} seconds",
        )
    if not busy:
        return
    edition, why = next(iter(busy.items()))
    more = f" (and edition(s) {', '.join(map(str, list(busy)[1:]))})" if len(busy) > 1 else ""
    raise StoreError(
        f"{name}: edition {edition} is being sent ({why}){more}; nothing was copied. Copy "
        f"once no send runs: wait for it to finish, or stop it with `digest pause "
        f"{edition}` (`digest cancel {edition}` drops it), then copy again"
    )


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _ids_given(conn: Connection) -> dict[str, int]:
    """The highest id each table's sequence has given, where the source keeps one
    beyond its rows (SQLite's AUTOINCREMENT tables; PostgreSQL's sequences)."""
    if conn.dialect.name == "sqlite":
        if not inspect(conn).has_table("sqlite_sequence"):
            return {}
        rows = conn.execute(text("SELECT name, seq FROM sqlite_sequence"))
        return {str(name): int(seq) for name, seq in rows if seq is not None}
    given: dict[str, int] = {}
    for table in t.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        last = conn.execute(
            text("SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(:t, :c) AS regclass))"),
            {"t": table.name, "c": column.name},
        ).scalar()
        if last is not None:
            given[table.name] = int(last)
    return given


def _refuse_rows(conn: Connection, name: str) -> None:
    """Nothing is overwritten: the target holds no row in any digest table."""
    for table in t.metadata.sorted_tables:
        if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None:
            raise StoreError(
                f"{name}: table {table.name} already holds rows; the copy goes only into a "
                "database with none, so nothing was copied. Give a new, empty database (a "
                "digest command run with [database] url naming this one stores rows: if "
                "nothing in it is to be kept, `dropdb` and `createdb` it again)"
            )


def _copy_table(
    src: Connection, dst: Connection, table: Table, batch_rows: int, batch_bytes: int
) -> None:
    """Every row of `table`, in primary-key order, batch by batch: the source's rows
    are streamed, never all in memory. Times as UTC (SQLite gives them naive)."""
    times = [c.name for c in table.columns if isinstance(c.type, DateTime)]
    blobs = [c.name for c in table.columns if isinstance(c.type, LargeBinary)]
    query = select(table).order_by(*table.primary_key.columns)
    result = src.execute(query.execution_options(yield_per=batch_rows))
    batch: list[dict[str, Any]] = []
    size = 0
    for row in result:
        values = dict(row._mapping)
        for name in times:
            values[name] = utc(values[name])
        size += sum(len(values[name] or b"") for name in blobs)
        batch.append(values)
        if len(batch) >= batch_rows or size >= batch_bytes:
            dst.execute(insert(table), batch)
            batch, size = [], 0
    if batch:
        dst.execute(insert(table), batch)


def _advance_ids(conn: Connection, given: dict[str, int]) -> None:
    """Each id sequence of the target past the highest id copied and every id the
    source ever gave, so a new row takes an id never used."""
    for table in t.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        top = int(conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one())
        top = max(top, given.get(table.name, 0))
        if conn.dialect.name == "postgresql":
            if top:
                conn.execute(
                    text("SELECT setval(CAST(pg_get_serial_sequence(:t, :c) AS regclass), :v)"),
                    {"t": table.name, "c": column.name, "v": top},
                )
        elif table.dialect_options["sqlite"].get("autoincrement") and top:
            done = conn.execute(
                text("UPDATE sqlite_sequence SET seq = max(seq, :v) WHERE name = :t"),
                {"t": table.name, "v": top},
            )
            if not done.rowcount:
                conn.execute(
                    text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :v)"),
                    {"t": table.name, "v": top},
                )
