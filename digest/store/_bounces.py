"""Bounce and complaint reports: stored once each, acted on in the same transaction.

A report's row and the status changes it causes are written together, so a report
processed twice (a re-run, two pollers, a webhook retried by the provider) changes
nothing the second time, and a crash never leaves a report recorded but not acted on.
Nothing here parses mail or decides what a report means (see :mod:`digest.bounces`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from digest.records import SUPPRESSED, email_key
from digest.store import schema as t
from digest.store._base import UNSTORABLE, Base, email_hash, fitted, storable
from digest.store._subscribers import merged_into


@dataclass(frozen=True, slots=True)
class BounceRecord:
    """One report about one recipient, as it is to be stored."""

    key: str  # unique: the report's id (+ recipient), so a second processing is a no-op
    kind: str  # hard, soft, complaint, delayed, auto_reply, unknown
    origin: str  # mailbox:PATH, webhook:ses, webhook:mailgun
    edition_id: int | None
    subscriber_id: int | None
    email: str | None
    status: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class BounceStats:
    """An edition's outcome after the SMTP conversation."""

    delivered: int  # handed over and accepted by the receiving server
    hard: int  # hard bounce reports (after acceptance)
    soft: int
    complained: int
    refused: int = 0  # refused for their address during the SMTP conversation (5xx)
    failed: int = 0  # not sent at all: the relay lacked SMTPUTF8 for an EAI address

    def outcome(self, warn_at: float) -> dict[str, Any]:
        """Counts and rates, and whether complaints pass `warn_at`. A refusal is a hard
        bounce that was never delivered: bounces are counted over every address sent
        to (delivered or refused), complaints over the delivered, which is what mailbox
        providers' 0.3% is measured against."""
        sent = self.delivered + self.refused
        bounced = self.hard + self.refused + self.soft
        complaint_rate = self.complained / self.delivered if self.delivered else 0.0
        return {
            "delivered": self.delivered,
            "refused": self.refused,
            "failed": self.failed,
            "bounced_hard": self.hard + self.refused,
            "bounced_soft": self.soft,
            "complained": self.complained,
            "bounce_rate": round(bounced / sent if sent else 0.0, 6),
            "complaint_rate": round(complaint_rate, 6),
            "complaint_warning": complaint_rate > warn_at,
        }


def _storable(record: BounceRecord) -> BounceRecord:
    """`record` as either database holds it: no NUL or lone surrogate in its text. A
    DSN's Diagnostic-Code or Message-ID may hold NUL, a webhook's JSON a \\ud800: on
    PostgreSQL such a report failed `digest bounces` (and every run after it, as the
    report stayed in the mailbox) or answered a provider's webhook with a 500."""
    return replace(
        record,
        key=storable(record.key),
        kind=storable(record.kind),
        origin=storable(record.origin),
        email=None if record.email is None else storable(record.email),
        status=None if record.status is None else storable(record.status),
        detail=storable(record.detail),
    )


class BouncesMixin(Base):
    def record_bounce(
        self, record: BounceRecord, *, soft_limit: int, act: bool, now: datetime
    ) -> str | None:
        """Store a report and apply it; the status it set, "" for none, None if seen before.

        With `act`, a hard bounce marks every subscription of the address (in any
        spelling) bounced, a complaint marks the subscription it came from complained,
        and a soft bounce marks the address bounced once `soft_limit` editions in a row
        soft-bounced. A report about a subscription since merged into another (revision
        0009) is about that one.
        """
        record = _storable(record)
        try:
            with self.engine.begin() as conn:
                if record.subscriber_id is not None:
                    found = conn.execute(select(merged_into(record.subscriber_id))).scalar()
                    record = replace(record, subscriber_id=found)
                row = conn.execute(
                    insert(t.bounce_reports).values(
                        key=fitted(record.key, 400),  # the column's length
                        kind=record.kind,
                        origin=record.origin[:100],
                        edition_id=record.edition_id,
                        subscriber_id=record.subscriber_id,
                        email_hash=email_hash(record.email) if record.email else None,
                        status=(record.status or None) and record.status[:20],
                        detail=record.detail[:1000],
                        acted=False,
                        at=now,
                    )
                )
                if not act or record.subscriber_id is None:
                    return ""
                status = _apply(conn, record, soft_limit=soft_limit, now=now)
                if status:
                    (report_id,) = row.inserted_primary_key or (None,)
                    conn.execute(
                        update(t.bounce_reports)
                        .where(t.bounce_reports.c.id == report_id)
                        .values(acted=True)
                    )
                return status
        except IntegrityError:
            return None

    def subscriber_ids_by_email(self, email: str) -> list[int]:
        """Every subscription of an address, in any spelling of it (`email_key`)."""
        if UNSTORABLE.search(email):
            return []  # no stored address holds NUL (PostgreSQL could not even compare)
        s = t.subscribers
        with self.engine.connect() as conn:
            query = select(s.c.id).where(s.c.email_key == email_key(email)).order_by(s.c.id)
            return list(conn.execute(query).scalars())

    def soft_streak(self, subscriber_id: int) -> int:
        """Editions in a row, newest first, whose message to this subscriber soft-bounced."""
        with self.engine.connect() as conn:
            return _soft_streak(conn, subscriber_id)

    def bounce_stats(self, edition_ids: Sequence[int]) -> dict[int, BounceStats]:
        """Delivered, hard, soft, complained, refused and failed counts per edition."""
        if not edition_ids:
            return {}
        d, b = t.deliveries, t.bounce_reports
        ids = list(edition_ids)
        with self.engine.connect() as conn:
            ledger: dict[tuple[int, str], int] = {
                (edition_id, status): int(n)
                for edition_id, status, n in conn.execute(
                    select(d.c.edition_id, d.c.status, func.count())
                    .where(
                        d.c.edition_id.in_(ids), d.c.status.in_(("sent", "bounced", "unsendable"))
                    )
                    .group_by(d.c.edition_id, d.c.status)
                )
            }
            counts: dict[tuple[int, str], int] = {}
            for edition_id, kind, n in conn.execute(
                select(b.c.edition_id, b.c.kind, func.count(func.distinct(b.c.subscriber_id)))
                .where(b.c.edition_id.in_(ids))
                .group_by(b.c.edition_id, b.c.kind)
            ):
                counts[(edition_id, kind)] = int(n)
        return {
            i: BounceStats(
                ledger.get((i, "sent"), 0),
                counts.get((i, "hard"), 0),
                counts.get((i, "soft"), 0),
                counts.get((i, "complaint"), 0),
                refused=ledger.get((i, "bounced"), 0),
                failed=ledger.get((i, "unsendable"), 0),
            )
            for i in ids
        }


def _soft_streak(conn: Connection, subscriber_id: int) -> int:
    d, b = t.deliveries, t.bounce_reports
    editions = conn.execute(
        select(d.c.edition_id)
        .where(d.c.subscriber_id == subscriber_id, d.c.status == "sent")
        .order_by(d.c.edition_id.desc())
        .limit(50)
    ).scalars()
    soft = set(
        conn.execute(
            select(b.c.edition_id).where(b.c.subscriber_id == subscriber_id, b.c.kind == "soft")
        ).scalars()
    )
    streak = 0
    for edition_id in editions:
        if edition_id not in soft:
            break
        streak += 1
    return streak


def _set(conn: Connection, ids: Sequence[int], status: str, detail: str, now: datetime) -> bool:
    s = t.subscribers
    changed = False
    for subscriber_id in ids:
        done = conn.execute(
            update(s)
            .where(s.c.id == subscriber_id, s.c.status.not_in(tuple(SUPPRESSED)))
            .values(status=status, updated_at=now)
        ).rowcount
        if done:
            changed = True
            conn.execute(
                insert(t.subscriber_events).values(
                    subscriber_id=subscriber_id,
                    status=status,
                    origin="bounce" if status == "bounced" else "complaint",
                    detail=detail[:1000],
                    at=now,
                )
            )
    return changed


def _apply(conn: Connection, record: BounceRecord, *, soft_limit: int, now: datetime) -> str:
    s = t.subscribers
    assert record.subscriber_id is not None
    key = conn.execute(select(s.c.email_key).where(s.c.id == record.subscriber_id)).scalar()
    if key is None:
        return ""
    everywhere = list(conn.execute(select(s.c.id).where(s.c.email_key == key)).scalars())
    detail = f"{record.origin}: {record.status or ''} {record.detail}".strip()
    if record.kind == "hard":
        return "bounced" if _set(conn, everywhere, "bounced", detail, now) else ""
    if record.kind == "complaint":
        return "complained" if _set(conn, [record.subscriber_id], "complained", detail, now) else ""
    if record.kind == "soft" and _soft_streak(conn, record.subscriber_id) >= soft_limit:
        detail = f"{detail} ({soft_limit} editions in a row soft-bounced)"
        return "bounced" if _set(conn, everywhere, "bounced", detail, now) else ""
    return ""
