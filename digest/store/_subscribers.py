"""Subscribers: the record of consent, with every status change kept as an event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from digest.records import Subscriber
from digest.store import schema as t
from digest.store._base import Base, _pk, _subscriber, email_hash


class SubscribersMixin(Base):
    def subscribers(
        self,
        list_name: str,
        *,
        statuses: Iterable[str] | None = None,
        after_id: int = 0,
        limit: int | None = None,
    ) -> list[Subscriber]:
        s, lst = t.subscribers, t.lists
        query = (
            select(s)
            .join(lst, lst.c.id == s.c.list_id)
            .where(lst.c.name == list_name, s.c.id > after_id)
            .order_by(s.c.id)
        )
        if statuses is not None:
            query = query.where(s.c.status.in_(tuple(statuses)))
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_subscriber(r, list_name) for r in conn.execute(query)]

    def subscriber(self, list_name: str, email: str) -> Subscriber | None:
        s, lst = t.subscribers, t.lists
        query = (
            select(s)
            .join(lst, lst.c.id == s.c.list_id)
            .where(lst.c.name == list_name, s.c.email == email)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _subscriber(row, list_name)

    def subscriber_by_id(self, subscriber_id: int) -> Subscriber | None:
        s, lst = t.subscribers, t.lists
        query = (
            select(s, lst.c.name.label("list_name"))
            .join(lst, lst.c.id == s.c.list_id)
            .where(s.c.id == subscriber_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _subscriber(row, row.list_name)

    def is_suppressed(self, email: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(t.suppressions.c.id).where(
                        t.suppressions.c.email_hash == email_hash(email)
                    )
                ).first()
                is not None
            )

    def set_status(
        self,
        subscriber_id: int,
        status: str,
        *,
        origin: str,
        now: datetime,
        detail: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.subscribers)
                .where(t.subscribers.c.id == subscriber_id)
                .values(status=status, updated_at=now)
            )
            conn.execute(
                insert(t.subscriber_events).values(
                    subscriber_id=subscriber_id, status=status, origin=origin, detail=detail, at=now
                )
            )

    def write_subscribers(
        self, list_name: str, rows: Iterable[Mapping[str, Any]], *, origin: str, now: datetime
    ) -> None:
        """Insert or update subscribers in one transaction (rows already checked).

        A row with a `status` sets it; suppressed addresses keep their status whatever
        the row says (callers pass rows without status for those).
        """
        list_id = self.list_id(list_name)
        s = t.subscribers
        with self.engine.begin() as conn:
            for row in rows:
                values = {k: v for k, v in row.items() if k != "email"}
                found = conn.execute(
                    select(s.c.id, s.c.status).where(
                        s.c.list_id == list_id, s.c.email == row["email"]
                    )
                ).first()
                if found is None:
                    res = conn.execute(
                        insert(s).values(
                            list_id=list_id,
                            email=row["email"],
                            created_at=now,
                            updated_at=now,
                            **{
                                "name": "",
                                "sections": [],
                                "format": "html",
                                "paused": False,
                                "status": "active",
                                **values,
                            },
                        )
                    )
                    sid, status, changed = _pk(res), None, True
                else:
                    sid, status = int(found.id), found.status
                    conn.execute(update(s).where(s.c.id == sid).values(updated_at=now, **values))
                    changed = "status" in values and values["status"] != status
                if changed:
                    conn.execute(
                        insert(t.subscriber_events).values(
                            subscriber_id=sid,
                            status=values.get("status", "active"),
                            origin=origin,
                            at=now,
                        )
                    )
