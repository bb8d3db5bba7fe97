"""The ledger: one row per edition x subscriber, claimed before hand-over, marked after.

`due` walks a list's active subscribers in id order, a batch at a time, leaving out
those the ledger has as sent or bounced (an index range scan plus one primary-key
probe per row: a batch costs the same at 100 or 100,000 subscribers). `claim` is one
upsert statement per batch, `mark` one short transaction per few outcomes that also
reads the edition's status, so a pause reaches running workers for free. Nothing
here sends, renders or decides what an outcome means.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from digest.records import Subscriber
from digest.store import schema as t
from digest.store._base import Base, _subscriber, utc

#: Ledger statuses that end a delivery: such a row is never sent again.
DONE = ("sent", "bounced")


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
_CLAIMS: dict[str, Any] = {}


def _claim(dialect: str) -> Any:
    """INSERT .. ON CONFLICT DO UPDATE .. RETURNING, for SQLite and PostgreSQL alike."""
    if dialect not in _CLAIMS:
        d = t.deliveries
        stmt = (postgresql if dialect == "postgresql" else sqlite).insert(d)
        _CLAIMS[dialect] = stmt.on_conflict_do_update(
            index_elements=[d.c.edition_id, d.c.subscriber_id],
            set_={
                "status": "claimed",
                "attempts": d.c.attempts + 1,
                "worker": stmt.excluded.worker,
                "claimed_at": stmt.excluded.claimed_at,
                "error": None,
            },
            # not IN (...): an expanding parameter cannot be used in an executemany
            where=and_(d.c.status != DONE[0], d.c.status != DONE[1]),
        ).returning(d.c.subscriber_id)
    return _CLAIMS[dialect]


class LedgerMixin(Base):
    def _due_filter(
        self,
        edition_id: int,
        list_name: str,
        *,
        after_id: int = 0,
        shard: tuple[int, int] | None = None,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
    ) -> ColumnElement[bool]:
        s, d, lst = t.subscribers, t.deliveries, t.lists
        done = exists().where(
            d.c.edition_id == edition_id,
            d.c.subscriber_id == s.c.id,
            d.c.status.in_(DONE),
        )
        where = and_(
            s.c.list_id == select(lst.c.id).where(lst.c.name == list_name).scalar_subquery(),
            s.c.status == "active",
            s.c.paused.is_(False),
            s.c.id > after_id,
            ~done,
        )
        if shard is not None and shard[1] > 1:
            where = and_(where, s.c.id % shard[1] == shard[0])
        if timezones is not None:
            zones = sorted(timezones)
            in_zone: ColumnElement[bool] = s.c.timezone.in_(zones)
            if list_timezone is not None and list_timezone in timezones:
                in_zone = or_(in_zone, s.c.timezone.is_(None), s.c.timezone == "")
            where = and_(where, in_zone)
        return where

    def due(
        self,
        edition_id: int,
        list_name: str,
        *,
        after_id: int = 0,
        limit: int = 500,
        shard: tuple[int, int] | None = None,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
    ) -> list[Subscriber]:
        """The next `limit` subscribers (by id, after `after_id`) still owed this edition.

        Active, not paused, not marked sent or bounced for the edition. `shard=(i, n)`
        keeps ids with id % n == i. `timezones`, when given, keeps subscribers whose
        time zone is in it; one without a time zone counts as `list_timezone`.
        """
        query = (
            select(t.subscribers)
            .where(
                self._due_filter(
                    edition_id,
                    list_name,
                    after_id=after_id,
                    shard=shard,
                    timezones=timezones,
                    list_timezone=list_timezone,
                )
            )
            .order_by(t.subscribers.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_subscriber(r, list_name) for r in conn.execute(query)]

    def due_count(
        self,
        edition_id: int,
        list_name: str,
        *,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
    ) -> int:
        """How many subscribers `due` would return in all (one counting pass)."""
        query = select(func.count()).where(
            self._due_filter(
                edition_id, list_name, timezones=timezones, list_timezone=list_timezone
            )
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def claim(
        self, edition_id: int, subscriber_ids: Iterable[int], *, worker: str, now: datetime
    ) -> set[int]:
        """Record that these messages are about to be handed over (before the hand-over).

        One upsert: new rows are inserted as claimed; rows left claimed or failed by an
        earlier run are taken over (attempts + 1). Rows already sent or bounced are
        left alone and not returned. Returns the ids this call claimed.
        """
        rows = [
            {
                "edition_id": edition_id,
                "subscriber_id": i,
                "status": "claimed",
                "attempts": 1,
                "worker": worker,
                "claimed_at": now,
            }
            for i in subscriber_ids
        ]
        if not rows:
            return set()
        with self.engine.begin() as conn:
            return {int(i) for i in conn.execute(_claim(self.engine.dialect.name), rows).scalars()}

    def mark(
        self, edition_id: int, results: Mapping[int, tuple[str, str | None]], *, now: datetime
    ) -> str:
        """Record outcomes (subscriber id -> (status, error)) in one short transaction.

        `sent` stamps `sent_at`; `bounced` also sets the subscriber's status to bounced
        (suppressing the address) and records the event. Returns the edition's status
        as of this transaction, so a worker learns of a pause or cancel as it marks.
        """
        s = t.subscribers
        params: list[dict[str, Any]] = [
            {
                "eid": edition_id,
                "sid": sid,
                "new_status": status,
                "new_error": error,
                "new_sent_at": now if status == "sent" else None,
            }
            for sid, (status, error) in results.items()
        ]
        bounced = [(sid, error) for sid, (status, error) in results.items() if status == "bounced"]
        with self.engine.begin() as conn:
            if params:
                conn.execute(_MARK, params)
            for sid, error in bounced:
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
            status = conn.execute(_STATUS, {"edition_id": edition_id}).scalar()
        return str(status)

    def ledger(self, edition_id: int) -> dict[str, int]:
        """Rows per status for an edition: claimed, sent, bounced, failed."""
        d = t.deliveries
        query = (
            select(d.c.status, func.count())
            .where(d.c.edition_id == edition_id)
            .group_by(d.c.status)
        )
        with self.engine.connect() as conn:
            return {status: int(n) for status, n in conn.execute(query)}

    def sent_since(self, since: datetime, *, limit: int) -> list[datetime]:
        """When the latest `limit` messages (any edition) sent at or after `since` went.

        Seeds a per-hour rate limit, so a resumed or following send counts what the
        last hour already sent.
        """
        d = t.deliveries
        query = (
            select(d.c.sent_at)
            .where(d.c.status == "sent", d.c.sent_at >= since)
            .order_by(d.c.sent_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [when for v in conn.execute(query).scalars() if (when := utc(v))]
