"""Scheduler state: one row per list x slot x action (collect, build, send), claimed by insert.

The UNIQUE (list_id, slot, action) constraint is the lock: whoever inserts the row first
owns that slot's action, however many threads or processes fire at once. While an action
runs, its row's `detail` names the owner (host:pid:token), so a row left `running` by a
process that died can be taken over. This module decides nothing about time or policy
(that is :mod:`digest.schedule`); it reads and writes rows, and deletes old ones
(:meth:`ScheduleMixin.prune_runs`, at a cut-off :mod:`digest.retention` gives).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, not_, select, update
from sqlalchemy.exc import IntegrityError

from digest.store import schema as t
from digest.store._base import Base, utc

#: Statuses of a schedule_runs row. `running` and `interrupted` are open (may be resumed).
RUN_STATUSES = ("running", "done", "skipped", "missed", "failed", "interrupted", "paused")
#: Rows a tick may still take over or resume, however old: never pruned.
OPEN_STATUSES = ("running", "interrupted")


def _prunable(before: datetime) -> ColumnElement[bool]:
    """Rows written before `before` that nothing reads any more: not open (a claim held
    or left by a dead owner, a send stopped by a shutdown, a failed send the next tick
    resumes or records missed), and not the latest slot of their list and action (the
    send watermark that "missed" is counted from, the last build and collect that
    `digest schedule` shows)."""
    r = t.schedule_runs
    later = r.alias("later")
    latest = (
        select(func.max(later.c.slot))
        .where(later.c.list_id == r.c.list_id, later.c.action == r.c.action)
        .scalar_subquery()
    )
    return and_(
        r.c.at < before,
        r.c.status.not_in(OPEN_STATUSES),
        not_(and_(r.c.action == "send", r.c.status == "failed")),
        r.c.slot < latest,
    )


@dataclass(frozen=True, slots=True)
class ScheduleRun:
    """What the scheduler did (or is doing) for one list's slot and action."""

    list: str
    slot: str  # the slot's key (see digest.schedule: UTC ISO, or "UTC@local" for local delivery)
    action: str  # collect, build, send
    status: str  # one of RUN_STATUSES
    detail: str | None  # why: the owner while running, the outcome or the reason after
    at: datetime  # when the row was last written (the scheduler's "now")


def _run(row: Any) -> ScheduleRun:
    at = utc(row.at)
    assert at is not None
    return ScheduleRun(row.list_name, row.slot, row.action, row.status, row.detail, at)


class ScheduleMixin(Base):
    def _runs_query(self) -> Any:
        r, lst = t.schedule_runs, t.lists
        return select(r, lst.c.name.label("list_name")).join(lst, lst.c.id == r.c.list_id)

    def schedule_run(self, list_name: str, slot: str, action: str) -> ScheduleRun | None:
        r, lst = t.schedule_runs, t.lists
        query = self._runs_query().where(
            lst.c.name == list_name, r.c.slot == slot, r.c.action == action
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _run(row)

    def schedule_runs(
        self,
        list_name: str | None = None,
        *,
        action: str | None = None,
        statuses: tuple[str, ...] | None = None,
        slot_prefix: str | None = None,
        limit: int | None = None,
    ) -> list[ScheduleRun]:
        """Rows, newest first (by when they were written)."""
        r, lst = t.schedule_runs, t.lists
        query = self._runs_query().order_by(r.c.at.desc(), r.c.id.desc())
        if list_name is not None:
            query = query.where(lst.c.name == list_name)
        if action is not None:
            query = query.where(r.c.action == action)
        if statuses is not None:
            query = query.where(r.c.status.in_(statuses))
        if slot_prefix is not None:
            query = query.where(r.c.slot.startswith(slot_prefix, autoescape=True))
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_run(row) for row in conn.execute(query)]

    def last_slot(self, list_name: str, action: str) -> str | None:
        """The greatest slot key recorded for this list and action (keys sort by time)."""
        r = t.schedule_runs
        query = select(func.max(r.c.slot)).where(
            r.c.list_id == self.list_id(list_name), r.c.action == action
        )
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return None if value is None else str(value)

    def first_run_at(self) -> datetime | None:
        """When the scheduler first recorded anything in this database (any list)."""
        with self.engine.connect() as conn:
            value = conn.execute(select(func.min(t.schedule_runs.c.at))).scalar()
        return utc(value)

    def claim_run(
        self,
        list_name: str,
        slot: str,
        action: str,
        *,
        owner: str,
        now: datetime,
        stale: Callable[[ScheduleRun], bool] | None = None,
    ) -> bool:
        """Own this slot's action: True for the one caller whose row was inserted.

        A row already there is taken over only when `stale(row)` says its owner is gone
        (an open row of a dead process, or one interrupted by a shutdown); the takeover
        is a compare-and-set, so of two callers taking over at once only one wins.
        """
        list_id = self.list_id(list_name)
        r = t.schedule_runs
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(r).values(
                        list_id=list_id,
                        slot=slot,
                        action=action,
                        status="running",
                        detail=owner,
                        at=now,
                    )
                )
            return True
        except IntegrityError:
            pass
        found = self.schedule_run(list_name, slot, action)
        if found is None or stale is None or not stale(found):
            return False
        where = and_(
            r.c.list_id == list_id,
            r.c.slot == slot,
            r.c.action == action,
            r.c.status == found.status,
            r.c.detail == found.detail if found.detail is not None else r.c.detail.is_(None),
        )
        with self.engine.begin() as conn:
            res = conn.execute(
                update(r).where(where).values(status="running", detail=owner, at=now)
            )
        return bool(res.rowcount == 1)

    def finish_run(
        self,
        list_name: str,
        slot: str,
        action: str,
        status: str,
        detail: str | None,
        *,
        now: datetime,
    ) -> None:
        """Record an owned row's outcome."""
        r = t.schedule_runs
        with self.engine.begin() as conn:
            conn.execute(
                update(r)
                .where(
                    r.c.list_id == self.list_id(list_name), r.c.slot == slot, r.c.action == action
                )
                .values(status=status, detail=detail, at=now)
            )

    def record_run(
        self,
        list_name: str,
        slot: str,
        action: str,
        status: str,
        detail: str | None,
        *,
        now: datetime,
    ) -> bool:
        """Insert a finished row unless the slot already has one; True if this one was written."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(t.schedule_runs).values(
                        list_id=self.list_id(list_name),
                        slot=slot,
                        action=action,
                        status=status,
                        detail=detail,
                        at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def release_run(self, list_name: str, slot: str, action: str, *, owner: str) -> None:
        """Give an owned, still-running claim back (nothing was done under it)."""
        r = t.schedule_runs
        with self.engine.begin() as conn:
            conn.execute(
                delete(r).where(
                    r.c.list_id == self.list_id(list_name),
                    r.c.slot == slot,
                    r.c.action == action,
                    r.c.status == "running",
                    r.c.detail == owner,
                )
            )

    def prune_runs(self, *, before: datetime, dry_run: bool = False) -> int:
        """Delete the rows written before `before` that no claim or decision reads any
        more (see :func:`_prunable`); return how many (with `dry_run`, how many would
        be, and delete nothing). One statement, one transaction."""
        r = t.schedule_runs
        if dry_run:
            with self.engine.connect() as conn:
                count = select(func.count()).select_from(r).where(_prunable(before))
                return int(conn.execute(count).scalar_one())
        with self.engine.begin() as conn:
            return int(conn.execute(delete(r).where(_prunable(before))).rowcount)

    def subscriber_zones(self, list_name: str) -> dict[str | None, int]:
        """Active subscribers of the list by their time zone (None: none given)."""
        s, lst = t.subscribers, t.lists
        query = (
            select(s.c.timezone, func.count())
            .join(lst, lst.c.id == s.c.list_id)
            .where(lst.c.name == list_name, s.c.status == "active", s.c.paused.is_(False))
            .group_by(s.c.timezone)
        )
        with self.engine.connect() as conn:
            return {zone: int(n) for zone, n in conn.execute(query)}
