"""The engine's parts, built from the App: the only module of the engine's side that
knows it.

:class:`StoreLedger` is one worker's view of an edition's ledger (its shard, its id
range, its kind of claim); :class:`AppMessages` prepares each variant once and then
personalises per subscriber, with the subscriber's own envelope sender (a signed VERP
address when `[bounces] return_path` is set). :func:`run_worker` puts them together
with a transport and runs an :class:`~digest.deliver.engine.Engine`. This module
decides nothing about delivery; it connects.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Collection, Mapping, MutableSequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from digest.deliver.engine import Engine
from digest.deliver.interfaces import (
    DEFAULT_OPTIONS,
    SLOTS,
    Claim,
    Clock,
    SendOptions,
    SendSummary,
    Stop,
)
from digest.lifecycle import EditionStatus
from digest.message import Prepared
from digest.records import Edition, Subscriber

if TYPE_CHECKING:
    from digest.app import App
    from digest.store import Store


#: The shared send pace's row: one `[transport]` per project (and database).
PACE = "transport"


def _now() -> datetime:
    return datetime.now(UTC)


class StoreLedger:
    """:class:`~digest.deliver.interfaces.Ledger` over the Store, for one worker."""

    def __init__(
        self,
        store: Store,
        edition: Edition,
        *,
        name: str,
        shard: tuple[int, int] | None = None,
        id_range: tuple[int, int] | None = None,
        timezones: Collection[str] | None = None,
        list_timezone: str | None = None,
        claim: Claim | None = None,
        owner: str | None = None,
        lease: float = 300.0,
        retry_before: datetime | None = None,
    ) -> None:
        assert edition.id is not None
        self.store, self.edition_id, self.list = store, edition.id, edition.list
        self.name, self.shard, self.id_range = name, shard, id_range
        self.timezones, self.list_timezone = timezones, list_timezone
        self._claim, self.owner, self.lease = claim, owner, lease
        self.retry_before = retry_before  # SendOptions.retry_unsendable
        self.writer = store.ledger_writer(edition.id)
        self.reader = store.due_reader(
            edition.id,
            edition.list,
            upto_id=id_range[1] if id_range is not None else None,
            shard=shard,
            timezones=timezones,
            list_timezone=list_timezone,
            retry_before=retry_before,
        )

    def due(self, *, after_id: int, limit: int) -> list[Subscriber]:
        lo = self.id_range[0] if self.id_range is not None else 0
        return self.reader(max(after_id, lo), limit)

    @property
    def journaled(self) -> bool:
        return self.writer.journaled

    def sent(self, subscriber_id: int) -> None:
        self.writer.sent(subscriber_id)

    def claim(self, subscriber_ids: list[int], now: datetime) -> set[int]:
        with self.writer.turn():  # the workers' writes take turns (SQLite)
            self.writer.replay(now, subscriber_ids)  # a killed worker's, before its rows are taken
            if self._claim is not None:  # a queue worker's leased claim
                return self._claim(subscriber_ids, now)
            if self.owner is not None:  # a run holding the edition's lease: exclusive
                return self.store.claim_exclusive(
                    self.edition_id,
                    subscriber_ids,
                    worker=self.name,
                    now=now,
                    lease=self.lease,
                    retry_before=self.retry_before,
                )
            return self.store.claim(
                self.edition_id,
                subscriber_ids,
                worker=self.name,
                now=now,
                retry_before=self.retry_before,
            )

    def mark(self, outcomes: Mapping[int, tuple[str, str | None]], now: datetime) -> str:
        return self.writer.mark(outcomes, now=now)

    def status(self) -> str:
        return self.writer.status()

    def pause(self, now: datetime) -> bool:
        return self.store.set_edition_status(
            self.edition_id, EditionStatus.PAUSED, now=now, expect=(EditionStatus.SENDING,)
        )

    def sent_since(self, since: datetime, *, limit: int) -> list[datetime]:
        return list(self.store.sent_since(since, limit=limit))

    def close(self) -> None:
        self.writer.close()


class AppMessages:
    """:class:`~digest.deliver.interfaces.MessageSource`: each variant prepared once per
    worker, then personalised per subscriber."""

    def __init__(
        self,
        app: App,
        edition: Edition,
        now: datetime,
        cache: Mapping[tuple[str, bool], Prepared] | None = None,
    ) -> None:
        assert edition.id is not None
        self.app, self.edition, self.now, self.edition_id = app, edition, now, edition.id
        self.cache: dict[tuple[str, bool], Prepared] = dict(cache or {})
        # (sections, format) as a subscriber's row has them -> their variant, prepared:
        # most of a list shares a handful, so the variant is worked out once for each.
        self.chosen: dict[tuple[tuple[str, ...], str], Prepared] = {}
        # Without `[bounces] return_path` every copy has the newsletter's own address.
        self.own = None if app.settings.bounces.return_path else app.envelope_sender(edition.id, 0)

    def warm(self, limit: int = 8) -> dict[tuple[str, bool], Prepared]:
        """Prepare the likely variants now (every section set subscribers chose, up to
        `limit` variants, html and text): forked workers inherit them ready."""
        sets: list[frozenset[str] | None] = [None, *self.app.store.section_sets(self.edition.list)]
        for sections in sets[: max(1, limit // 2)]:
            rendered = None  # one render serves both the html and the text-only message
            for text_only in (False, True):
                sub = Subscriber(
                    0,
                    "warm@example.invalid",
                    "",
                    self.edition.list,
                    sections=tuple(sorted(sections or ())),
                    format="text" if text_only else "html",
                )
                variant, text = self.app.variant_for(sub)
                if (variant.key, text) in self.cache:
                    continue
                if rendered is None:
                    rendered = self.app.renderer.render(self.edition, variant)
                self.cache[(variant.key, text)] = self.app.prepare(
                    self.edition, variant, text, now=self.now, rendered=rendered
                )
        return self.cache

    def build(self, subscriber: Subscriber) -> tuple[str, bytes]:
        choice = (subscriber.sections, subscriber.format)
        prepared = self.chosen.get(choice)
        if prepared is None:
            prepared = self.chosen[choice] = self._prepared(subscriber)
        data = self.app.message_for(prepared, self.edition_id, subscriber)
        return self.sender(subscriber), data

    def sender(self, subscriber: Subscriber) -> str:
        return self.own or self.app.envelope_sender(self.edition_id, subscriber.id)

    def _prepared(self, subscriber: Subscriber) -> Prepared:
        variant, text_only = self.app.variant_for(subscriber)
        key = (variant.key, text_only)
        prepared = self.cache.get(key)
        if prepared is None:
            prepared = self.cache[key] = self.app.prepare(
                self.edition, variant, text_only, now=self.now
            )
        return prepared


def run_worker(
    app: App,
    edition_id: int,
    *,
    index: int = 0,
    workers: int = 1,
    options: SendOptions = DEFAULT_OPTIONS,
    clock: Clock = _now,
    stop: Stop | None = None,
    counts: MutableSequence[int] | None = None,
    tick: Callable[[], None] | None = None,
    id_range: tuple[int, int] | None = None,
    claim: Claim | None = None,
    owner: str | None = None,
    prepared: Mapping[tuple[str, bool], Prepared] | None = None,
) -> SendSummary:
    """Send this worker's share (subscriber id modulo `workers`) of an edition.

    `id_range=(lo, hi)` limits it to subscribers with lo < id <= hi (a queued batch);
    `claim(ids, now)` replaces :meth:`Store.claim` and returns the ids this worker
    may send (a queue worker's exclusive, leased claim; it must take the rows
    `options.retry_unsendable` makes due). `owner` names the run that
    holds the edition's lease: claims are then exclusive too (never a row another
    live worker holds) and named `<owner>/<index>`. `prepared` are variants already
    prepared (a forked worker inherits its parent's).
    """
    store = app.store
    edition = store.edition(edition_id)
    app.keys  # noqa: B018 -- before a row is claimed: a key the database does not know signs nothing
    name = f"{owner}/{index}" if owner else f"{socket.gethostname()}:{os.getpid()}:{index}"
    ledger = StoreLedger(
        store,
        edition,
        name=name,
        shard=(index, workers),
        id_range=id_range,
        timezones=options.timezones,
        list_timezone=app.settings.list(edition.list).timezone,
        claim=claim,
        owner=owner,
        lease=app.settings.queue.lease,
        retry_before=options.retry_unsendable,
    )
    return Engine(
        ledger,
        AppMessages(app, edition, clock(), prepared),
        app.transport(),
        edition_id=edition_id,
        policy=app.settings.transport,
        index=index,
        workers=workers,
        options=options,
        clock=clock,
        stop=stop or Stop(),
        counts=counts if counts is not None else [0] * SLOTS * workers,
        tick=tick,
        pace=lambda span, now: store.reserve_pace(PACE, span=span, now=now),
    ).run()
