"""One send of an edition at a time: its send lease (the table `send_leases`).

`take_send_lease` / `renew_send_lease` / `release_send_lease` keep one run per edition;
a run that takes over a lease, or finds a claim's worker gone, frees the old run's
ledger claims so the next claim takes them at once. Nothing here sends or decides
what an outcome means (:mod:`digest.deliver.lease` does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, or_, select, update

from digest.store import schema as t
from digest.store._base import Base, upsert, utc


@dataclass(frozen=True, slots=True)
class SendLease:
    """Who holds an edition's send lease: a run's `owner` name, its process, since
    when, and until when it lasts unless renewed."""

    edition_id: int
    owner: str
    host: str
    pid: int
    since: datetime
    until: datetime


class LeaseMixin(Base):
    def take_send_lease(
        self,
        edition_id: int,
        *,
        owner: str,
        host: str,
        pid: int,
        now: datetime,
        seconds: float,
        replace: str | None = None,
    ) -> SendLease | None:
        """Take the edition's send lease for `owner` until `now + seconds`; None when
        taken, else the lease that stands (another run holds it).

        Taken when nobody holds it, when its holder's lease ran out before `now`, or
        when the holder is `replace` (a holder the caller found dead). Each case is
        one conditional statement, so of two runs racing for it exactly one wins.
        A run that takes over a lease frees the old run's ledger claims
        (:meth:`release_send_lease`)."""
        lease = t.send_leases
        values = {
            "edition_id": edition_id,
            "owner": owner,
            "host": host[:200],
            "pid": pid,
            "since": now,
            "until": now + timedelta(seconds=seconds),
        }
        fresh = (
            upsert(self.engine.dialect.name, lease)
            .values(values)
            .on_conflict_do_nothing(index_elements=[lease.c.edition_id])
            .returning(lease.c.edition_id)
        )
        over = lease.c.until < now
        if replace is not None:
            over = or_(over, lease.c.owner == replace)
        current = select(lease).where(lease.c.edition_id == edition_id)
        with self.engine.begin() as conn:
            if conn.execute(fresh).first() is not None:
                return None
            old = conn.execute(current).first()
            take = update(lease).where(lease.c.edition_id == edition_id, over).values(values)
            if old is not None and conn.execute(take).rowcount == 1:
                self._free_claims(conn, edition_id, old.owner)
                return None
            old = conn.execute(current).first()
        if old is None:  # released meanwhile: try again
            return self.take_send_lease(
                edition_id, owner=owner, host=host, pid=pid, now=now, seconds=seconds
            )
        since, until = utc(old.since), utc(old.until)
        assert since is not None and until is not None
        return SendLease(edition_id, old.owner, old.host, int(old.pid), since, until)

    def renew_send_lease(
        self, edition_id: int, *, owner: str, now: datetime, seconds: float
    ) -> bool:
        """Extend `owner`'s lease to `now + seconds`; False when it is not theirs any
        more (it ran out and another run took it over)."""
        lease = t.send_leases
        query = (
            update(lease)
            .where(lease.c.edition_id == edition_id, lease.c.owner == owner)
            .values(until=now + timedelta(seconds=seconds))
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)

    def release_send_lease(self, edition_id: int, *, owner: str) -> None:
        """Give the lease up and free `owner`'s ledger claims that were never marked
        (a stop between claim and hand-over): the next run takes them at once."""
        lease = t.send_leases
        with self.engine.begin() as conn:
            conn.execute(
                delete(lease).where(lease.c.edition_id == edition_id, lease.c.owner == owner)
            )
            self._free_claims(conn, edition_id, owner)

    def free_claims_of(
        self,
        edition_id: int,
        gone: Callable[[str], bool],
        *,
        ids: tuple[int, int] | None = None,
    ) -> list[int]:
        """Free the edition's claims whose worker `gone(worker)` says is gone (the next
        claim takes them at once), only those of subscribers lo < id <= hi with `ids`;
        the subscriber ids freed, in order. A row a live worker took over meanwhile
        keeps its new claim (the worker is checked again as the row is updated)."""
        d = t.deliveries
        held = and_(d.c.edition_id == edition_id, d.c.status == "claimed")
        if ids is not None:
            held = and_(held, d.c.subscriber_id > ids[0], d.c.subscriber_id <= ids[1])
        with self.engine.begin() as conn:
            workers = conn.execute(
                select(d.c.worker).where(held, d.c.worker.is_not(None)).distinct()
            ).scalars()
            dead = sorted(w for w in workers if gone(w))
            if not dead:
                return []
            done = conn.execute(
                update(d)
                .where(held, d.c.worker.in_(dead))
                .values(worker=None)
                .returning(d.c.subscriber_id)
            )
            return sorted(int(i) for i in done.scalars())

    def _free_claims(self, conn: Connection, edition_id: int, owner: str) -> None:
        """Claims of a run's workers are named `<owner>/<worker>`."""
        d = t.deliveries
        conn.execute(
            update(d)
            .where(
                d.c.edition_id == edition_id,
                d.c.status == "claimed",
                d.c.worker.startswith(f"{owner}/", autoescape=True),
            )
            .values(worker=None)
        )
