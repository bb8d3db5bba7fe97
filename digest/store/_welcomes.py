"""The welcome message's record: made due by the first confirmation, claimed by one
sender, then marked sent or failed, each step one atomic UPDATE of the subscriber's row.

The confirmation (pending -> active) and the welcome's being due are one UPDATE, so a
confirmation on record always has its welcome on record, and a second click (or a
second server) confirming nobody makes none. Claiming is an UPDATE from "due" (or
"failed", for a resend) to "sending": of any number of senders in any number of
processes, one gets it; a claimed welcome is never claimed again (a sender that died
after claiming may have handed it over: it stays "sending", not sent twice).
Nothing here renders or sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select, update

from digest.records import Subscriber
from digest.store import schema as t
from digest.store._base import Base, _subscriber

#: The welcome states a sender may claim: due at confirmation, and failed before.
CLAIMABLE = ("due", "failed")


class WelcomesMixin(Base):
    def confirm(self, subscriber_id: int, *, welcome: bool, now: datetime) -> bool:
        """pending -> active (the double opt-in), with the welcome made due when
        `welcome`; True if this call confirmed (False: not pending, e.g. a second click)."""
        s = t.subscribers
        values: dict[str, object] = {"status": "active", "updated_at": now}
        if welcome:
            values.update(welcome="due", welcome_at=now)
        query = update(s).where(s.c.id == subscriber_id, s.c.status == "pending")
        with self.engine.begin() as conn:
            if conn.execute(query.values(**values)).rowcount != 1:
                return False
            conn.execute(
                insert(t.subscriber_events).values(
                    subscriber_id=subscriber_id, status="active", origin="confirm", at=now
                )
            )
        return True

    def claim_welcome(
        self, subscriber_id: int, *, now: datetime, states: Iterable[str] = ("due",)
    ) -> bool:
        """Take the subscriber's welcome to send it (only while they are active); True
        for the one caller that got it."""
        s = t.subscribers
        query = (
            update(s)
            .where(
                s.c.id == subscriber_id,
                s.c.status == "active",
                s.c.welcome.in_(tuple(states)),
            )
            .values(welcome="sending", welcome_at=now)
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount == 1)

    def welcome_done(self, subscriber_id: int, *, error: str | None, now: datetime) -> None:
        """Mark a claimed welcome sent (`error` None) or failed, and put it in the
        subscriber's history."""
        s = t.subscribers
        state, detail = ("sent", "welcome sent") if error is None else ("failed", None)
        detail = detail or f"welcome not sent: {error}"
        with self.engine.begin() as conn:
            row = conn.execute(
                update(s)
                .where(s.c.id == subscriber_id, s.c.welcome == "sending")
                .values(welcome=state, welcome_at=now)
                .returning(s.c.status)
            ).first()
            if row is None:
                return
            conn.execute(
                insert(t.subscriber_events).values(
                    subscriber_id=subscriber_id,
                    status=row.status,
                    origin="welcome",
                    detail=detail[:2000],
                    at=now,
                )
            )

    def welcomes_due(self, list_name: str) -> list[Subscriber]:
        """Active subscribers of a list whose welcome is due or failed, in id order."""
        s, lst = t.subscribers, t.lists
        query = (
            select(s)
            .join(lst, lst.c.id == s.c.list_id)
            .where(
                lst.c.name == list_name,
                s.c.status == "active",
                s.c.welcome.in_(CLAIMABLE),
            )
            .order_by(s.c.id)
        )
        with self.engine.connect() as conn:
            return [_subscriber(r, list_name) for r in conn.execute(query)]
