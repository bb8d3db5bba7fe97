"""`send_edition`: deliver an edition to every due subscriber, exactly once, resumably.

The entry point of a send (the CLI and the scheduler call it): the gate (never an
edition below its minimum, never a first send of old news unless asked, nor of stories
another edition of the list sent), the edition's
send lease (one run per edition), the status change to sending (the lifecycle table),
then the work in this process, in local worker processes or through the queue, and the
final status. The ledger (one row per edition x subscriber) is the only source of
truth, so a resumed send (after a crash, a kill, a pause or Ctrl-C) takes exactly the
rows not marked done (`DONE`).
This module decides the run; the engine decides each message.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from digest import gate
from digest.deliver.interfaces import (
    DEFAULT_OPTIONS,
    SLOTS,
    Clock,
    Progress,
    SendOptions,
    SendSummary,
    Stop,
)
from digest.deliver.lease import EditionLease, Renewer
from digest.deliver.processes import in_processes, on_signals, restore, totals
from digest.deliver.transports import check_login
from digest.deliver.wiring import AppMessages, StoreLedger, run_worker
from digest.errors import DeliveryError
from digest.lifecycle import EditionStatus, allowed
from digest.records import Edition

if TYPE_CHECKING:
    from digest.app import App

__all__ = ["SendOptions", "SendSummary", "send_edition"]

log = logging.getLogger("digest.send")


def _now() -> datetime:
    return datetime.now(UTC)


def _dry_run(app: App, edition: Edition, options: SendOptions, summary: SendSummary) -> None:
    assert edition.id is not None
    messages = AppMessages(app, edition, _now())
    ledger = StoreLedger(
        app.store,
        edition,
        name="dry-run",
        timezones=options.timezones,
        list_timezone=app.settings.list(edition.list).timezone,
        retry_before=options.retry_unsendable,
    )
    try:
        after = 0
        while batch := ledger.due(after_id=after, limit=options.batch):
            after = batch[-1].id
            for sub in batch:
                try:
                    messages.build(sub)
                except DeliveryError as exc:
                    summary.note(str(exc))
                    continue
                summary.planned += 1
    finally:
        ledger.close()


def _queued(
    app: App,
    edition: Edition,
    options: SendOptions,
    clock: Clock,
    progress: Progress | None,
    before: dict[str, int],
) -> SendSummary:
    """`[queue] broker` set: the batches go to `digest worker`s (:mod:`.queue`), which
    send them through the engine; this process follows the ledger. Its counts start
    from `before`, the ledger `skipped` was counted from (workers of an earlier run
    may still be sending: what they send from then on is this run's)."""
    from digest.deliver.follow import send_queued

    return send_queued(app, edition, options=options, clock=clock, progress=progress, before=before)


def send_edition(
    app: App,
    edition_id: int,
    *,
    options: SendOptions = DEFAULT_OPTIONS,
    clock: Clock = _now,
    progress: Progress | None = None,
) -> SendSummary:
    """Deliver to everyone due; safe to run again after any interruption.

    A paused edition is resumed; a cancelled one raises DeliveryError. A first send
    (nothing in the ledger) of an edition built longer ago than `[edition]
    max_age_hours` raises gate.StaleEdition unless `options.send_stale`, and one of an
    edition whose stories went out in another edition of its list (or are going out:
    asked again once this one is sending) raises gate.RepeatedStories. With
    `options.timezones`, only that slice of the list is sent (see SendOptions); with
    `options.retry_unsendable`, the copies recorded unsendable before then are tried
    again, once each (a finished edition too), and nobody's copy is sent twice.
    `progress` gets this run's counts (sent, bounced, deferred) a few times a second.
    SIGINT/SIGTERM (when called from the main thread) stop every worker after its
    current message, with what was sent recorded; `paused` in the summary says so.

    `workers > 1` runs worker processes: forked on Linux when this process has a single
    thread (the App's database connections are closed first, so no other connection
    to the same SQLite file may be open here), else spawned. With `[queue] broker`
    set, the send is queued for `digest worker`s instead and `workers` is not used.
    """
    store = app.store
    edition = store.edition(edition_id)
    if edition.status == EditionStatus.CANCELLED:
        raise DeliveryError(
            f"edition {edition_id} was cancelled and is never sent ({store.url}); "
            "build a new edition instead"
        )
    gate.check(edition, app.settings.edition.min_stories)  # never an empty edition
    app.keys  # noqa: B018 -- a key the database does not know signs no link (digest.keyguard)
    if not options.dry_run and not app.settings.queue.broker:  # workers check their own
        check_login(app.settings)  # before anything is claimed: not a paused edition
    if not options.dry_run:  # a killed run's journaled messages count as delivered
        store.apply_journals(edition_id, clock())
    before = store.ledger(edition_id)
    if not before and not options.dry_run and not options.send_stale:  # a first send
        max_age = app.settings.edition.max_age_hours
        gate.check_fresh(edition, max_age, clock(), config=str(app.settings.path))
    if not before and not options.dry_run:  # a first send: none of its stories went out
        gate.check_unsent(edition, store.sent_by(edition.list, but=edition_id))
    summary = SendSummary(skipped=before.get("sent", 0) + before.get("bounced", 0))
    if options.dry_run:
        _dry_run(app, edition, options, summary)
        summary.remaining = summary.planned
        return summary
    lease = EditionLease(store, edition_id)
    lease.take()  # or DeliveryError: another live run is sending this edition
    try:
        return _send(app, edition, options, clock, progress, summary, lease, before)
    finally:
        lease.release()


def _unsent(app: App, edition: Edition, status: str, clock: Clock) -> None:
    """gate.check_unsent for an edition just set sending (from `status`): refused, it is
    set back, and nothing is sent."""
    assert edition.id is not None
    try:
        gate.check_unsent(edition, app.store.sent_by(edition.list, but=edition.id))
    except gate.RepeatedStories:
        app.store.set_edition_status(
            edition.id, status, now=clock(), expect=(EditionStatus.SENDING,)
        )
        raise


def _send(
    app: App,
    edition: Edition,
    options: SendOptions,
    clock: Clock,
    progress: Progress | None,
    summary: SendSummary,
    lease: EditionLease,
    before: dict[str, int],
) -> SendSummary:
    """send_edition's body, run while holding the edition's lease."""
    store = app.store
    assert edition.id is not None
    edition_id = edition.id
    list_tz = app.settings.list(edition.list).timezone
    status = store.edition_status(edition_id)  # read again: now nobody else sends it
    if status == EditionStatus.SENT and not store.due_count(
        edition_id,
        edition.list,
        timezones=options.timezones,
        list_timezone=list_tz,
        retry_before=options.retry_unsendable,
    ):
        return summary  # nothing left to deliver: the edition, its sent_at, stay as they are
    if not allowed(status, EditionStatus.SENDING):
        raise DeliveryError(f"edition {edition_id} was {status} meanwhile; it is not sent")
    if not store.set_edition_status(
        edition_id, EditionStatus.SENDING, now=clock(), expect=(status,)
    ):
        raise DeliveryError(f"edition {edition_id} changed status meanwhile; try again")
    if not before:  # asked again now that it is sending: of two first sends at once of
        # editions with the same stories, a later one sees this one as gone out
        _unsent(app, edition, status, clock)
    workers = max(1, options.workers)
    per_hour = app.settings.transport.rate_per_hour
    if per_hour:
        workers = min(workers, per_hour)
    if app.settings.queue.broker:
        with Renewer(lease, lambda why: log.error("edition %d: %s", edition_id, why)):
            summary.add(_queued(app, edition, options, clock, progress, before))
    elif workers == 1:
        counts = [0] * SLOTS
        stop = Stop()
        last = [0.0]

        def tick() -> None:
            if progress and time.monotonic() - last[0] >= 0.2:
                last[0] = time.monotonic()
                progress(totals(counts, 1))

        saved = on_signals(lambda sig, _f: stop.set(f"{signal.Signals(sig).name} received"))
        try:
            with Renewer(lease, stop.set):
                summary.add(
                    run_worker(
                        app,
                        edition_id,
                        options=options,
                        clock=clock,
                        stop=stop,
                        counts=counts,
                        tick=tick,
                        owner=lease.owner,
                    )
                )
        finally:
            restore(saved)
        if progress:
            progress(totals(counts, 1))
    else:
        messages = AppMessages(app, edition, clock())
        summary.add(in_processes(app, edition_id, workers, options, progress, lease, messages.warm))
    summary.remaining = store.due_count(
        edition_id, edition.list, timezones=options.timezones, list_timezone=list_tz
    )
    left = summary.remaining
    if options.timezones is not None:
        left = store.due_count(edition_id, edition.list)
    if summary.paused is None:
        after = EditionStatus.SENT if left == 0 else EditionStatus.SENDING
        store.set_edition_status(edition_id, after, now=clock(), expect=(EditionStatus.SENDING,))
    return summary
