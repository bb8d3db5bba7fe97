"""Confirmation mails claimed before they are sent, one inbox at a time.

Whether one more confirmation may go to an inbox (digest.subscribers.people keeps the
rule) is decided here in one transaction: under a lock on the list and the inbox
(PostgreSQL: an advisory lock keyed by both; SQLite: BEGIN IMMEDIATE, the write lock),
the confirmations already sent to the inbox's domain are read, the caller's rule says
whether one more may go, and when it may, its event is written before the lock is let
go. So any number of threads and `digest serve` processes signing up one inbox at the
same moment claim no more than the rule allows, and only a won claim is mailed. Nothing
here sends, or knows the rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, text

from digest.store import schema as t
from digest.store._base import Base, _pk, utc

#: The first key of the PostgreSQL advisory locks taken per inbox ("conf"); the second
#: is a hash of the list and the inbox. (The store's other advisory locks take one
#: 64-bit key: PostgreSQL keeps the two kinds apart.)
INBOX_LOCKS = 0x636F6E66


@dataclass(frozen=True, slots=True)
class SentNote:
    """One confirmation sent to a pending subscription (its event)."""

    subscriber_id: int
    email: str
    at: datetime  # UTC


@dataclass(frozen=True, slots=True)
class Claim:
    """What claiming a confirmation came to."""

    event_id: int | None  # the event written: the mail may go (None: refused)
    refused: str = ""  # why not, in the rule's words


class ConfirmationsMixin(Base):
    def claim_note(
        self,
        subscriber_id: int,
        *,
        list_name: str,
        inbox: str,
        detail: str,
        since: datetime,
        refusal: Callable[[Sequence[SentNote]], str],
        origin: str,
        now: datetime,
    ) -> Claim:
        """Record `detail` (a confirmation sent) for a pending subscriber when
        `refusal` of what was sent since `since` to the list's pending subscriptions at
        `inbox`'s domain says nothing against it; atomically, per inbox, across threads
        and processes. A subscriber no longer pending is refused."""
        s = t.subscribers
        with self.engine.begin() as conn:
            _lock_inbox(conn, list_name, inbox)
            status = conn.execute(select(s.c.status).where(s.c.id == subscriber_id)).scalar()
            if status != "pending":
                return Claim(None, f"no longer pending ({status or 'erased'})")
            domain = inbox.rpartition("@")[2]
            why = refusal(_sent(conn, list_name, detail, domain=domain, since=since))
            if why:
                return Claim(None, why)
            done = conn.execute(
                insert(t.subscriber_events).values(
                    subscriber_id=subscriber_id,
                    status=status,
                    origin=origin,
                    detail=detail,
                    at=now,
                )
            )
            return Claim(_pk(done))

    def drop_note(self, event_id: int) -> None:
        """Take back a claimed note whose mail could not be handed over: only a mail
        that went counts against the cap."""
        with self.engine.begin() as conn:
            conn.execute(delete(t.subscriber_events).where(t.subscriber_events.c.id == event_id))


def _lock_inbox(conn: Connection, list_name: str, inbox: str) -> None:
    """Hold the list's lock for `inbox` until the transaction ends (SQLite has one
    write lock: that)."""
    if conn.dialect.name == "postgresql":
        digest = hashlib.sha256(f"{list_name}\n{inbox}".encode("utf-8", "surrogatepass"))
        key = int.from_bytes(digest.digest()[:4], "big", signed=True)
        conn.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), CAST(:key AS integer))"),
            {"ns": INBOX_LOCKS, "key": key},
        )
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sent(
    conn: Connection, list_name: str, detail: str, *, domain: str, since: datetime
) -> list[SentNote]:
    """The events with `detail` recorded after `since` for the list's pending
    subscriptions at `domain`, oldest first."""
    s, lst, e = t.subscribers, t.lists, t.subscriber_events
    query = (
        select(s.c.id, s.c.email, e.c.at)
        .join(lst, lst.c.id == s.c.list_id)
        .join(e, e.c.subscriber_id == s.c.id)
        .where(
            lst.c.name == list_name,
            s.c.status == "pending",
            s.c.email.endswith(f"@{domain}", autoescape=True),
            e.c.detail == detail,
            e.c.at > since,
        )
        .order_by(e.c.at, e.c.id)
    )
    return [SentNote(int(r.id), r.email, utc(r.at) or r.at) for r in conn.execute(query)]
