"""Subscribers: the record of consent, with every status change kept as an event.

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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from digest.errors import StoreError
from digest.records import SUPPRESSED, Subscriber, email_key
from digest.store import schema as t
from digest.store._base import Base, _subscriber, email_hashes, utc


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

    def stored_subscribers(self, list_name: str, emails: Iterable[str]) -> dict[str, Subscriber]:
        """Each of these addresses that is on the list (in any spelling), by the address
        as given: its subscriber as stored."""
        s, lst = t.subscribers, t.lists
        given = _by_key(emails)
        out: dict[str, Subscriber] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(given)):
                query = (
                    select(s)
                    .join(lst, lst.c.id == s.c.list_id)
                    .where(lst.c.name == list_name, s.c.email_key.in_(chunk))
                )
                for r in conn.execute(query):
                    out.update(dict.fromkeys(given[r.email_key], _subscriber(r, list_name)))
        return out

    def erased(self, emails: Iterable[str]) -> set[str]:
        """Those of these addresses that were erased with `forget`."""
        with self.engine.connect() as conn:
            return _erased(conn, emails)

    def bounced(self, emails: Iterable[str]) -> set[str]:
        """Those of these addresses bounced on any list (in any spelling): a hard bounce
        (or the soft limit) is about the mailbox, so no new subscription of it is made
        active."""
        s = t.subscribers
        given = _by_key(emails)
        out: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(list(given)):
                query = select(s.c.email_key).where(
                    s.c.email_key.in_(chunk), s.c.status == "bounced"
                )
                for key in conn.execute(query).scalars():
                    out.update(given[key])
        return out

    def write_subscribers(
        self, list_name: str, rows: Iterable[Mapping[str, Any]], *, origin: str, now: datetime
    ) -> list[int]:
        """Insert or update subscribers in one transaction (rows already checked).

        A row with a `status` sets it on a new subscriber or an active/pending one; an
        unsubscribed, bounced or complained subscriber keeps its status whatever the row
        says, and an address erased with `forget` is never inserted. Rows for the same
        address, in any spelling, are merged (the later values win; a new subscriber is
        stored as the first row spells it, an existing one keeps its spelling). Returns
        the ids written, in row order (0 for a row left out). Statements are batched: a
        10,000-row import is a handful of round trips, not tens of thousands.
        """
        merged: dict[str, dict[str, Any]] = {}  # by email_key, each with its `email`
        order: list[str] = []
        for row in rows:
            key = email_key(row["email"])
            order.append(key)
            values = merged.setdefault(key, {"email": row["email"]})
            values.update({k: v for k, v in row.items() if k != "email"})
        if not merged:
            return []
        list_id = self.list_id(list_name)
        s, e = t.subscribers, t.subscriber_events
        with self.engine.begin() as conn:
            found: dict[str, tuple[int, str]] = {}
            for chunk in _chunks(list(merged)):
                query = select(s.c.id, s.c.email_key, s.c.status).where(
                    s.c.list_id == list_id, s.c.email_key.in_(chunk)
                )
                found.update({r.email_key: (int(r.id), r.status) for r in conn.execute(query)})
            new = {merged[k]["email"]: k for k in merged if k not in found}
            erased = {new[m] for m in _erased(conn, new)}
            inserts: list[dict[str, Any]] = []
            updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            events: list[dict[str, Any]] = []
            consented: dict[str, datetime] = {}
            for key, values in merged.items():
                email = values.pop("email")
                if (when := values.pop("consented_at", None)) is not None:
                    consented[key] = when  # an import's record of consent elsewhere
                if key in found:
                    sid, status = found[key]
                    if status in SUPPRESSED:
                        values.pop("status", None)
                    keys = tuple(sorted(values))
                    updates.setdefault(keys, []).append(
                        {"_sid": sid, **{f"_v_{k}": values[k] for k in keys}}
                    )
                    if values.get("status", status) != status:
                        events.append({"subscriber_id": sid, "status": values["status"]})
                elif key not in erased:
                    inserts.append(
                        {
                            "name": "",
                            "sections": [],
                            "timezone": None,
                            "format": "html",
                            "paused": False,
                            "status": "active",
                            **values,
                            "list_id": list_id,
                            "email": email,
                            "email_key": key,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
            for keys, params in updates.items():
                stmt = (
                    update(s)
                    .where(s.c.id == bindparam("_sid"))
                    .values(updated_at=now, **{k: bindparam(f"_v_{k}") for k in keys})
                )
                conn.execute(stmt, params)
            if inserts:
                try:
                    conn.execute(insert(s), inserts)
                except IntegrityError:
                    raise StoreError(
                        f"list {list_name!r}: the same address was added by another process "
                        "at the same time; nothing was written, run it again"
                    ) from None
                for chunk in _chunks([r["email_key"] for r in inserts]):
                    query = select(s.c.id, s.c.email_key).where(
                        s.c.list_id == list_id, s.c.email_key.in_(chunk)
                    )
                    found.update({r.email_key: (int(r.id), "") for r in conn.execute(query)})
                events += [
                    {
                        "subscriber_id": found[r["email_key"]][0],
                        "status": r["status"],
                        "detail": _consent_detail(consented.get(r["email_key"])),
                    }
                    for r in inserts
                ]
            if events:
                rows_out = [{"detail": None, **ev, "origin": origin, "at": now} for ev in events]
                conn.execute(insert(e), rows_out)
        return [found[m][0] if m in found else 0 for m in order]

    def forget(self, email: str, *, now: datetime) -> int:
        """Erase an address, in every spelling, from every list: its subscriptions,
        their events and ledger rows. Only sha256 hashes of the address stay, so
        nothing re-adds it. Returns how many subscriptions were erased."""
        s, e, d, sup = t.subscribers, t.subscriber_events, t.deliveries, t.suppressions
        m = t.subscriber_merges
        with self.engine.begin() as conn:
            ids = list(
                conn.execute(select(s.c.id).where(s.c.email_key == email_key(email))).scalars()
            )
            if ids:
                conn.execute(delete(d).where(d.c.subscriber_id.in_(ids)))
                conn.execute(delete(e).where(e.c.subscriber_id.in_(ids)))
                conn.execute(delete(m).where(m.c.subscriber_id.in_(ids)))
                conn.execute(delete(s).where(s.c.id.in_(ids)))
            for hashed in email_hashes(email):
                if conn.execute(select(sup.c.id).where(sup.c.email_hash == hashed)).first():
                    continue
                conn.execute(insert(sup).values(email_hash=hashed, reason="forget", at=now))
            # The erasure itself is on record, without the address.
            conn.execute(
                insert(e).values(
                    subscriber_id=None,
                    status="forgotten",
                    origin="forget",
                    detail=f"{len(ids)} subscription(s) erased",
                    at=now,
                )
            )
        return len(ids)


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _by_key(emails: Iterable[str]) -> dict[str, list[str]]:
    """The addresses given, by their key (several spellings may share one)."""
    out: dict[str, list[str]] = {}
    for email in emails:
        out.setdefault(email_key(email), []).append(email)
    return out


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


def _consent_detail(when: datetime | None) -> str | None:
    """The history's note of when a person consented in the tool they came from."""
    return None if when is None else f"consented {when:%Y-%m-%dT%H:%M:%SZ} (as the import says)"
