"""Deliver an edition to every due subscriber, exactly once, resumably.

The ledger (one row per edition x subscriber) is the only source of truth: a batch
of rows is *claimed* before its messages are handed to the transport and each
outcome is *marked* right after, at most `mark_every` messages later. A resumed send
(after a crash, a kill or a pause) takes exactly the rows not yet marked sent or
bounced. Each variant is rendered and inlined once; per subscriber only a few bytes
are substituted. This module does not build editions or talk SQL.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from digest.app import App
from digest.config import Settings
from digest.errors import DeliveryError
from digest.message import Prepared
from digest.records import Subscriber

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SendOptions:
    workers: int = 1
    dry_run: bool = False
    batch: int = 100  # rows claimed per transaction
    mark_every: int = 2  # outcomes recorded at least this often: bounds duplicates on a kill
    retries: int = 3  # transient failures retried per message, with back-off
    backoff: float = 0.5  # seconds, doubled per retry
    max_consecutive_failures: int = 25  # then the worker pauses the send


@dataclass(slots=True)
class SendSummary:
    sent: int = 0
    bounced: int = 0
    deferred: int = 0  # transient failures left for the next run
    skipped: int = 0  # already delivered before this run
    paused: str | None = None  # why the send stopped early
    errors: list[str] = field(default_factory=list)

    def add(self, other: SendSummary) -> None:
        self.sent += other.sent
        self.bounced += other.bounced
        self.deferred += other.deferred
        self.errors += other.errors[:20]
        self.paused = self.paused or other.paused


def _variant_message(
    app: App,
    cache: dict[tuple[str, bool], Prepared],
    edition_id: int,
    subscriber: Subscriber,
    now: datetime,
) -> bytes:
    variant, text_only = app.variant_for(subscriber)
    key = (variant.key, text_only)
    prepared = cache.get(key)
    if prepared is None:
        prepared = cache[key] = app.prepare(
            app.store.edition(edition_id), variant, text_only, now=now
        )
    return app.message_for(prepared, edition_id, subscriber)


def _deliver(
    app: App,
    transport_send: Callable[[bytes, Subscriber], None],
    data: bytes,
    subscriber: Subscriber,
    options: SendOptions,
) -> tuple[str, str | None]:
    delay = options.backoff
    for attempt in range(options.retries + 1):
        try:
            transport_send(data, subscriber)
            return "sent", None
        except DeliveryError as exc:
            if exc.permanent:
                return "bounced", str(exc)
            if attempt == options.retries:
                return "failed", str(exc)
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def run_worker(
    settings: Settings,
    edition_id: int,
    *,
    index: int = 0,
    workers: int = 1,
    options: SendOptions = SendOptions(),
    clock: Clock = _now,
) -> SendSummary:
    """Send this worker's share (subscriber id modulo `workers`) of an edition."""
    app = App(settings)
    store = app.store
    edition = store.edition(edition_id)
    now = clock()
    name = f"{os.uname().nodename}:{os.getpid()}:{index}"
    summary = SendSummary()
    cache: dict[tuple[str, bool], Prepared] = {}
    transport = app.transport()
    sender = settings.newsletter.sender
    from email.utils import parseaddr

    envelope_from = parseaddr(sender)[1]

    def hand_over(data: bytes, sub: Subscriber) -> None:
        transport.send(envelope_from, sub.email, data, name=f"{edition_id}-{sub.id}")

    after, failures = 0, 0
    opened = False
    try:
        while True:
            if store.edition_status(edition_id) in ("paused", "cancelled"):
                summary.paused = f"edition {edition_id} is {store.edition_status(edition_id)}"
                break
            batch = store.due(
                edition_id,
                edition.list,
                after_id=after,
                limit=options.batch,
                shard=(index, workers),
            )
            if not batch:
                break
            after = batch[-1].id
            store.claim(edition_id, [s.id for s in batch], worker=name, now=clock())
            if not opened:
                transport.open()
                opened = True
            outcomes: dict[int, tuple[str, str | None]] = {}
            for sub in batch:
                data = _variant_message(app, cache, edition_id, sub, now)
                status, error = _deliver(app, hand_over, data, sub, options)
                outcomes[sub.id] = (status, error)
                if status == "sent":
                    summary.sent += 1
                    failures = 0
                elif status == "bounced":
                    summary.bounced += 1
                    summary.errors.append(error or "")
                else:
                    summary.deferred += 1
                    summary.errors.append(error or "")
                    failures += 1
                if len(outcomes) >= options.mark_every:
                    store.mark(edition_id, outcomes, now=clock())
                    outcomes = {}
                if failures >= options.max_consecutive_failures:
                    break
            if outcomes:
                store.mark(edition_id, outcomes, now=clock())
            if failures >= options.max_consecutive_failures:
                summary.paused = (
                    f"paused after {failures} consecutive failures; last: "
                    f"{summary.errors[-1] if summary.errors else '?'}"
                )
                store.set_edition_status(edition_id, "paused", now=clock())
                break
    finally:
        if opened:
            transport.close()
    return summary


def _child(args: tuple[Settings, int, int, int, SendOptions]) -> SendSummary:
    settings, edition_id, index, workers, options = args
    return run_worker(settings, edition_id, index=index, workers=workers, options=options)


def send_edition(
    app: App,
    edition_id: int,
    *,
    options: SendOptions = SendOptions(),
    clock: Clock = _now,
    progress: Callable[[dict[str, int]], None] | None = None,
) -> SendSummary:
    """Deliver to everyone due; safe to run again after any interruption."""
    store = app.store
    edition = store.edition(edition_id)
    before = store.ledger(edition_id)
    summary = SendSummary(skipped=before.get("sent", 0) + before.get("bounced", 0))
    if options.dry_run:
        cache: dict[tuple[str, bool], Prepared] = {}
        for sub in store.due(edition_id, edition.list, limit=10**9):
            _variant_message(app, cache, edition_id, sub, clock())
            summary.deferred += 1  # "would send"
        return summary
    if edition.status in ("paused", "cancelled", "draft", "approved", "sent", "sending"):
        store.set_edition_status(edition_id, "sending", now=clock())
    workers = max(1, options.workers)
    if workers == 1:
        summary.add(run_worker(app.settings, edition_id, options=options, clock=clock))
    else:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(workers) as pool:
            jobs = pool.map_async(
                _child, [(app.settings, edition_id, i, workers, options) for i in range(workers)]
            )
            while not jobs.ready():
                jobs.wait(0.5)
                if progress:
                    progress(store.ledger(edition_id))
            for part in jobs.get():
                summary.add(part)
    if progress:
        progress(store.ledger(edition_id))
    if summary.paused is None:
        left = store.due(edition_id, edition.list, limit=1)
        store.set_edition_status(edition_id, "sending" if left else "sent", now=clock())
    return summary
