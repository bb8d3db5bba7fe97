"""The welcome message's record: made due by the first confirmation (or a single opt-in
sign-up, :meth:`WelcomesMixin.welcome_due`), claimed by one
sender, then marked sent or failed, each step one atomic UPDATE of the subscriber's row.

The confirmation (pending -> active) and the welcome's being due are one UPDATE, so a
confirmation on record always has its welcome on record, and a second click (or a
second server) confirming nobody makes none. Claiming is an UPDATE from "due" (or
"failed", for a resend) to "sending": of any number of senders in any number of
processes, one gets it; a claimed welcome is never claimed again (a sender that died
after claiming may have handed it over: it stays "sending", not sent twice). Each claim
counts an attempt (`welcome_attempts`); a retry (`digest run`'s) claims a failed
welcome only once its wait after the last attempt is over, checked in the claim's
UPDATE itself, so two schedulers finding it together make one attempt.
Nothing here renders or sends, or decides the waits (digest.subscribers.welcome does).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, insert, or_, select, update

from digest.records import Subscriber
from digest.store import schema as t
from digest.store._base import Base, _subscriber

#: The welcome states a sender may claim: due at confirmation, and failed before.
CLAIMABLE = ("due", "failed")


def _ready(now: datetime, waits: Sequence[timedelta]) -> ColumnElement[bool]:
    """A failed welcome whose wait is over: after attempt n, `waits[n - 1]` from the last
    attempt; none after the last wait's attempt."""
    s = t.subscribers
    over = [
        and_(s.c.welcome_attempts == n, s.c.welcome_at <= now - wait)
        for n, wait in enumerate(waits, start=1)
    ]
    return and_(s.c.welcome == "failed", or_(false(), *over))


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

    def welcome_due(self, subscriber_id: int, *, now: datetime) -> bool:
        """Make the welcome of an active subscriber who never had one due (a single
        opt-in sign-up: no confirmation makes it due); True if this call did. A welcome
        due, sent or failed before is left as it is: none is made due twice."""
        s = t.subscribers
        query = update(s).where(
            s.c.id == subscriber_id, s.c.status == "active", s.c.welcome.is_(None)
        )
        with self.engine.begin() as conn:
            done = conn.execute(query.values(welcome="due", welcome_at=now)).rowcount
        return done == 1

    def claim_welcome(
        self,
        subscriber_id: int,
        *,
        now: datetime,
        states: Iterable[str] = ("due",),
        waits: Sequence[timedelta] | None = None,
    ) -> int:
        """Take the subscriber's welcome to send it (only while they are active, and with
        `waits`, only a failed one whose wait is over: a retry); the attempt this is
        (1 for the first) for the one caller that got it, 0 for the others."""
        s = t.subscribers
        where = [s.c.id == subscriber_id, s.c.status == "active", s.c.welcome.in_(tuple(states))]
        if waits is not None:
            where.append(_ready(now, waits))
        query = (
            update(s)
            .where(*where)
            .values(welcome="sending", welcome_at=now, welcome_attempts=s.c.welcome_attempts + 1)
            .returning(s.c.welcome_attempts)
        )
        with self.engine.begin() as conn:
            row = conn.execute(query).first()
        return 0 if row is None else int(row.welcome_attempts)

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

    def welcome_retries(
        self, list_name: str, *, now: datetime, waits: Sequence[timedelta], limit: int
    ) -> list[int]:
        """Ids of a list's active subscribers whose failed welcome may be tried again at
        `now` (its wait is over), oldest attempt first, at most `limit`."""
        s, lst = t.subscribers, t.lists
        query = (
            select(s.c.id)
            .join(lst, lst.c.id == s.c.list_id)
            .where(lst.c.name == list_name, s.c.status == "active", _ready(now, waits))
            .order_by(s.c.welcome_at, s.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(query).scalars()]
