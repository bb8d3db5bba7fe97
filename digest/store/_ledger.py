"""The ledger: one row per edition x subscriber, claimed before hand-over, marked after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from digest.records import Subscriber
from digest.store import schema as t
from digest.store._base import Base, _subscriber


class LedgerMixin(Base):
    def due(
        self,
        edition_id: int,
        list_name: str,
        *,
        after_id: int = 0,
        limit: int = 500,
        shard: tuple[int, int] | None = None,
    ) -> list[Subscriber]:
        """Active subscribers of the list not yet marked sent/bounced for this edition."""
        s, d, lst = t.subscribers, t.deliveries, t.lists
        done = select(d.c.subscriber_id).where(
            d.c.edition_id == edition_id, d.c.status.in_(("sent", "bounced"))
        )
        query = (
            select(s)
            .join(lst, lst.c.id == s.c.list_id)
            .where(
                lst.c.name == list_name,
                s.c.status == "active",
                s.c.paused.is_(False),
                s.c.id > after_id,
                s.c.id.not_in(done),
            )
            .order_by(s.c.id)
            .limit(limit)
        )
        if shard is not None and shard[1] > 1:
            query = query.where(s.c.id % shard[1] == shard[0])
        with self.engine.connect() as conn:
            return [_subscriber(r, list_name) for r in conn.execute(query)]

    def claim(
        self, edition_id: int, subscriber_ids: Iterable[int], *, worker: str, now: datetime
    ) -> None:
        """Record that these messages are about to be handed over (before the hand-over)."""
        d = t.deliveries
        ids = list(subscriber_ids)
        with self.engine.begin() as conn:
            existing = set(
                conn.execute(
                    select(d.c.subscriber_id).where(
                        d.c.edition_id == edition_id, d.c.subscriber_id.in_(ids)
                    )
                ).scalars()
            )
            fresh = [i for i in ids if i not in existing]
            if fresh:
                conn.execute(
                    insert(d),
                    [
                        {
                            "edition_id": edition_id,
                            "subscriber_id": i,
                            "status": "claimed",
                            "attempts": 1,
                            "worker": worker,
                            "claimed_at": now,
                        }
                        for i in fresh
                    ],
                )
            if existing:
                conn.execute(
                    update(d)
                    .where(
                        d.c.edition_id == edition_id,
                        d.c.subscriber_id.in_(existing),
                        d.c.status.not_in(("sent", "bounced")),
                    )
                    .values(
                        status="claimed", attempts=d.c.attempts + 1, worker=worker, claimed_at=now
                    )
                )

    def mark(
        self, edition_id: int, results: Mapping[int, tuple[str, str | None]], *, now: datetime
    ) -> None:
        """Record outcomes: subscriber id -> (status, error). Bounces suppress the address."""
        d = t.deliveries
        with self.engine.begin() as conn:
            for sid, (status, error) in results.items():
                values: dict[str, Any] = {"status": status, "error": error}
                if status == "sent":
                    values["sent_at"] = now
                conn.execute(
                    update(d)
                    .where(d.c.edition_id == edition_id, d.c.subscriber_id == sid)
                    .values(**values)
                )
                if status == "bounced":
                    conn.execute(
                        update(t.subscribers)
                        .where(t.subscribers.c.id == sid)
                        .values(status="bounced", updated_at=now)
                    )
                    conn.execute(
                        insert(t.subscriber_events).values(
                            subscriber_id=sid, status="bounced", origin="smtp", detail=error, at=now
                        )
                    )

    def ledger(self, edition_id: int) -> dict[str, int]:
        d = t.deliveries
        query = (
            select(d.c.status, func.count())
            .where(d.c.edition_id == edition_id)
            .group_by(d.c.status)
        )
        with self.engine.connect() as conn:
            return {status: int(n) for status, n in conn.execute(query)}
