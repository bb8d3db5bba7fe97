"""Writing a ledger's outcomes: one short transaction per few messages.

`_mark` records outcomes (sent stamps `sent_at`; bounced also suppresses the address)
and reads the edition's status in the same transaction, so a pause reaches running
workers for free. :class:`LedgerWriter` does that over a connection of its own, the
common case through the driver's own statements. Nothing here decides an outcome.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from digest.store import schema as t

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]


# The statements run per batch or every few messages are built once: building and
# caching a statement costs more than running it.
_MARK = (
    update(t.deliveries)
    .where(
        t.deliveries.c.edition_id == bindparam("eid"),
        t.deliveries.c.subscriber_id == bindparam("sid"),
    )
    .values(
        status=bindparam("new_status"),
        error=bindparam("new_error"),
        sent_at=bindparam("new_sent_at"),
    )
)
_STATUS = select(t.editions.c.status).where(t.editions.c.id == bindparam("edition_id"))


def _mark(
    conn: Connection, edition_id: int, results: Mapping[int, tuple[str, str | None]], now: datetime
) -> str:
    s = t.subscribers
    params = [
        {
            "eid": edition_id,
            "sid": sid,
            "new_status": status,
            "new_error": error,
            "new_sent_at": now if status == "sent" else None,
        }
        for sid, (status, error) in results.items()
    ]
    with conn.begin():
        if params:
            conn.execute(_MARK, params[0] if len(params) == 1 else params)
        for sid, (outcome, error) in results.items():
            if outcome != "bounced":
                continue
            changed = conn.execute(
                update(s)
                .where(s.c.id == sid, s.c.status == "active")
                .values(status="bounced", updated_at=now)
            ).rowcount
            if changed:
                conn.execute(
                    insert(t.subscriber_events).values(
                        subscriber_id=sid, status="bounced", origin="smtp", detail=error, at=now
                    )
                )
        edition_status = conn.execute(_STATUS, {"edition_id": edition_id}).scalar()
    return str(edition_status)


class LedgerWriter:
    """Marks one edition's outcomes over a connection of its own (close it after).

    On SQLite, the sending processes take turns through an advisory file lock beside the
    database (`flock`) before they write: a writer that finds SQLite's lock taken would
    otherwise sleep in SQLite's busy handler (a millisecond or more per collision, and
    with several workers each marking every few messages, collisions are the rule).
    The file lock wakes the next writer as soon as the lock is given back."""

    def __init__(self, conn: Connection, edition_id: int, *, lock: str | None = None) -> None:
        self._conn, self._edition_id = conn, edition_id
        self._lock: int | None = None
        self._statements: tuple[str, str, Any] | None = None
        if lock is not None and fcntl is not None:
            try:
                self._lock = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only folder: SQLite's own busy handler only
                self._lock = None

    def mark(self, results: Mapping[int, tuple[str, str | None]], *, now: datetime) -> str:
        """As :meth:`LedgerMixin.mark`."""
        with self.turn():
            return self._mark(results, now)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """This process's turn to write (the file lock; nothing without one). A worker's
        claims take it too: a claim meeting another worker's mark in SQLite's busy
        handler sleeps a millisecond or more, and so does a mark meeting a claim."""
        if self._lock is None or fcntl is None:
            yield
            return
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)

    def _mark(self, results: Mapping[int, tuple[str, str | None]], now: datetime) -> str:
        if any(outcome == "bounced" for outcome, _ in results.values()):
            return _mark(self._conn, self._edition_id, results, now)  # also suppresses
        # The common case, a worker's every few messages: the driver's own statements
        # (a quarter of the cost of building them through SQLAlchemy per call).
        if self._statements is None:
            self._statements = self._raw()
        mark, status, at = self._statements
        raw = self._conn.connection.dbapi_connection
        assert raw is not None
        stamp = at(now) if at is not None else now
        rows = [
            (outcome, error, stamp if outcome == "sent" else None, self._edition_id, sid)
            for sid, (outcome, error) in results.items()
        ]
        cur = raw.cursor()
        try:
            if len(rows) == 1:
                cur.execute(mark, rows[0])
            else:
                cur.executemany(mark, rows)
            cur.execute(status, (self._edition_id,))
            found = cur.fetchone()
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            cur.close()
        return str(found[0]) if found else ""

    def _raw(self) -> tuple[str, str, Any]:
        """The two statements in the driver's parameter style, and the driver's
        conversion of a timestamp (as SQLAlchemy would store it)."""
        dialect = self._conn.dialect
        mark = (
            "UPDATE deliveries SET status = ?, error = ?, sent_at = ? "
            "WHERE edition_id = ? AND subscriber_id = ?"
        )
        status = "SELECT status FROM editions WHERE id = ?"
        if dialect.paramstyle in ("format", "pyformat"):
            mark, status = mark.replace("?", "%s"), status.replace("?", "%s")
        at = t.deliveries.c.sent_at.type.bind_processor(dialect)
        return mark, status, at

    def close(self) -> None:
        self._conn.close()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
