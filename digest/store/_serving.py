"""Which `digest serve` processes use the database: each keeps a row fresh while it runs.

`digest database copy` must not copy a database that a serve process still writes to
(an unsubscribe it takes after the copy would land in the old database only). A serve
process names itself as a send lease's owner does, `host:pid:token`, so
:func:`digest.deliver.lease.process_gone` tells when it is gone from this machine; it
marks itself seen every :data:`BEAT` and counts as running while seen within
:data:`LEASE` (a process of another machine that was killed, or its machine, stops
counting then).

The rows live in `serve_processes` (revision 0019): a process's name, host and pid,
and when it was last seen. A row is deleted when its process stops cleanly; rows of
processes gone for a day are deleted whenever a process marks itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select

from digest.errors import StoreError
from digest.store import schema as t
from digest.store._base import Base, upsert, utc

#: How often a serve process marks itself seen, and for how long it counts as running
#: after that (a few beats: a busy database may hold a beat back).
BEAT = timedelta(seconds=20)
LEASE = timedelta(seconds=90)
#: The longest name the table holds: a host name is cut to fit.
NAME_MAX = 80
#: Rows of processes not seen for this long are deleted (killed, or their machine gone).
FORGET = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Serving:
    """A `digest serve` process: its name, machine and pid, and when it was last seen."""

    name: str
    host: str
    pid: int
    seen: datetime


def serve_name(host: str, pid: int, token: str) -> str:
    """A serve process's name, `host:pid:token`, the host cut to fit the key."""
    tail = f":{pid}:{token}"
    return f"{host[: NAME_MAX - len(tail)]}{tail}"


class ServingMixin(Base):
    def mark_serving(self, name: str, *, now: datetime) -> None:
        """Record that the serve process `name` (:func:`serve_name`) runs, as of `now`."""
        sp = t.serve_processes
        host, pid, _token = name.rsplit(":", 2)
        query = (
            upsert(self.engine.dialect.name, sp)
            .values(name=name, host=host, pid=int(pid), seen_at=now)
            .on_conflict_do_update(index_elements=[sp.c.name], set_={"seen_at": now})
        )
        with self.engine.begin() as conn:
            conn.execute(delete(sp).where(sp.c.seen_at < now - FORGET))
            conn.execute(query)

    def stop_serving(self, name: str) -> None:
        """The serve process `name` stopped."""
        sp = t.serve_processes
        with self.engine.begin() as conn:
            conn.execute(delete(sp).where(sp.c.name == name))

    def serving(self, *, now: datetime, gone: Callable[[str], bool]) -> list[Serving]:
        """The serve processes running as of `now` (see :func:`serving`)."""
        with self.engine.connect() as conn:
            return serving(conn, now=now, gone=gone)


def serving(conn: Connection, *, now: datetime, gone: Callable[[str], bool]) -> list[Serving]:
    """The serve processes seen within :data:`LEASE` of `now` that `gone` does not
    know to be gone, the latest seen first."""
    sp = t.serve_processes
    rows = conn.execute(
        select(sp.c.name, sp.c.host, sp.c.pid, sp.c.seen_at)
        .where(sp.c.seen_at > now - LEASE)
        .order_by(sp.c.seen_at.desc(), sp.c.name)
    )
    found = []
    for name, host, pid, seen in rows:
        when = utc(seen)
        if when is None or gone(name):
            continue
        found.append(Serving(name, host, int(pid), when))
    return found


def refuse_serving(
    conn: Connection, name: str, *, now: datetime, gone: Callable[[str], bool]
) -> None:
    """Refuse (StoreError) a copy of the database `name` while a serve process runs on it."""
    running = serving(conn, now=now, gone=gone)
    if not running:
        return
    told = "; ".join(f"pid {s.pid} on {s.host}, seen {_ago(now - s.seen)} ago" for s in running)
    raise StoreError(
        f"{name}: `digest serve` is running on this database ({told}); nothing was "
        "copied. What it records after the copy (an unsubscribe, a confirmation) would "
        "be in the old database only. Stop every `digest serve` first, then copy again "
        "(--force copies anyway)"
    )


def _ago(span: timedelta) -> str:
    seconds = max(int(span.total_seconds()), 0)
    return f"{seconds} second{'' if seconds == 1 else 's'}"
