"""The send that enqueues: `digest send` with `[queue] broker` set.

The due subscribers are cut into id ranges `(lo, hi]` of `[queue] batch` subscribers,
one task per range goes to the queue (its arguments are the edition id and the range:
never an address or a message), then this process follows the ledger until every due
subscriber is finished or the edition is paused or cancelled; a range that makes no
progress for a while is enqueued again (claims make a duplicate task harmless), and
at once the range of rows claimed by a worker of this machine that is gone (killed). This
module sends no mail and does not import the workers' side (:mod:`.queue`) beyond
the Celery app.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING

from digest.config import Settings
from digest.deliver.broker import broker_location, redact
from digest.deliver.interfaces import Clock, Progress, SendOptions, SendSummary
from digest.deliver.lease import process_gone
from digest.deliver.queue import TASK, celery_app
from digest.errors import DeliveryError
from digest.lifecycle import STOPPING, StopReason
from digest.records import Edition

if TYPE_CHECKING:
    from digest.app import App

log = logging.getLogger("digest.worker")


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    settings: Settings,
    edition_id: int,
    ranges: Sequence[tuple[int, int]],
    *,
    timezones: frozenset[str] | None = None,
    retry_unsendable: datetime | None = None,
) -> int:
    """One task per id range on `[queue] name`; how many were enqueued."""
    from kombu.exceptions import KombuError, OperationalError

    celery = celery_app(settings)
    kwargs: dict[str, object] = {}
    if timezones is not None:
        kwargs["timezones"] = sorted(timezones)
    if retry_unsendable is not None:  # only then: workers of an older release take the rest
        kwargs["retry_unsendable"] = retry_unsendable.isoformat()
    # The transport's own errors too: RabbitMQ refusing a login (AccessRefused) is a
    # channel error that kombu does not wrap in its OperationalError.
    with celery.connection_for_write() as conn:  # lazy: nothing is opened here
        errors = (KombuError, OperationalError, OSError, *conn.connection_errors)
        errors += tuple(conn.channel_errors)
    try:
        with celery.producer_or_acquire() as producer:
            for lo, hi in ranges:
                celery.send_task(
                    TASK,
                    args=(edition_id, lo, hi),
                    kwargs=kwargs,
                    queue=settings.queue.name,
                    producer=producer,
                )
    except errors as exc:
        where = broker_location(settings.queue.broker or "")
        raise DeliveryError(
            f"{settings.path}: cannot enqueue edition {edition_id} on the broker at "
            f"{where} ([queue] broker): {redact(str(exc))}"
        ) from None
    finally:
        celery.close()
    return len(ranges)


def waiting(settings: Settings) -> int | None:
    """Tasks waiting on `[queue] name` (not yet taken by a worker); None when the broker
    cannot say (unreachable, no such queue)."""
    celery = celery_app(settings)
    try:
        with celery.connection_for_read() as conn:
            declared = conn.default_channel.queue_declare(queue=settings.queue.name, passive=True)
            return int(declared.message_count)
    except Exception:  # any broker fault: unknown, and the caller enqueues again
        return None
    finally:
        celery.close()


def _chunks(ids: Sequence[int], size: int) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def send_queued(
    app: App,
    edition: Edition,
    *,
    options: SendOptions | None = None,
    clock: Clock = _now,
    progress: Progress | None = None,
    poll: float = 0.5,
    stall: float | None = None,
    before: Mapping[str, int] | None = None,
) -> SendSummary:
    """Enqueue an edition's due subscribers and follow the ledger until they are done.

    The summary has this run's counts (sent, bounced, deferred) and errors, from the
    ledger, and in `paused` why it stopped early: a pause or cancel seen in the
    database, or SIGINT/SIGTERM (after which the workers go on). `options.timezones`
    and `options.retry_unsendable` go to the tasks (local-time delivery, a retry of
    unsendable copies); the other options are the workers' own.
    When the ledger shows no progress for `stall` seconds (default: the lease plus a
    minute) while subscribers are unfinished, their ranges are enqueued again if no task
    waits on the queue (a lost task; claims make a duplicate task harmless); if tasks
    wait, no worker is taking them, and the warning says so instead of adding more. The
    counts are from `before` (the ledger the caller counted as skipped; default: the
    ledger now), so that what workers of an earlier run still send meanwhile is counted
    once, here.
    """
    assert edition.id is not None
    timezones = options.timezones if options is not None else None
    retry = options.retry_unsendable if options is not None else None
    edition_id, store, q = edition.id, app.store, app.settings.queue
    list_tz = app.settings.list(edition.list).timezone
    started = clock()
    store.analyze()  # the counts below and the workers' queries need fresh statistics
    before = dict(store.ledger(edition_id) if before is None else before)
    expected = store.due_count(
        edition_id, edition.list, timezones=timezones, list_timezone=list_tz, retry_before=retry
    )
    ranges = store.batch_ranges(
        edition_id,
        edition.list,
        size=q.batch,
        timezones=timezones,
        list_timezone=list_tz,
        retry_before=retry,
    )
    enqueue(app.settings, edition_id, ranges, timezones=timezones, retry_unsendable=retry)
    stall = float(q.lease + 60) if stall is None else stall

    interrupted: list[str] = []

    def on_signal(sig: int, _frame: FrameType | None) -> None:
        interrupted.append(signal.Signals(sig).name)

    saved = {}
    if threading.current_thread() is threading.main_thread():
        saved = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

    def delta(counts: dict[str, int], finished: bool) -> dict[str, int]:
        failed = counts.get("failed", 0)
        unsendable = counts.get("unsendable", 0) - before.get("unsendable", 0)
        if retry is not None:  # the old ones are taken again: count those this run marked
            unsendable = store.ledger_since(edition_id, retry).get("unsendable", 0)
        return {
            "sent": counts.get("sent", 0) - before.get("sent", 0),
            "bounced": counts.get("bounced", 0) - before.get("bounced", 0),
            # at the end every failed row was tried in this run; before it, old ones count
            "deferred": failed if finished else max(0, failed - before.get("failed", 0)),
            "failed": unsendable,
        }

    stopped: str | None = None
    reason: StopReason | None = None
    last, changed, checked = before, time.monotonic(), 0.0
    try:
        while True:
            counts = store.ledger(edition_id)
            if progress:
                progress(delta(counts, False))
            status = store.edition_status(edition_id)
            if status in STOPPING:
                reason = StopReason(status)
                then = (
                    f"run `digest send {edition_id}` to resume"
                    if status == "paused"
                    else "nobody else will get it"
                )
                stopped = (
                    f"edition {edition_id} was {status} while sending (by an editor, or by a "
                    f"worker after repeated failures: see its log); what was sent is "
                    f"recorded; {then}"
                )
                break
            if interrupted:
                reason = StopReason.INTERRUPTED
                stopped = (
                    f"stopped following edition {edition_id} ({interrupted[0]} received); "
                    f"the workers go on sending: `digest pause {edition_id}` stops them, "
                    f"`digest send {edition_id}` follows again"
                )
                break
            if counts != last:
                last, changed = counts, time.monotonic()
            d = delta(counts, True)
            done = d["sent"] + d["bounced"] + d["deferred"] + d["failed"]
            if done >= expected or time.monotonic() - checked >= 5.0:
                checked = time.monotonic()
                if freed := store.free_claims_of(edition_id, process_gone):
                    # a worker of this machine died holding them: no lease to wait out
                    again = [(c[0] - 1, c[-1]) for c in _chunks(freed, q.batch)]
                    log.warning(
                        "edition %d: %d messages claimed by a worker of this machine that "
                        "is gone are enqueued again",
                        edition_id,
                        len(freed),
                    )
                    enqueue(
                        app.settings, edition_id, again, timezones=timezones, retry_unsendable=retry
                    )
                unfinished = store.unfinished_count(
                    edition_id,
                    edition.list,
                    timezones=timezones,
                    list_timezone=list_tz,
                    retry_before=retry,
                )
                if unfinished == 0:
                    break
            if time.monotonic() - changed >= stall:
                queued = waiting(app.settings)
                if queued:  # tasks wait: no worker takes them; more of them would not help
                    log.warning(
                        "edition %d: no progress for %.0f s and %d tasks wait on queue %r "
                        "at %s: is a `digest worker` running for this queue?",
                        edition_id,
                        stall,
                        queued,
                        q.name,
                        broker_location(q.broker or ""),
                    )
                else:  # nothing waits, yet subscribers are unfinished: a task was lost
                    again = store.batch_ranges(
                        edition_id,
                        edition.list,
                        size=q.batch,
                        unfinished=True,
                        timezones=timezones,
                        list_timezone=list_tz,
                        retry_before=retry,
                    )
                    log.warning(
                        "edition %d: no progress for %.0f s and no task waiting; "
                        "%d batches enqueued again",
                        edition_id,
                        stall,
                        len(again),
                    )
                    enqueue(
                        app.settings,
                        edition_id,
                        again,
                        timezones=timezones,
                        retry_unsendable=retry,
                    )
                changed = time.monotonic()
            time.sleep(poll)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    result = delta(store.ledger(edition_id), stopped is None)
    if progress:
        progress(result)
    summary = SendSummary(
        sent=result["sent"],
        bounced=result["bounced"],
        deferred=result["deferred"],
        failed=result["failed"],
        paused=stopped,
        stop=reason,
    )
    if result["bounced"] or result["deferred"] or result["failed"]:
        for error in store.ledger_errors(edition_id, since=started):
            summary.note(error)
    return summary
