"""Writing a ledger's outcomes: one short transaction per few messages.

`_mark` records outcomes (sent stamps `sent_at`; bounced also suppresses the address)
and reads the edition's status in the same transaction, so a pause reaches running
workers for free. :class:`LedgerWriter` does that over a connection of its own, the
common case through the driver's own statements. Nothing here decides an outcome.

On SQLite a writer also keeps a *journal*: each message the server took is appended to
a small file of the worker's own (one `write`, no transaction) the moment its reply is
read, and the file is emptied once those outcomes are in the database. A killed worker's
journal is applied (`replay`) before anyone claims rows again, so a kill re-sends at most
the one message in flight, however rarely outcomes are written: the database is then
written every few dozen messages rather than every few. The file is as durable as a
commit with `synchronous=NORMAL` (it survives the process, not the machine's power).

On PostgreSQL (no journal: a worker's file is no use to one on another machine) each
outcome is marked at once, and the commit does not wait for the server's disk
(`synchronous_commit` off for that transaction: once PostgreSQL has it, a worker's kill
changes nothing) but for one mark every FLUSH_EVERY or second, which makes the earlier
ones durable too. So a killed worker re-sends only the message in flight, and a power
loss (or a crash of PostgreSQL) costs at most the last second's marks, as the journal.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from digest.errors import StoreError, StoreFull
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
# PostgreSQL: the status, read in a transaction whose commit need not wait for the disk.
_STATUS_LAZY = (
    "SELECT status, set_config('synchronous_commit', 'off', true) FROM editions WHERE id = %s"
)
FLUSH_EVERY = 64  # PostgreSQL: a commit waits for the disk at least this often (or 1 s)
# A journaled message the database does not have as sent or bounced yet. Its id may be
# of a subscription merged since into another (revision 0009): the row is that one's.
_REPLAY = (
    "UPDATE deliveries SET status = 'sent', error = NULL, sent_at = ? "
    "WHERE edition_id = ? AND subscriber_id = COALESCE("
    "(SELECT subscriber_id FROM subscriber_merges WHERE old_id = ?), ?) "
    "AND status NOT IN ('sent', 'bounced')"
)


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

    def __init__(
        self,
        conn: Connection,
        edition_id: int,
        *,
        lock: str | None = None,
        journal: str | None = None,
    ) -> None:
        self._conn, self._edition_id = conn, edition_id
        self._lock: int | None = None
        self._statements: tuple[str, str, Any] | None = None
        if lock is not None and fcntl is not None:
            try:
                self._lock = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only folder: SQLite's own busy handler only
                self._lock = None
        # The journal's folder (SQLite, POSIX, the lock file could be made there) and
        # this writer's file in it, both made at the first message and removed at a
        # clean close: <edition>.<pid>.<random>.
        self._journal = journal if self._lock is not None else None
        self._file: int | None = None
        self._name = f"{edition_id}.{os.getpid()}.{secrets.token_hex(4)}"
        # PostgreSQL: marks committed since the last one that waited for the disk, when.
        self._lazy = conn.dialect.name == "postgresql"
        self._unflushed, self._flushed = 0, time.monotonic()

    @property
    def journaled(self) -> bool:
        """Whether `sent` journals messages (outcomes may be written less often)."""
        return self._journal is not None

    def sent(self, subscriber_id: int) -> None:
        """The server took this subscriber's message: journal it now (no-op without)."""
        if self._journal is None:
            return
        try:
            if self._file is None:
                self._file = self._open()
            os.write(self._file, b"%d\n" % subscriber_id)
        except OSError as exc:  # the send stops: what is not recorded would go again
            path = os.path.join(self._journal, self._name)
            error = StoreFull if exc.errno == errno.ENOSPC else StoreError
            raise error(f"{path}: cannot record a sent message ({exc.strerror})") from exc

    def _open(self) -> int:
        """This writer's journal file, made (and its folder) now."""
        assert self._journal is not None
        path = os.path.join(self._journal, self._name)
        for _ in range(3):  # another writer may remove the empty folder meanwhile
            with contextlib.suppress(FileNotFoundError):
                return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.makedirs(self._journal, mode=0o700, exist_ok=True)
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def replay(self, now: datetime, only: Collection[int] | None = None) -> int:
        """Record as sent what other writers of this edition journaled and did not mark
        (a killed worker's last messages; a live one's are true as well), then remove the
        journals of processes that are gone. With `only` (the rows about to be claimed),
        a live writer's messages are recorded just where they are among those: the
        others are its own to mark, and a claim takes no other row. Call under `turn`;
        returns the rows changed."""
        if self._journal is None:
            return 0
        ids: set[int] = set()
        gone: list[str] = []
        try:
            names = [n for n in os.listdir(self._journal) if n.startswith(f"{self._edition_id}.")]
        except OSError:
            return 0
        for name in names:
            if name == self._name:
                continue
            path = os.path.join(self._journal, name)
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            whole = data[: data.rfind(b"\n") + 1]  # a line being written is not read
            found = {int(x) for x in whole.split() if x.isdigit()}
            if not _alive(name):
                gone.append(path)
            elif only is not None:
                found.intersection_update(only)
            ids |= found
        changed = 0
        if ids:
            mark, _, at = self._raw_statements()
            stamp = at(now) if at is not None else now
            replay = _REPLAY if "?" in mark else _REPLAY.replace("?", "%s")
            with self._cursor() as cur:
                params = [(stamp, self._edition_id, i, i) for i in sorted(ids)]
                cur.executemany(replay, params)
                changed = max(cur.rowcount, 0)
        for path in gone:  # applied: a crash before this line applies them again, harmlessly
            with contextlib.suppress(OSError):
                os.unlink(path)
        if gone:
            with contextlib.suppress(OSError):
                os.rmdir(self._journal)  # when no other journal is left in it
        return changed

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

    def status(self) -> str:
        """The edition's status, read over this writer's connection (no transaction left
        open): a worker reads it every message or two."""
        _, status, _ = self._raw_statements()
        with self._cursor(write=False) as cur:
            cur.execute(status, (self._edition_id,))
            found = cur.fetchone()
        return str(found[0]) if found else ""

    def _mark(self, results: Mapping[int, tuple[str, str | None]], now: datetime) -> str:
        status = self._write(results, now)
        if self._file is not None:  # what the journal held is in the database now
            os.ftruncate(self._file, 0)
        return status

    def _write(self, results: Mapping[int, tuple[str, str | None]], now: datetime) -> str:
        if any(outcome == "bounced" for outcome, _ in results.values()):
            return _mark(self._conn, self._edition_id, results, now)  # also suppresses
        # The common case, a worker's every few messages: the driver's own statements
        # (a quarter of the cost of building them through SQLAlchemy per call).
        mark, status, at = self._raw_statements()
        stamp = at(now) if at is not None else now
        rows = [
            (outcome, error, stamp if outcome == "sent" else None, self._edition_id, sid)
            for sid, (outcome, error) in results.items()
        ]
        if self._lazy and self._unflushed < FLUSH_EVERY and time.monotonic() - self._flushed < 1:
            status, self._unflushed = _STATUS_LAZY, self._unflushed + 1
        else:  # this commit waits for the disk: the earlier ones are durable with it
            self._unflushed, self._flushed = 0, time.monotonic()
        with self._cursor() as cur:
            if len(rows) == 1:
                cur.execute(mark, rows[0])
            else:
                cur.executemany(mark, rows)
            cur.execute(status, (self._edition_id,))
            found = cur.fetchone()
        return str(found[0]) if found else ""

    @contextmanager
    def _cursor(self, *, write: bool = True) -> Iterator[Any]:
        """A cursor of the driver's own on this writer's connection, in a transaction
        committed at the end (`write`; else ended) and rolled back on any error."""
        raw = self._conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        try:
            yield cur
            if write:
                raw.commit()
            else:  # PostgreSQL opened a transaction for a read: end it
                raw.rollback()
        except BaseException:
            raw.rollback()
            raise
        finally:
            cur.close()

    def _raw_statements(self) -> tuple[str, str, Any]:
        if self._statements is None:
            self._statements = self._raw()
        return self._statements

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
        """Close the connection; the journal goes once it is empty (every outcome it
        held is in the database), else it stays for the next claim to apply."""
        self._conn.close()
        if self._file is not None:
            empty = os.fstat(self._file).st_size == 0
            os.close(self._file)
            self._file = None
            if empty and self._journal is not None:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(self._journal, self._name))
                    os.rmdir(self._journal)  # when no other journal is left in it
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _alive(name: str) -> bool:
    """Whether the process that writes the journal `name` (<edition>.<pid>.<random>) runs."""
    try:
        pid = int(name.split(".")[1])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
