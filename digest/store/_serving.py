"""Which `digest serve` processes use the database: each keeps a row fresh while it runs.

`digest database copy` must not copy a database that a serve process still writes to
(an unsubscribe it takes after the copy would land in the old database only). A serve
process names itself as a send lease's owner does, `host:pid:token`, so
:func:`digest.deliver.lease.process_gone` tells when it is gone from this machine; it
marks itself seen every :data:`BEAT` and counts as running while seen within
:data:`LEASE` (a process of another machine that was killed, or its machine, stops
counting then).

The rows live in the `throttles` table under the scope "serve" (key: the process's
name, window_start: when it was last seen, count: its pid): the table every serve
process already writes, its rows forgotten two days after their window, so no
migration is needed. `send_leases` cannot hold them: its key is an edition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select

from digest.errors import StoreError
from digest.store import schema as t
from digest.store._base import Base, upsert, utc

SCOPE = "serve"
#: How often a serve process marks itself seen, and for how long it counts as running
#: after that (a few beats: a busy database may hold a beat back).
BEAT = timedelta(seconds=20)
LEASE = timedelta(seconds=90)
#: The longest name the `throttles` key holds: a host name is cut to fit.
NAME_MAX = 64


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
        th = t.throttles
        pid = int(name.rsplit(":", 2)[1])
        query = (
            upsert(self.engine.dialect.name, th)
            .values(scope=SCOPE, key=name, window_start=now, count=pid)
            .on_conflict_do_update(
                index_elements=[th.c.scope, th.c.key], set_={"window_start": now}
            )
        )
        with self.engine.begin() as conn:
            conn.execute(query)

    def stop_serving(self, name: str) -> None:
        """The serve process `name` stopped."""
        th = t.throttles
        with self.engine.begin() as conn:
            conn.execute(delete(th).where(th.c.scope == SCOPE, th.c.key == name))

    def serving(self, *, now: datetime, gone: Callable[[str], bool]) -> list[Serving]:
        """The serve processes running as of `now` (see :func:`serving`)."""
        with self.engine.connect() as conn:
            return serving(conn, now=now, gone=gone)


def serving(conn: Connection, *, now: datetime, gone: Callable[[str], bool]) -> list[Serving]:
    """The serve processes seen within :data:`LEASE` of `now` that `gone` does not
    know to be gone, the latest seen first."""
    th = t.throttles
    rows = conn.execute(
        select(th.c.key, th.c.count, th.c.window_start)
        .where(th.c.scope == SCOPE, th.c.window_start > now - LEASE)
        .order_by(th.c.window_start.desc(), th.c.key)
    )
    found = []
    for name, pid, seen in rows:
        when = utc(seen)
        if when is None or gone(name):
            continue
        found.append(Serving(name, name.rsplit(":", 2)[0], int(pid), when))
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
