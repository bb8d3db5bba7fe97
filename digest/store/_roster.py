"""Subscribers in bulk: what an import finds stored and writes, and `forget`.

The CSV import (:mod:`digest.subscribers`) asks which of its addresses are stored,
erased or bounced and which choices their readers made themselves, and writes its rows
with their consent events in one transaction; `forget` erases every subscription of a
mailbox and keeps only a hash. Addresses are looked up by their key
(:func:`digest.records.email_key`): several spellings of one mailbox are one subscriber.
Nothing here validates addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from digest.errors import StoreError
from digest.records import SUPPRESSED, Subscriber, email_key
from digest.store import schema as t
from digest.store._base import Base, _subscriber, email_hashes
from digest.store._subscribers import OWN_CHOICE, _chunks, _erased, _sections, chosen

#: What an update of a stored subscriber may change besides the status; each change is
#: named in the history (the reader's own choices are told by :data:`OWN_CHOICE` events
#: alone, so an import's never count as theirs).
_TRACKED = ("sections", "format", "timezone", "name")


class RosterMixin(Base):
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

    def own_choices(self, subscriber_ids: Iterable[int]) -> dict[int, frozenset[str]]:
        """Which choices (`sections`, `format`, `timezone`, `paused`) each of these
        subscribers changed themselves on their preferences page, from their history;
        one who never changed any there is left out. An import leaves those alone."""
        e = t.subscriber_events
        out: dict[int, set[str]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(subscriber_ids))):
                query = select(e.c.subscriber_id, e.c.detail).where(
                    e.c.origin == OWN_CHOICE, e.c.subscriber_id.in_(chunk)
                )
                for sid, detail in conn.execute(query):
                    if found := chosen(detail):
                        out.setdefault(int(sid), set()).update(found)
        return {sid: frozenset(names) for sid, names in out.items()}

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
        the ids written, in row order (0 for a row left out). Each subscriber added, or
        whose status, sections, format, time zone or name an update changes, gets one
        event with `origin` (the changed fields and their new values in its detail: who
        set what). Statements are batched: a
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
            stored: dict[str, dict[str, Any]] = {}  # what an update may change, as it was
            for chunk in _chunks(list(merged)):
                columns = (s.c.id, s.c.email_key, s.c.status, *(s.c[n] for n in _TRACKED))
                query = select(*columns).where(s.c.list_id == list_id, s.c.email_key.in_(chunk))
                for sid, key, status, *was in conn.execute(query):
                    found[key] = (int(sid), status)
                    stored[key] = dict(zip(_TRACKED, was, strict=True))
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
                    detail = _changes(stored[key], values)
                    if values.get("status", status) != status or detail is not None:
                        events.append(
                            {
                                "subscriber_id": sid,
                                "status": values.get("status", status),
                                "detail": detail,
                            }
                        )
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

    def forget(self, email: str, *, now: datetime, suppress_unknown: bool = True) -> int | None:
        """Erase an address, in every spelling, from every list: its subscriptions,
        their events and ledger rows. Only sha256 hashes of the address stay, so
        nothing re-adds it. Returns how many subscriptions were erased; None, with
        nothing written, for an address no list has nor had (never erased before)
        unless `suppress_unknown`."""
        s, e, d, sup = t.subscribers, t.subscriber_events, t.deliveries, t.suppressions
        m = t.subscriber_merges
        with self.engine.begin() as conn:
            ids = list(
                conn.execute(select(s.c.id).where(s.c.email_key == email_key(email))).scalars()
            )
            if not ids and not suppress_unknown and not _erased(conn, [email]):
                return None
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


def _by_key(emails: Iterable[str]) -> dict[str, list[str]]:
    """The addresses given, by their key (several spellings may share one)."""
    out: dict[str, list[str]] = {}
    for email in emails:
        out.setdefault(email_key(email), []).append(email)
    return out


def _changes(stored: Mapping[str, Any], values: Mapping[str, Any]) -> str | None:
    """The history's note of what an update changes besides the status, the fields in
    :data:`_TRACKED` order: `sections=A;B; format=text; timezone=UTC; name=Ann L.`
    (the name last, as it may hold "; "); None when it changes none of them."""
    parts: list[str] = []
    for name in _TRACKED:
        if name not in values or (new := values[name]) == (old := stored[name]):
            continue
        if name != "sections":
            parts.append(f"{name}={new}")
        elif sorted(new or ()) != sorted(old or ()):
            parts.append(_sections(sorted(new or ())))
    return "; ".join(parts) or None


def _consent_detail(when: datetime | None) -> str | None:
    """The history's note of when a person consented in the tool they came from."""
    return None if when is None else f"consented {when:%Y-%m-%dT%H:%M:%SZ} (as the import says)"
