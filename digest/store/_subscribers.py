"""Subscribers: the record of consent, with every status change (and every change of
a subscriber's choices or name by the preferences page or an import) kept as an event.

Addresses are stored normalised (:func:`digest.records.address_key`, see
:func:`digest.subscribers.normalise_email`), as first typed, and looked up by their key
(:func:`digest.records.email_key`, the `email_key` column: one subscriber per mailbox
and list, whatever the case of a Unicode local part). A status change and
its event are written in one transaction; a change that would not change anything
writes nothing (idempotent unsubscribe).
Nothing here validates addresses, renders or sends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    cast,
    func,
    insert,
    select,
    update,
)

from digest.records import Subscriber, email_key
from digest.store import schema as t
from digest.store._base import Base, _subscriber, email_hashes, utc

T = TypeVar("T")
#: The origin of the events a reader's own save of their preferences page records.
OWN_CHOICE = "web:preferences"
#: What that page sets, each named in the event's detail as `name=value`.
CHOICES = ("sections", "format", "timezone", "paused")


@dataclass(frozen=True, slots=True)
class SubscriberEvent:
    """One line of a subscriber's consent history."""

    status: str  # the status after the change (or the current one, for a preference change)
    origin: str  # import:FILE, cli, web:unsubscribe, web:preferences, confirm, smtp, forget
    at: datetime  # UTC
    detail: str | None = None


class SubscribersMixin(Base):
    def section_sets(self, list_name: str) -> list[frozenset[str]]:
        """The distinct sets of sections that active subscribers of a list chose."""
        s, lst = t.subscribers, t.lists
        # DISTINCT over the JSON text: PostgreSQL has no equality for the json type.
        text = cast(s.c.sections, Text)
        query = (
            select(text)
            .join(lst, lst.c.id == s.c.list_id)
            .where(lst.c.name == list_name, s.c.status == "active")
            .distinct()
        )
        with self.engine.connect() as conn:
            found = {frozenset(json.loads(raw)) for raw in conn.execute(query).scalars() if raw}
        found.discard(frozenset())
        return sorted(found, key=sorted)

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
        """The list's subscriber of this address, in any spelling of it (email_key)."""
        s, lst = t.subscribers, t.lists
        query = (
            select(s)
            .join(lst, lst.c.id == s.c.list_id)
            .where(lst.c.name == list_name, s.c.email_key == email_key(email))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _subscriber(row, list_name)

    def subscriber_by_id(self, subscriber_id: int) -> Subscriber | None:
        """The subscriber of this id, or the one it was merged into (a case variant of
        its address: revision 0009), so links mailed to either reach the same person."""
        s, lst = t.subscribers, t.lists
        query = (
            select(s, lst.c.name.label("list_name"))
            .join(lst, lst.c.id == s.c.list_id)
            .where(s.c.id == merged_into(subscriber_id))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _subscriber(row, row.list_name)

    def is_paused(self, subscriber_id: int) -> bool:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(t.subscribers.c.paused).where(t.subscribers.c.id == subscriber_id)
            ).scalar()
        return bool(value)

    def paused_ids(self, list_name: str) -> set[int]:
        s, lst = t.subscribers, t.lists
        query = (
            select(s.c.id)
            .join(lst, lst.c.id == s.c.list_id)
            .where(lst.c.name == list_name, s.c.paused.is_(True))
        )
        with self.engine.connect() as conn:
            return {int(i) for i in conn.execute(query).scalars()}

    def is_suppressed(self, email: str) -> bool:
        """True for an address erased with `forget` (only its hash is kept)."""
        with self.engine.connect() as conn:
            return bool(_erased(conn, [email]))

    def events(self, subscriber_id: int) -> list[SubscriberEvent]:
        e = t.subscriber_events
        query = select(e).where(e.c.subscriber_id == subscriber_id).order_by(e.c.id)
        with self.engine.connect() as conn:
            return [
                SubscriberEvent(r.status, r.origin, utc(r.at) or r.at, r.detail)
                for r in conn.execute(query)
            ]

    def set_status(
        self,
        subscriber_id: int,
        status: str,
        *,
        origin: str,
        now: datetime,
        detail: str | None = None,
        only_from: Iterable[str] | None = None,
    ) -> bool:
        """Change a status and record the event; True if it changed.

        Nothing is written when the status is already `status`, or (with `only_from`)
        when the current status is not one of those: a repeated unsubscribe, or a
        confirmation of someone who has since left, changes nothing.
        """
        s = t.subscribers
        query = update(s).where(s.c.id == subscriber_id, s.c.status != status)
        if only_from is not None:
            query = query.where(s.c.status.in_(tuple(only_from)))
        with self.engine.begin() as conn:
            if conn.execute(query.values(status=status, updated_at=now)).rowcount != 1:
                return False
            conn.execute(
                insert(t.subscriber_events).values(
                    subscriber_id=subscriber_id, status=status, origin=origin, detail=detail, at=now
                )
            )
        return True

    def note(self, subscriber_id: int, *, origin: str, detail: str, now: datetime) -> None:
        """Record an event that changes no status (e.g. a confirmation email sent)."""
        s = t.subscribers
        with self.engine.begin() as conn:
            status = conn.execute(select(s.c.status).where(s.c.id == subscriber_id)).scalar()
            if status is not None:
                conn.execute(
                    insert(t.subscriber_events).values(
                        subscriber_id=subscriber_id,
                        status=status,
                        origin=origin,
                        detail=detail,
                        at=now,
                    )
                )

    def set_preferences(
        self,
        subscriber_id: int,
        *,
        sections: Iterable[str],
        format: str,
        timezone: str | None,
        paused: bool,
        origin: str,
        now: datetime,
    ) -> None:
        """Store a subscriber's choices (checked by the caller); record what changed."""
        s = t.subscribers
        with self.engine.begin() as conn:
            row = conn.execute(select(s).where(s.c.id == subscriber_id)).first()
            if row is None:
                return
            values: dict[str, Any] = {
                "sections": sorted(set(sections)),
                "format": format,
                "timezone": timezone,
                "paused": paused,
            }
            changed = [k for k, v in values.items() if getattr(row, k) != v]
            if not changed:
                return
            conn.execute(update(s).where(s.c.id == subscriber_id).values(updated_at=now, **values))
            parts = [
                f"{k}={values[k]}" if k != "sections" else _sections(values[k]) for k in changed
            ]
            conn.execute(
                insert(t.subscriber_events).values(
                    subscriber_id=subscriber_id,
                    status=row.status,
                    origin=origin,
                    detail="; ".join(parts),
                    at=now,
                )
            )


def chosen(detail: str | None) -> set[str]:
    """The choices a preferences event changed, read from its detail as
    :meth:`SubscribersMixin.set_preferences` writes it (`sections=A;B; format=text`).
    Only for :data:`OWN_CHOICE` events: an import's detail names the same fields, but
    what an import set is not the reader's choice."""
    parts = (detail or "").split("; ")
    return {name for part in parts if (name := part.partition("=")[0]) in CHOICES}


def _chunks(items: list[T], size: int = 500) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def merged_into(subscriber_id: int) -> ColumnElement[int]:
    """The id a subscriber id now stands for: the subscription it was merged into
    (revision 0009), else itself."""
    m = t.subscriber_merges
    found = select(m.c.subscriber_id).where(m.c.old_id == subscriber_id)
    return func.coalesce(found.scalar_subquery(), subscriber_id)


def _erased(conn: Connection, emails: Iterable[str]) -> set[str]:
    """Those of these addresses erased with `forget`: a hash of any spelling."""
    by_hash = {h: m for m in emails for h in email_hashes(m)}
    out: set[str] = set()
    for chunk in _chunks(list(by_hash)):
        query = select(t.suppressions.c.email_hash).where(t.suppressions.c.email_hash.in_(chunk))
        out |= {by_hash[h] for h in conn.execute(query).scalars()}
    return out


def _sections(values: list[str]) -> str:
    return "sections=" + (";".join(values) if values else "(all)")
