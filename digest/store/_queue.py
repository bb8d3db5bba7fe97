"""Ledger queries for the queued (Celery) path: id ranges, exclusive claims, leases.

A queued batch is a range of subscriber ids `(lo, hi]`. Any number of workers, on any
machine, may hold a batch of the same edition at once (a redelivered message can even
give two workers the same range), so a claim here is exclusive: it takes a row only
when nobody else holds it. A row is held while it is `claimed` by another worker
whose claim is younger than the lease; a worker renews its claims while it works
(:meth:`QueueMixin.renew_claims`), so only a dead worker's claims grow old and are
taken over. On PostgreSQL the claim locks the rows it takes over with `SELECT .. FOR
UPDATE SKIP LOCKED` (a row another worker is claiming or marking right now is
skipped, never waited for) and updates them by primary key; SQLite, which has one
writer at a time, runs the same conditions as one UPDATE. Claims, renewals and
releases read the ledger by edition and subscriber: their cost follows the batch, not
the list. Nothing here sends, renders or decides what an outcome means.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.sql.elements import BindParameter

from digest.store import schema as t
from digest.store._base import upsert, utc
from digest.store._ledger import DONE, LedgerMixin, retryable

Range = tuple[int, int]  # subscriber ids lo < id <= hi

log = logging.getLogger("digest.store")


def _insert_ignore(conn: Connection, table: Any) -> Any:
    """INSERT that does nothing when the row exists (another process was first)."""
    return upsert(conn.dialect.name, table).on_conflict_do_nothing()


@dataclass(frozen=True, slots=True)
class _Claims:
    """An exclusive claim's statements for one dialect, with bound parameters `eid`,
    `ids` (expanding), `worker`, `now`, `cutoff`, `retry` (None, or when a run that
    retries unsendable rows began: see `retryable`), and `rows` on PostgreSQL."""

    take: Any  # rows to take over -> their subscriber ids (PostgreSQL: by `rows`)
    insert: Any  # new rows -> their subscriber ids
    locked: Any = None  # PostgreSQL: the rows to take over, locked (SKIP LOCKED)
    known: Any = None  # PostgreSQL: the ids the ledger has


@cache
def _claims(dialect: str) -> _Claims:
    """Built once per dialect: building and caching a statement with a batch of ids
    costs more than running it."""
    s, d = t.subscribers, t.deliveries
    ids: BindParameter[int] = bindparam("ids", expanding=True)
    mine = and_(d.c.edition_id == bindparam("eid"), d.c.subscriber_id.in_(ids))
    retry = bindparam("retry", type_=d.c.claimed_at.type)
    takeable = and_(
        mine,
        or_(d.c.status.not_in(DONE), and_(retry.is_not(None), retryable(retry))),
        or_(
            d.c.status != "claimed",
            d.c.worker.is_(None),
            d.c.worker == bindparam("worker"),
            d.c.claimed_at.is_(None),
            d.c.claimed_at < bindparam("cutoff", type_=d.c.claimed_at.type),
        ),
    )
    now = bindparam("now", type_=d.c.claimed_at.type)
    take = update(d).values(
        status="claimed",
        attempts=d.c.attempts + 1,
        worker=bindparam("worker"),
        claimed_at=now,
        error=None,
    )
    rows = (
        select(
            bindparam("eid", type_=Integer),
            s.c.id,
            literal("claimed", String),
            literal(1, Integer),
            bindparam("worker", type_=String),
            now,
        )
        .where(s.c.id.in_(ids))
        .order_by(s.c.id)  # one order for everyone: concurrent inserts never deadlock
    )
    columns = ["edition_id", "subscriber_id", "status", "attempts", "worker", "claimed_at"]
    insert = (
        upsert(dialect, d)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=[d.c.edition_id, d.c.subscriber_id])
        .returning(d.c.subscriber_id)
    )
    if dialect == "postgresql":
        return _Claims(
            take=take.where(d.c.id.in_(bindparam("rows", expanding=True))).returning(
                d.c.subscriber_id
            ),
            insert=insert,
            locked=select(d.c.id).where(takeable).with_for_update(skip_locked=True),
            known=select(d.c.subscriber_id).where(mine),
        )
    inner = select(d.c.subscriber_id).where(takeable)
    return _Claims(
        take=take.where(d.c.edition_id == bindparam("eid"), d.c.subscriber_id.in_(inner)).returning(
            d.c.subscriber_id
        ),
        insert=insert,
    )


class QueueMixin(LedgerMixin):
    def reserve_pace(self, name: str, *, span: float, now: float) -> float:
        """Reserve the next `span` seconds of the shared send pace `name`: returns when
        they start (wall-clock epoch seconds, never before `now`). One conditional
        statement, so processes reserving at once get slots one after the other."""
        pace = t.send_pace
        start = case((pace.c.next_at > now, pace.c.next_at), else_=literal(now))
        stmt = (
            update(pace)
            .where(pace.c.name == name)
            .values(next_at=start + span)
            .returning(pace.c.next_at)
        )
        for _ in range(3):
            with self.engine.begin() as conn:
                end = conn.execute(stmt).scalar()
                if end is not None:
                    return float(end) - span
                ins = _insert_ignore(conn, pace).values(name=name, next_at=now + span)
                if conn.execute(ins).rowcount:
                    return now
        raise RuntimeError(f"cannot reserve send pace {name!r}")  # pragma: no cover

    def batch_ranges(
        self,
        edition_id: int,
        list_name: str,
        *,
        size: int,
        unfinished: bool = False,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
        retry_before: datetime | None = None,
    ) -> list[Range]:
        """The due subscribers cut into id ranges of `size` subscribers each, in order.

        One counting pass that returns only the boundaries (every `size`-th due id),
        never the subscribers. `unfinished` keeps only those no worker has finished
        with in any way (no ledger row yet, or a row still claimed): a failed row
        waits for the next `digest send`, as in a local send. `retry_before`: as in
        :meth:`due`.
        """
        s = t.subscribers
        where = self._due_filter(
            edition_id,
            list_name,
            timezones=timezones,
            list_timezone=list_timezone,
            retry_before=retry_before,
        )
        if unfinished:
            where = and_(where, ~self._failed(edition_id))
        ranked = select(s.c.id, func.row_number().over(order_by=s.c.id).label("n")).where(where)
        numbered = ranked.subquery()
        bounds = select(numbered.c.id).where(numbered.c.n % size == 0).order_by(numbered.c.id)
        with self.engine.connect() as conn:
            ends = [int(i) for i in conn.execute(bounds).scalars()]
            last = conn.execute(select(func.max(s.c.id)).where(where)).scalar()
        if last is not None and (not ends or int(last) > ends[-1]):
            ends.append(int(last))
        return list(zip([0, *ends], ends, strict=False))  # (0, e1], (e1, e2], ...

    def analyze(self) -> None:
        """Refresh PostgreSQL's statistics of the subscribers and the ledger (a no-op on
        SQLite). Right after a bulk import they are missing, and the planner then walks
        the ledger once per subscriber to count who is due: seconds instead of
        milliseconds at 5,000 subscribers, and it grows with the square of the list."""
        if self.engine.dialect.name != "postgresql":
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(text("ANALYZE subscribers"))
                conn.execute(text("ANALYZE deliveries"))
        except SQLAlchemyError as exc:  # not the tables' owner: the send works, slower
            where = make_url(self.url).render_as_string(hide_password=True)
            log.warning("%s: cannot ANALYZE (%s)", where, exc.__class__.__name__)

    def _failed(self, edition_id: int) -> ColumnElement[bool]:
        d, s = t.deliveries, t.subscribers
        return exists().where(
            d.c.edition_id == edition_id, d.c.subscriber_id == s.c.id, d.c.status == "failed"
        )

    def unfinished_count(
        self,
        edition_id: int,
        list_name: str,
        *,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
        retry_before: datetime | None = None,
    ) -> int:
        """Due subscribers that no worker has finished with (no row yet, or claimed;
        with `retry_before`, also the unsendable rows that run has not taken yet)."""
        where = and_(
            self._due_filter(
                edition_id,
                list_name,
                timezones=timezones,
                list_timezone=list_timezone,
                retry_before=retry_before,
            ),
            ~self._failed(edition_id),
        )
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(where)).scalar_one())

    def claim_exclusive(
        self,
        edition_id: int,
        subscriber_ids: Iterable[int],
        *,
        worker: str,
        now: datetime,
        lease: float,
        retry_before: datetime | None = None,
    ) -> set[int]:
        """Claim these rows for `worker` unless another worker holds them; the ids taken.

        In one transaction: rows already in the ledger are taken over when they are
        not done (`DONE`; or unsendable and claimed before `retry_before`, a run that
        retries them) and not held (held = claimed by another worker less than
        `lease` seconds ago); then rows not in the ledger yet are inserted (ON CONFLICT
        DO NOTHING: a row another worker inserted first is theirs). On PostgreSQL the
        rows to take over are locked first with SELECT .. FOR UPDATE SKIP LOCKED and
        updated by primary key (a row another transaction is claiming or marking is
        skipped, never waited for); SQLite, which has one writer at a time, runs the
        same as one UPDATE .. WHERE .. IN (SELECT ..). The statements are built once
        (`_claims`): a sending worker claims every batch.
        """
        ids = sorted(set(subscriber_ids))
        if not ids:
            return set()
        values = {
            "eid": edition_id,
            "ids": ids,
            "worker": worker,
            "now": now,
            "cutoff": now - timedelta(seconds=lease),
            "retry": retry_before,
        }
        for attempt in range(3):
            try:
                return self._claim(values)
            except DBAPIError as exc:  # deadlock: the other transaction went on; once more
                if getattr(exc.orig, "sqlstate", None) != "40P01" or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _claim(self, values: dict[str, Any]) -> set[int]:
        c = _claims(self.engine.dialect.name)
        with self.engine.begin() as conn:
            if c.locked is not None:  # PostgreSQL
                rows = [int(i) for i in conn.execute(c.locked, values).scalars()]
                taken = set()
                if rows:
                    taken = {
                        int(i) for i in conn.execute(c.take, {**values, "rows": rows}).scalars()
                    }
                existing = {int(i) for i in conn.execute(c.known, values).scalars()}
                new = [i for i in values["ids"] if i not in existing]
            else:
                taken = {int(i) for i in conn.execute(c.take, values).scalars()}
                new = values["ids"]
            if new:
                taken |= {int(i) for i in conn.execute(c.insert, {**values, "ids": new}).scalars()}
        return taken

    def _insert_claims(
        self, conn: Connection, edition_id: int, ids: list[int], *, worker: str, now: datetime
    ) -> set[int]:
        """Insert claimed rows for these subscribers where the ledger has none; the ids
        inserted. (Callers on PostgreSQL leave out rows they saw in the ledger:
        inserting over a row another transaction is taking over would wait for it,
        and two such waits can deadlock.)"""
        values = {"eid": edition_id, "ids": ids, "worker": worker, "now": now}
        return {int(i) for i in conn.execute(_claims(conn.dialect.name).insert, values).scalars()}

    def _mine(self, edition_id: int, worker: str, ids: Range) -> ColumnElement[bool]:
        d = t.deliveries
        return and_(
            d.c.edition_id == edition_id,
            d.c.worker == worker,
            d.c.status == "claimed",
            d.c.subscriber_id > ids[0],
            d.c.subscriber_id <= ids[1],
        )

    def renew_claims(self, edition_id: int, *, worker: str, ids: Range, now: datetime) -> int:
        """Keep `worker`'s claims in `ids` from being taken over (a heartbeat). Rows
        being marked right now are skipped, not waited for (they are done anyway)."""
        d = t.deliveries
        with self.engine.begin() as conn:
            if self.engine.dialect.name != "postgresql":  # one writer at a time: no waits
                query = update(d).where(self._mine(edition_id, worker, ids))
                return int(conn.execute(query.values(claimed_at=now)).rowcount)
            mine = select(d.c.id).where(self._mine(edition_id, worker, ids))
            rows = [int(i) for i in conn.execute(mine.with_for_update(skip_locked=True)).scalars()]
            if not rows:
                return 0
            query = update(d).where(d.c.id.in_(rows))
            return int(conn.execute(query.values(claimed_at=now)).rowcount)

    def release_claims(self, edition_id: int, *, worker: str, ids: Range) -> int:
        """Give back `worker`'s claims in `ids` that were never handed over (the send
        stopped before them): anyone may take them at once. Rows stay `claimed`."""
        query = update(t.deliveries).where(self._mine(edition_id, worker, ids)).values(worker=None)
        with self.engine.begin() as conn:
            return int(conn.execute(query).rowcount)

    def held_elsewhere(
        self, edition_id: int, *, worker: str, ids: Range
    ) -> tuple[int, datetime | None]:
        """Rows in `ids` claimed by other workers and not finished: how many, and the
        oldest claim (its lease runs out first)."""
        d = t.deliveries
        query = select(func.count(), func.min(d.c.claimed_at)).where(
            d.c.edition_id == edition_id,
            d.c.status == "claimed",
            d.c.worker.is_not(None),
            d.c.worker != worker,
            d.c.subscriber_id > ids[0],
            d.c.subscriber_id <= ids[1],
        )
        with self.engine.connect() as conn:
            count, oldest = conn.execute(query).one()
        return int(count), utc(oldest)

    def ledger_errors(self, edition_id: int, *, since: datetime, limit: int = 50) -> list[str]:
        """Errors of rows that failed, bounced or were unsendable in a run that began at
        `since`."""
        d = t.deliveries
        query = (
            select(d.c.error)
            .where(
                d.c.edition_id == edition_id,
                d.c.status.in_(("failed", "bounced", "unsendable")),
                d.c.error.is_not(None),
                d.c.claimed_at >= since,
            )
            .order_by(d.c.subscriber_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [str(e) for e in conn.execute(query).scalars()]
