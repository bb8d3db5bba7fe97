"""The ledger: one row per edition x subscriber, claimed before hand-over, marked after.

`due` walks a list's active subscribers in id order, a batch at a time, leaving out
those the ledger has as done (:data:`DONE`; an index range scan plus one primary-key
probe per row: a batch costs the same at 100 or 100,000 subscribers). `claim` is one
INSERT .. SELECT upsert per batch, `mark` one short transaction per outcome or two
that also reads the edition's status, so a pause reaches running workers for free
(one run per edition at a time: :mod:`digest.store._leases`). Nothing here sends,
renders or decides what an outcome means.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)

from digest.records import Delivery, Subscriber
from digest.store import schema as t
from digest.store._base import Base, upsert, utc
from digest.store._writer import LedgerWriter, _mark

#: Ledger statuses that end a delivery: such a row is never sent again. `unsendable`:
#: the transport could not carry it at all (an EAI address, no SMTPUTF8); unlike a
#: bounce it leaves the subscriber active, for the next edition, and a run that
#: retries such copies (`digest send --retry-unsendable`) takes it again (`retryable`).
DONE = ("sent", "bounced", "unsendable")


def retryable(before: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """A ledger row that a send run with `--retry-unsendable` begun at `before` takes
    again: `unsendable`, and last claimed before that run began (so each is tried once
    per such run, however often a batch is taken: a row this run marked again is
    claimed after `before`)."""
    d = t.deliveries
    return and_(d.c.status == "unsendable", or_(d.c.claimed_at.is_(None), d.c.claimed_at < before))


def finished(retry_before: datetime | None = None) -> ColumnElement[bool]:
    """A ledger row that ends its delivery (:data:`DONE`), but for the rows a run that
    retries unsendable copies (`retry_before`: when it began) takes again."""
    done = t.deliveries.c.status.in_(DONE)
    return done if retry_before is None else and_(done, ~retryable(retry_before))


def _sections(value: object) -> tuple[str, ...]:
    """A subscriber's sections from the JSON column as the driver returns it (text on
    SQLite, already decoded by some drivers)."""
    if not value or value == "[]":
        return ()
    if isinstance(value, str):
        value = json.loads(value)
    return tuple(value) if isinstance(value, list) else ()


class LedgerMixin(Base):
    def _due_filter(
        self,
        edition_id: int,
        list_name: str,
        *,
        after_id: int | ColumnElement[int] = 0,
        upto_id: int | None = None,
        shard: tuple[int, int] | None = None,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
        retry_before: datetime | None = None,
        untouched: bool = False,
    ) -> ColumnElement[bool]:
        s, d, lst = t.subscribers, t.deliveries, t.lists
        done = exists().where(
            d.c.edition_id == edition_id,
            d.c.subscriber_id == s.c.id,
            true() if untouched else finished(retry_before),
        )
        where = and_(
            s.c.list_id == select(lst.c.id).where(lst.c.name == list_name).scalar_subquery(),
            s.c.status == "active",
            s.c.paused.is_(False),
            s.c.id > after_id,
            ~done,
        )
        if upto_id is not None:
            where = and_(where, s.c.id <= upto_id)
        if shard is not None and shard[1] > 1:
            where = and_(where, s.c.id % shard[1] == shard[0])
        if timezones is not None:
            zones = sorted(timezones)
            in_zone: ColumnElement[bool] = s.c.timezone.in_(zones)
            if list_timezone is not None and list_timezone in timezones:
                in_zone = or_(in_zone, s.c.timezone.is_(None), s.c.timezone == "")
            where = and_(where, in_zone)
        return where

    def due(
        self,
        edition_id: int,
        list_name: str,
        *,
        after_id: int = 0,
        upto_id: int | None = None,
        limit: int = 500,
        shard: tuple[int, int] | None = None,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
        retry_before: datetime | None = None,
    ) -> list[Subscriber]:
        """The next `limit` subscribers (by id, after `after_id`, up to `upto_id`) still
        owed this edition.

        Active, not paused, not marked done (:data:`DONE`) for the edition. `shard=(i, n)`
        keeps ids with id % n == i. `timezones`, when given, keeps subscribers whose
        time zone is in it; one without a time zone counts as `list_timezone`.
        `retry_before` (a run retrying unsendable copies, begun then): their rows
        claimed before it are owed again (:func:`retryable`).
        """
        reader = self.due_reader(
            edition_id,
            list_name,
            upto_id=upto_id,
            shard=shard,
            timezones=timezones,
            list_timezone=list_timezone,
            retry_before=retry_before,
        )
        return reader(after_id, limit)

    def due_reader(
        self,
        edition_id: int,
        list_name: str,
        *,
        upto_id: int | None = None,
        shard: tuple[int, int] | None = None,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
        retry_before: datetime | None = None,
    ) -> Callable[[int, int], list[Subscriber]]:
        """`due` as a function of (after_id, limit), for a worker that reads batch after
        batch: the statement is built once (building it costs more than running it)."""
        s = t.subscribers
        where = self._due_filter(
            edition_id,
            list_name,
            after_id=bindparam("after_id", type_=Integer),
            upto_id=upto_id,
            shard=shard,
            timezones=timezones,
            list_timezone=list_timezone,
            retry_before=retry_before,
        )
        # Only what a Subscriber holds: the timestamps would be parsed for nothing. The
        # sections as the driver gives them (`_sections`): most rows have none.
        raw = type_coerce(s.c.sections, Text)
        query = (
            select(s.c.id, s.c.email, s.c.name, s.c.status, raw, s.c.timezone, s.c.format)
            .where(where)
            .order_by(s.c.id)
            .limit(bindparam("limit", type_=Integer))
        )

        def due(after_id: int, limit: int) -> list[Subscriber]:
            with self.engine.connect() as conn:
                rows = conn.execute(query, {"after_id": after_id, "limit": limit}).all()
            return [
                Subscriber(i, email, name, list_name, status, _sections(sections), tz, fmt)
                for i, email, name, status, sections, tz, fmt in rows
            ]

        return due

    def due_count(
        self,
        edition_id: int,
        list_name: str,
        *,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
        retry_before: datetime | None = None,
        untouched: bool = False,
    ) -> int:
        """How many subscribers `due` would return in all (one counting pass); with
        `untouched`, only those no send has handed out yet (no ledger row: neither
        being sent nor to retry), so each reader counts once beside the ledger's."""
        query = select(func.count()).where(
            self._due_filter(
                edition_id,
                list_name,
                timezones=timezones,
                list_timezone=list_timezone,
                retry_before=retry_before,
                untouched=untouched,
            )
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def claim(
        self,
        edition_id: int,
        subscriber_ids: Iterable[int],
        *,
        worker: str,
        now: datetime,
        retry_before: datetime | None = None,
    ) -> set[int]:
        """Record that these messages are about to be handed over (before the hand-over).

        One statement, INSERT .. SELECT .. ON CONFLICT DO UPDATE .. RETURNING: new rows
        are inserted as claimed; rows left claimed or failed by an earlier run are taken
        over (attempts + 1). Rows already done (:data:`DONE`) are left alone and not
        returned, but for unsendable ones claimed before `retry_before` (a run that
        retries them, begun then). Returns the ids this call claimed.
        """
        ids = list(subscriber_ids)
        if not ids:
            return set()
        s, d = t.subscribers, t.deliveries
        rows = select(
            literal(edition_id, Integer),
            s.c.id,
            literal("claimed", String),
            literal(1, Integer),
            literal(worker, String),
            literal(now, d.c.claimed_at.type),
        ).where(s.c.id.in_(ids))
        columns = ["edition_id", "subscriber_id", "status", "attempts", "worker", "claimed_at"]
        stmt = upsert(self.engine.dialect.name, d).from_select(columns, rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=[d.c.edition_id, d.c.subscriber_id],
            set_={
                "status": "claimed",
                "attempts": d.c.attempts + 1,
                "worker": stmt.excluded.worker,
                "claimed_at": stmt.excluded.claimed_at,
                "error": None,
            },
            where=~finished(retry_before),
        ).returning(d.c.subscriber_id)
        with self.engine.begin() as conn:
            return {int(i) for i in conn.execute(stmt).scalars()}

    def mark(
        self, edition_id: int, results: Mapping[int, tuple[str, str | None]], *, now: datetime
    ) -> str:
        """Record outcomes (subscriber id -> (status, error)) in one short transaction.

        `sent` stamps `sent_at`; `bounced` also sets the subscriber's status to bounced
        (suppressing the address) and records the event. Returns the edition's status
        as of this transaction, so a worker learns of a pause or cancel as it marks.
        """
        with self.engine.connect() as conn:
            return _mark(conn, edition_id, results, now)

    def ledger_writer(self, edition_id: int) -> LedgerWriter:
        """`mark` over one connection held open: a sending worker marks every message.
        On a SQLite file, with the workers' turn lock and the sent-message journal
        (`<database>-ledger.lock`, `<database>-sent/`) beside it."""
        url = self.engine.url
        lock = journal = None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            lock, journal = f"{url.database}-ledger.lock", f"{url.database}-sent"
        return LedgerWriter(self.engine.connect(), edition_id, lock=lock, journal=journal)

    def apply_journals(self, edition_id: int, now: datetime) -> int:
        """Record as sent what workers of this edition journaled and did not mark (a
        killed run's last messages; SQLite only, see :meth:`LedgerWriter.replay`), so
        that the ledger tells who already has the edition; the rows changed."""
        writer = self.ledger_writer(edition_id)
        try:
            with writer.turn():
                return writer.replay(now)
        finally:
            writer.close()

    def ledger(self, edition_id: int) -> dict[str, int]:
        """Rows per status for an edition: claimed, sent, bounced, failed, unsendable."""
        d = t.deliveries
        query = (
            select(d.c.status, func.count())
            .where(d.c.edition_id == edition_id)
            .group_by(d.c.status)
        )
        with self.engine.connect() as conn:
            return {status: int(n) for status, n in conn.execute(query)}

    def unsent(
        self, edition_id: int, *, limit: int | None = None, since: datetime | None = None
    ) -> tuple[int, list[Delivery]]:
        """The edition's copies recorded unsendable whose subscriber is still owed it
        (active, not paused: those `--retry-unsendable` takes again), only those claimed
        at or after `since` if given (a run begun then): how many, and the first
        `limit` of them (None: all) in subscriber order."""
        d, s = t.deliveries, t.subscribers
        where = and_(
            d.c.edition_id == edition_id,
            d.c.status == "unsendable",
            s.c.id == d.c.subscriber_id,
            s.c.status == "active",
            s.c.paused.is_(False),
        )
        if since is not None:
            where = and_(where, d.c.claimed_at >= since)
        columns = (s.c.id, s.c.email, d.c.attempts, d.c.error)
        rows = select(*columns).where(where).order_by(s.c.id).limit(limit)
        with self.engine.connect() as conn:
            count = int(conn.execute(select(func.count()).where(where)).scalar_one())
            found = conn.execute(rows).all() if count else []
        return count, [
            Delivery(edition_id, int(i), str(email), "unsendable", int(n or 0), error)
            for i, email, n, error in found
        ]

    def ledger_since(self, edition_id: int, since: datetime) -> dict[str, int]:
        """Rows per status for an edition among those claimed at or after `since` (what
        a run begun then did with the rows it took)."""
        d = t.deliveries
        query = (
            select(d.c.status, func.count())
            .where(d.c.edition_id == edition_id, d.c.claimed_at >= since)
            .group_by(d.c.status)
        )
        with self.engine.connect() as conn:
            return {status: int(n) for status, n in conn.execute(query)}

    def sent_since(self, since: datetime, *, limit: int) -> list[datetime]:
        """When the latest `limit` messages (any edition) sent at or after `since` went.

        Seeds a per-hour rate limit, so a resumed or following send counts what the
        last hour already sent.
        """
        d = t.deliveries
        query = (
            select(d.c.sent_at)
            .where(d.c.status == "sent", d.c.sent_at >= since)
            .order_by(d.c.sent_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [when for v in conn.execute(query).scalars() if (when := utc(v))]
