"""Sending beyond one machine: the Celery app and the batch task (`digest worker`).

With `[queue] broker` set, `digest send` enqueues id ranges (:mod:`.follow`).
`digest worker` runs Celery; each task sends its range through the engine
(:func:`~digest.deliver.wiring.run_worker` with an id range), claiming ledger rows with
:meth:`~digest.store.Store.claim_exclusive` so that two workers never send the same
row, and renewing its claims while it works so that only a dead worker's rows are
taken over (after `[queue] lease` seconds; at once when it was a process of this
machine that is gone: :func:`~digest.deliver.lease.process_gone`). Tasks are acknowledged late and
rejected when their worker is lost, so a batch held by a killed worker is delivered
again (Redis: after `[queue] visibility_timeout`); its rows already marked are skipped.

Each worker process builds its :class:`WorkerApp` once: every variant is prepared
once per process and edition, and one SMTP connection is reused across tasks
(:class:`~digest.deliver.reuse.Reused`). This
module must not send, render or talk SQL itself, never imports the CLI-level send
(:mod:`.run`), and never logs the broker URL or a
password (log lines are filtered; the broker is named by scheme, host, port and Redis
database).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from digest.app import App
from digest.config import Settings
from digest.deliver.broker import RedactBrokerUrls, broker_location, broker_url
from digest.deliver.interfaces import Clock, SendOptions, SendSummary
from digest.deliver.lease import process_gone, worker_holder
from digest.deliver.reuse import Reused
from digest.deliver.transports import Transport
from digest.deliver.wiring import run_worker
from digest.errors import DeliveryError, DigestError
from digest.lifecycle import EditionStatus
from digest.message import Prepared
from digest.records import Edition
from digest.render import Rendered, Variant

log = logging.getLogger("digest.worker")

#: The one task: send an edition to the due subscribers with lo < id <= hi.
TASK = "digest.send_batch"
#: Times a task waits for rows another worker holds before it gives the range up
#: (the `digest send` that follows the ledger enqueues what is left again).
MAX_RETRIES = 50
#: Prepared variants are kept this long per process (their Date header is their age).
PREPARED_SECONDS = 600.0


def _now() -> datetime:
    return datetime.now(UTC)


# -- one App per worker process ---------------------------------------------------------
class WorkerApp(App):
    """The App of one worker process: it keeps one transport open across tasks and
    each edition variant's prepared message for PREPARED_SECONDS."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._transport: Reused | None = None
        self._prepared: dict[tuple[int, str, bool], tuple[float, Prepared]] = {}

    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = Reused(super().transport())
        return self._transport

    def prepare(
        self,
        edition: Edition,
        variant: Variant,
        text_only: bool,
        *,
        now: datetime,
        test: bool = False,
        rendered: Rendered | None = None,
    ) -> Prepared:
        if test or rendered is not None or edition.id is None:
            return super().prepare(
                edition, variant, text_only, now=now, test=test, rendered=rendered
            )
        key = (edition.id, variant.key, text_only)
        kept = self._prepared.get(key)
        if kept is not None and time.monotonic() - kept[0] < PREPARED_SECONDS:
            return kept[1]
        prepared = super().prepare(edition, variant, text_only, now=now)
        if len(self._prepared) > 64:
            self._prepared.clear()
        self._prepared[key] = (time.monotonic(), prepared)
        return prepared

    def shut(self) -> None:
        if self._transport is not None:
            self._transport.shut()
        if "store" in self.__dict__:
            self.store.close()


_PROCESS: dict[int, WorkerApp] = {}


def process_app(settings: Settings) -> WorkerApp:
    """This process's App, built on first use (a forked pool child builds its own:
    no database or SMTP connection crosses a fork)."""
    app = _PROCESS.get(os.getpid())
    if app is None:
        _PROCESS.clear()
        app = _PROCESS[os.getpid()] = WorkerApp(settings)
    return app


def shut_process_app(**_: Any) -> None:
    """Close this process's connections (Celery's process and worker shutdown)."""
    app = _PROCESS.pop(os.getpid(), None)
    if app is not None:
        app.shut()


# -- the task's body --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one task did with its range."""

    sent: int = 0
    bounced: int = 0
    deferred: int = 0
    skipped: str | None = None  # the edition's status when the task did nothing
    stopped: str | None = None  # why the send stopped early (a pause, a cancel, a failure)
    held: int = 0  # rows another (live) worker still holds
    retry_in: float | None = None  # seconds until those rows' lease runs out

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "bounced": self.bounced, "deferred": self.deferred}


class _Heartbeat:
    """Renews a worker's claims every `every` seconds on a thread, while in `with`."""

    def __init__(self, renew: Callable[[], None], every: float) -> None:
        self.renew, self.every = renew, every
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="digest-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self.done.wait(self.every):
            try:
                self.renew()
            except Exception as exc:  # the next beat tries again; the lease is long
                log.warning("could not renew claims: %s", exc)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()


def run_batch(
    settings: Settings,
    edition_id: int,
    lo: int,
    hi: int,
    *,
    worker: str,
    timezones: Sequence[str] | None = None,
    retry_unsendable: datetime | None = None,
    clock: Clock = _now,
) -> BatchResult:
    """Send the due subscribers with lo < id <= hi through the engine.

    Only while the edition is `sending`. `worker` names this process in the ledger.
    Rows another worker holds are left to it; the result says how many and when
    their lease runs out, so the task can look again then. `retry_unsendable`: as in
    SendOptions (a `digest send --retry-unsendable`).
    """
    app = process_app(settings)
    store, lease = app.store, settings.queue.lease
    status = store.edition_status(edition_id)
    if status != EditionStatus.SENDING:
        log.info("edition %d is %s: ids (%d, %d] left alone", edition_id, status, lo, hi)
        return BatchResult(skipped=status)
    ids = (lo, hi)
    lock = threading.Lock()  # a claim and a renewal of the same worker never overlap

    def claim(subscriber_ids: list[int], now: datetime) -> set[int]:
        with lock:
            return store.claim_exclusive(
                edition_id,
                subscriber_ids,
                worker=worker,
                now=now,
                lease=lease,
                retry_before=retry_unsendable,
            )

    def renew() -> None:
        with lock:
            store.renew_claims(edition_id, worker=worker, ids=ids, now=clock())

    options = SendOptions(
        batch=min(200, settings.queue.batch),
        mark_every=2,
        timezones=frozenset(timezones) if timezones is not None else None,
        retry_unsendable=retry_unsendable,
    )
    summary = SendSummary()
    with _Heartbeat(renew, every=max(0.2, lease / 4)):
        for again in range(3):  # again if a worker holding rows here died meanwhile
            freed = store.free_claims_of(edition_id, process_gone, ids=ids)
            if freed:
                log.warning(
                    "edition %d, ids (%d, %d]: %d rows claimed by a worker of this machine "
                    "that is gone are sent now",
                    edition_id,
                    lo,
                    hi,
                    len(freed),
                )
            elif again:
                break
            summary.add(
                run_worker(app, edition_id, options=options, clock=clock, id_range=ids, claim=claim)
            )
            if summary.paused is not None:
                break
    store.release_claims(edition_id, worker=worker, ids=ids)
    held, oldest = store.held_elsewhere(edition_id, worker=worker, ids=ids)
    retry_in = None
    if held and summary.paused is None:
        expires = (oldest - clock()).total_seconds() + lease if oldest else lease
        retry_in = min(max(1.0, expires + 0.5), float(lease))
    log.info(
        "edition %d, ids (%d, %d]: sent %d, bounced %d, deferred %d%s%s",
        edition_id,
        lo,
        hi,
        summary.sent,
        summary.bounced,
        summary.deferred,
        f"; {held} held by another worker" if held else "",
        f"; stopped: {summary.paused}" if summary.paused else "",
    )
    return BatchResult(
        summary.sent,
        summary.bounced,
        summary.deferred,
        stopped=summary.paused,
        held=held,
        retry_in=retry_in,
    )


# -- Celery -----------------------------------------------------------------------------
def celery_app(settings: Settings) -> Any:
    """The Celery app for this project's `[queue]`, with the batch task registered."""
    from celery import Celery
    from sqlalchemy.exc import SQLAlchemyError

    q = settings.queue
    url = broker_url(settings)
    celery = Celery("digest", broker=url, set_as_current=False)
    transport: dict[str, Any] = {}
    if url.startswith(("redis://", "rediss://")):
        transport = {
            # Long enough for a batch: a task unacknowledged this long is redelivered.
            "visibility_timeout": q.visibility_timeout,
            "unacked_restore_interval": max(1, min(10, q.visibility_timeout // 4)),
            "unacked_restore_throttle": 1,
        }
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        task_default_queue=q.name,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_send_task_events=False,
        enable_utc=True,
    )

    @celery.task(  # type: ignore[untyped-decorator]
        name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES
    )
    def send_batch(
        task: Any,
        edition_id: int,
        lo: int,
        hi: int,
        timezones: list[str] | None = None,
        retry_unsendable: str | None = None,  # ISO 8601: SendOptions.retry_unsendable
    ) -> dict[str, int]:
        # The ledger names this machine and process, then the node name (`--name`).
        name = worker_holder(task.request.hostname or f"celery@{socket.gethostname()}", os.getpid())
        retry = datetime.fromisoformat(retry_unsendable) if retry_unsendable else None
        try:
            result = run_batch(
                settings,
                edition_id,
                lo,
                hi,
                worker=name,
                timezones=timezones,
                retry_unsendable=retry,
            )
        except (DigestError, SQLAlchemyError, OSError) as exc:  # e.g. the database is down
            log.warning("edition %d, ids (%d, %d]: %s", edition_id, lo, hi, exc)
            raise task.retry(countdown=min(60, q.lease), exc=exc) from None
        if result.retry_in is not None:
            raise task.retry(countdown=result.retry_in)
        return result.counts()

    return celery


def check_login(celery: Any, settings: Settings) -> None:
    """Raise DeliveryError when the broker refuses this worker for good (RabbitMQ: a
    wrong user or password), which Celery reports as an "Unrecoverable error" with a
    traceback. A broker that is down, or an error Celery retries, is left to Celery."""
    from kombu.exceptions import OperationalError

    from digest.deliver.broker import BROKER_PASSWORD_ENV, redact

    with celery.connection_for_read() as conn:
        try:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
        except (OperationalError, *conn.recoverable_connection_errors):
            return
        except (*conn.connection_errors, *conn.channel_errors) as exc:
            where = broker_location(settings.queue.broker or "")
            raise DeliveryError(
                f"{settings.path}: the broker at {where} ([queue] broker, "
                f"${BROKER_PASSWORD_ENV}) refused this worker: {redact(str(exc))}"
            ) from None


def run(
    settings: Settings,
    *,
    concurrency: int = 1,
    pool: str = "prefork",
    queues: Sequence[str] = (),
    loglevel: str = "INFO",
    name: str | None = None,
) -> int:
    """Run a Celery worker in the foreground until it is stopped; its exit code."""
    from celery import signals
    from celery.utils.nodenames import default_nodename, host_format

    celery = celery_app(settings)
    queues = list(queues) or [settings.queue.name]
    check_login(celery, settings)

    def quiet_urls(logger: logging.Logger | None = None, **_: Any) -> None:
        for handler in (logger or logging.getLogger()).handlers:
            if not any(isinstance(f, RedactBrokerUrls) for f in handler.filters):
                handler.addFilter(RedactBrokerUrls())

    signals.after_setup_logger.connect(quiet_urls, weak=False)
    signals.after_setup_task_logger.connect(quiet_urls, weak=False)
    signals.worker_process_shutdown.connect(shut_process_app, weak=False)
    signals.worker_shutdown.connect(shut_process_app, weak=False)
    worker = celery.Worker(
        hostname=host_format(default_nodename(name)),
        concurrency=concurrency,
        pool_cls=pool,
        queues=queues,
        loglevel=loglevel,
        quiet=True,  # the banner would show the broker
        without_mingle=True,
        without_gossip=True,
        without_heartbeat=True,
    )
    log.info(
        "digest worker %s: queue %s on %s, %s pool x %d",
        worker.hostname,
        ",".join(queues),
        broker_location(settings.queue.broker or ""),
        pool,
        concurrency,
    )
    worker.start()
    return int(worker.exitcode or 0)
