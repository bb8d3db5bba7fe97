"""Deliver an edition to every due subscriber, exactly once, resumably.

The ledger (one row per edition x subscriber) is the only source of truth. Each worker
streams its share of the due subscribers from the database a batch at a time (memory
stays flat whatever the list's size), *claims* the batch in one statement before any
of its messages is handed to the transport, and *marks* outcomes at least every
`mark_every` messages in one short transaction. A kill therefore leaves at most
`mark_every` messages per worker sent but unrecorded, and a resumed send (after a
crash, a kill, a pause or Ctrl-C) takes exactly the rows not marked sent or bounced.

One run sends an edition at a time: a run first takes the edition's lease (owner,
expiry; :class:`EditionLease`), renews it while it runs and gives it back at the end.
A second `digest send` of the same edition (the scheduler and a person, two
operators, two queued sends) is refused with who holds it and until when. A
crashed run's lease is taken over once it expires, or at once when its process is
provably gone (same machine); its unmarked claims are freed then, and only then.
Claims are exclusive: a row another live worker holds is never taken.

Each variant is rendered and CSS-inlined once per worker; per subscriber only a few
byte strings are substituted. Transient failures are retried with back-off without
holding up the others and count towards the auto-pause only once their retries are
spent (greylisting); a recipient refused for its address (5.1.1) is bounced, a refusal
that may be the relay's never is (see `transports._rcpt_error`); too many failures
in a row, or a transport that cannot work at all (the sender refused, a login
needed), pause the edition with the server's answer. This
module decides what happens to each message; it does not build editions, render
templates or talk SQL or SMTP itself.
"""

from __future__ import annotations

import heapq
import logging
import multiprocessing
import os
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, MutableSequence, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, SpawnContext
from types import FrameType
from typing import Any

from digest import gate
from digest.app import App
from digest.config import Settings
from digest.errors import DeliveryError, DigestError
from digest.message import Prepared
from digest.records import Edition, Subscriber
from digest.transports import Refusal, TransportError

log = logging.getLogger("digest.send")

Clock = Callable[[], datetime]
Progress = Callable[[dict[str, int]], None]
#: Claims ledger rows before hand-over: (subscriber ids, now) -> the ids claimed.
Claim = Callable[[list[int], datetime], set[int]]

#: Edition statuses a running send stops for.
STOPPING = ("paused", "cancelled")
#: One `digest send` of an edition at a time: a run holds the edition's send lease this
#: many seconds past its last renewal, and renews it every LEASE_RENEW seconds on a
#: thread of its own (so a worker waiting on the network never lets it lapse).
LEASE_SECONDS = 60.0
LEASE_RENEW = 5.0
#: Counter slots per worker (shared memory when workers are processes).
_SENT, _BOUNCED, _DEFERRED = 0, 1, 2
_SLOTS = 3


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How one run of a send behaves. `None` takes the value from `[transport]`."""

    workers: int = 1  # processes, each with its own connection; 1 = in this process
    dry_run: bool = False  # build every message, send none, change nothing
    batch: int = 200  # subscribers fetched and claimed per transaction
    mark_every: int = 2  # outcomes recorded at least this often: bounds duplicates on a kill
    retries: int | None = None  # transient failures retried per message, with back-off
    retry_delay: float | None = None  # seconds before the first retry, then doubled
    max_consecutive_failures: int | None = None  # then the send pauses itself
    #: Local-time delivery: when set, only subscribers whose time zone is in this set
    #: are due in this run; a subscriber without a time zone counts as being in the
    #: list's time zone (`[[lists]] timezone`). The edition is marked sent only once
    #: nobody in any zone is due; until then it stays "sending".
    timezones: frozenset[str] | None = None


@dataclass(slots=True)
class SendSummary:
    """What one run did. `paused` says why it stopped early (None: it ran to the end)."""

    sent: int = 0
    bounced: int = 0
    deferred: int = 0  # not delivered in this run (transient failures); retried next run
    skipped: int = 0  # already sent or bounced before this run
    planned: int = 0  # --dry-run: messages that would be sent
    remaining: int = 0  # still due after this run
    paused: str | None = None
    errors: list[str] = field(default_factory=list)

    MAX_ERRORS = 50

    def note(self, error: str) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append(error)

    def add(self, other: SendSummary) -> None:
        self.sent += other.sent
        self.bounced += other.bounced
        self.deferred += other.deferred
        self.planned += other.planned
        for error in other.errors:
            self.note(error)
        self.paused = self.paused or other.paused


class RateLimiter:
    """One worker's pace: its share of `rate_per_second` as a token bucket (a burst of
    one, so messages go out evenly) and of `rate_per_hour` as a sliding one-hour window
    (exact: a bucket would let a fresh run send up to twice the quota in its first
    hour). `recent` seeds the window with the monotonic times of earlier sends."""

    HOUR = 3600.0

    def __init__(
        self,
        per_second: float | None,
        per_hour: int | None,
        *,
        recent: Sequence[float] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._rate = per_second
        self._tokens = 1.0
        self._last = clock()
        self._quota = per_hour
        self._window: deque[float] = deque(sorted(recent)[-per_hour:] if per_hour else ())

    @classmethod
    def share(
        cls,
        per_second: float | None,
        per_hour: int | None,
        *,
        index: int,
        workers: int,
        recent: Sequence[float] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> RateLimiter:
        """Worker `index`'s part of limits meant for the whole send."""
        second = per_second / workers if per_second else None
        hour = None
        if per_hour:
            hour = per_hour // workers + (1 if index < per_hour % workers else 0)
        return cls(second, hour, recent=list(recent)[index::workers], clock=clock)

    def _refill(self, now: float) -> None:
        if self._rate:
            self._tokens = min(1.0, self._tokens + (now - self._last) * self._rate)
            self._last = now

    def delay(self) -> float:
        """Seconds to wait before the next message may go (0: now)."""
        now = self._clock()
        wait = 0.0
        if self._rate:
            self._refill(now)
            if self._tokens < 1.0:
                wait = (1.0 - self._tokens) / self._rate
        if self._quota is not None:
            while self._window and self._window[0] <= now - self.HOUR:
                self._window.popleft()
            if self._quota <= 0:
                return float("inf")
            if len(self._window) >= self._quota:
                wait = max(wait, self._window[0] + self.HOUR - now)
        return wait

    def take(self) -> None:
        """Count one message as gone (call after `delay()` returned 0)."""
        now = self._clock()
        if self._rate:
            self._refill(now)
            self._tokens -= 1.0
        if self._quota is not None:
            self._window.append(now)


class _Stop:
    """Why a worker should stop at the next message boundary (a signal, a dead parent)."""

    def __init__(self, parent: int | None = None) -> None:
        self.reason: str | None = None
        self._parent = parent

    def set(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason

    def check(self) -> str | None:
        if self.reason is None and self._parent is not None and os.getppid() != self._parent:
            self.reason = "the sending process that started this worker died"
        return self.reason


def _on_signals(handler: Callable[[int, FrameType | None], None]) -> dict[int, Any]:
    """Install `handler` for SIGINT/SIGTERM where possible; return what to restore."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def _restore(saved: dict[int, Any]) -> None:
    for sig, previous in saved.items():
        signal.signal(sig, previous)


def _wall() -> datetime:
    """Leases are between processes, possibly on several machines: real time, never
    the injected clock (which may stand still in a test or a replay)."""
    return datetime.now(UTC)


def _alive(pid: int) -> bool:
    """Whether a process of this machine with this id exists (a zombie counts: the
    cautious answer, as is a process of another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EditionLease:
    """This run's hold on an edition: taken before anything is claimed, renewed while
    the run lasts, given back at the end (with the ledger claims it never marked).

    Another run's lease is taken over only when it ran out (its process stopped
    renewing: killed, or its machine gone) or when its process is provably gone
    (same machine, no such process: a SIGKILLed send resumes at once). Otherwise
    :meth:`take` refuses with who holds the edition and until when."""

    def __init__(self, app: App, edition_id: int, *, seconds: float = LEASE_SECONDS) -> None:
        self.store, self.edition_id, self.seconds = app.store, edition_id, seconds
        self.host, self.pid = socket.gethostname()[:60], os.getpid()
        self.owner = f"{self.host}:{self.pid}:{secrets.token_hex(4)}"
        self.renewed = time.monotonic()

    def take(self) -> None:
        replace: str | None = None
        while True:
            held = self.store.take_send_lease(
                self.edition_id,
                owner=self.owner,
                host=self.host,
                pid=self.pid,
                now=_wall(),
                seconds=self.seconds,
                replace=replace,
            )
            if held is None:
                self.renewed = time.monotonic()
                return
            if held.owner == replace or held.host != self.host or _alive(held.pid):
                break
            log.warning(
                "edition %d: taking over the send of pid %d, which is gone",
                self.edition_id,
                held.pid,
            )
            replace = held.owner  # its process is gone: take its lease at once
        raise DeliveryError(
            f"edition {self.edition_id} is being sent by another process (pid {held.pid} "
            f"on {held.host}, since {_iso(held.since)}); try again after it finishes or "
            f"after its lease expires at {_iso(held.until)}"
        )

    def renew(self) -> bool:
        """Extend the lease; False when another run took it over (ours ran out)."""
        self.renewed = time.monotonic()
        return self.store.renew_send_lease(
            self.edition_id, owner=self.owner, now=_wall(), seconds=self.seconds
        )

    def due(self) -> bool:
        return time.monotonic() - self.renewed >= LEASE_RENEW

    def release(self) -> None:
        try:
            self.store.release_send_lease(self.edition_id, owner=self.owner)
        except Exception as exc:  # it runs out by itself; never hide why the send ended
            log.warning("edition %d: cannot release the send lease: %s", self.edition_id, exc)

    def lost(self) -> str:
        return (
            f"edition {self.edition_id}'s send lease ran out and another run took the edition over"
        )


class _Renewer:
    """Renews a lease on a thread while in `with`; calls `on_lost` if it is lost."""

    def __init__(self, lease: EditionLease, on_lost: Callable[[str], None]) -> None:
        self.lease, self.on_lost = lease, on_lost
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="digest-send-lease", daemon=True)

    def _run(self) -> None:
        while not self.done.wait(LEASE_RENEW):
            try:
                if not self.lease.renew():
                    self.on_lost(self.lease.lost())
                    return
            except Exception as exc:  # the database blinked: the next beat tries again
                log.warning(
                    "edition %d: cannot renew the send lease: %s", self.lease.edition_id, exc
                )

    def __enter__(self) -> _Renewer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()


class _Messages:
    """Per worker: each variant prepared once, then personalised per subscriber."""

    def __init__(self, app: App, edition: Edition, now: datetime) -> None:
        self.app, self.edition, self.now = app, edition, now
        self.cache: dict[tuple[str, bool], Prepared] = {}
        assert edition.id is not None
        self.edition_id = edition.id

    def build(self, subscriber: Subscriber) -> bytes:
        variant, text_only = self.app.variant_for(subscriber)
        key = (variant.key, text_only)
        prepared = self.cache.get(key)
        if prepared is None:
            prepared = self.cache[key] = self.app.prepare(
                self.edition, variant, text_only, now=self.now
            )
        return self.app.message_for(prepared, self.edition_id, subscriber)


def _batches(
    app: App,
    edition: Edition,
    options: SendOptions,
    *,
    shard: tuple[int, int] | None = None,
    id_range: tuple[int, int] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> Iterator[list[Subscriber]]:
    """The due subscribers, a batch at a time, in id order (streamed, never all at once);
    with `id_range=(lo, hi)` only those with lo < id <= hi."""
    assert edition.id is not None
    list_tz = app.settings.list(edition.list).timezone
    after, upto = id_range if id_range is not None else (0, None)
    while not stop():
        batch = app.store.due(
            edition.id,
            edition.list,
            after_id=after,
            upto_id=upto,
            limit=options.batch,
            shard=shard,
            timezones=options.timezones,
            list_timezone=list_tz,
        )
        if not batch:
            return
        after = batch[-1].id
        yield batch


class _Worker:
    """Sends one shard of an edition over one connection; see the module docstring."""

    def __init__(
        self,
        app: App,
        edition_id: int,
        *,
        index: int,
        workers: int,
        options: SendOptions,
        clock: Clock,
        stop: _Stop,
        counts: MutableSequence[int],
        tick: Callable[[], None] | None,
        id_range: tuple[int, int] | None = None,
        claim: Claim | None = None,
        owner: str | None = None,
    ) -> None:
        ts = app.settings.transport
        self.id_range, self.claim, self.owner = id_range, claim, owner
        self.app, self.store = app, app.store
        self.edition = self.store.edition(edition_id)
        self.edition_id, self.index, self.workers = edition_id, index, workers
        self.options, self.clock, self.stop, self.tick = options, clock, stop, tick
        self.counts, self.base = counts, index * _SLOTS
        self.retries = ts.retries if options.retries is None else options.retries
        self.retry_delay = ts.retry_delay if options.retry_delay is None else options.retry_delay
        self.max_failures = (
            ts.max_consecutive_failures
            if options.max_consecutive_failures is None
            else options.max_consecutive_failures
        )
        self.name = f"{owner}/{index}" if owner else f"{socket.gethostname()}:{os.getpid()}:{index}"
        self.envelope_from = parseaddr(app.settings.newsletter.sender)[1]
        self.transport = app.transport()
        self.messages = _Messages(app, self.edition, clock())
        self.limiter = self._limiter()
        self.summary = SendSummary()
        self.pending: dict[int, tuple[str, str | None]] = {}  # outcomes not yet written
        # Outcomes are written on a helper thread while the next message is on the wire
        # (the worker waits on the network far longer than a ledger write takes). One
        # write at a time, of at most `mark_every - 1` outcomes, so a kill loses at most
        # that many plus the message in flight: `mark_every` in all.
        self.recorder = (
            ThreadPoolExecutor(1, thread_name_prefix=f"ledger-{index}")
            if options.mark_every > 1
            else None
        )
        self.writing: Future[str] | None = None
        self.ledger = self.store.ledger_writer(edition_id)
        # (when, seq, attempt, subscriber, last error): messages waiting to be retried.
        self.retry: list[tuple[float, int, int, Subscriber, str]] = []
        self.seq = 0
        self.failures = 0  # final failures in a row (after retries): the auto-pause
        self.refusals = 0  # of which recipients refused (5xx) in a row: see _failed
        # Recipients refused with a bare 5xx, waiting for the server to accept a later
        # recipient (then they bounce) or for the run to end (then they are deferred).
        self.held: list[tuple[Subscriber, str]] = []
        self.stopped: str | None = None
        self.opened = False
        self.last_status_check = time.monotonic()

    def _limiter(self) -> RateLimiter:
        ts = self.app.settings.transport
        recent: list[float] = []
        if ts.rate_per_hour:
            now, mono = self.clock(), time.monotonic()
            since = now - timedelta(seconds=RateLimiter.HOUR)
            for at in self.store.sent_since(since, limit=ts.rate_per_hour):
                recent.append(mono - (now - at).total_seconds())
        return RateLimiter.share(
            ts.rate_per_second,
            ts.rate_per_hour,
            index=self.index,
            workers=self.workers,
            recent=recent,
        )

    # -- the loop -------------------------------------------------------------------
    def run(self) -> SendSummary:
        try:
            for batch in _batches(
                self.app,
                self.edition,
                self.options,
                shard=(self.index, self.workers),
                id_range=self.id_range,
                stop=self._stopping,
            ):
                ids = [s.id for s in batch]
                if self.claim is not None:
                    claimed = self.claim(ids, self.clock())
                elif self.owner is not None:  # a run holding the edition's lease
                    claimed = self.store.claim_exclusive(
                        self.edition_id,
                        ids,
                        worker=self.name,
                        now=self.clock(),
                        lease=self.app.settings.queue.lease,
                    )
                else:
                    claimed = self.store.claim(
                        self.edition_id, ids, worker=self.name, now=self.clock()
                    )
                for sub in batch:
                    if sub.id not in claimed:
                        continue  # sent by another run meanwhile
                    self._retry_due()
                    if self._stopping():
                        break
                    self._attempt(sub, 0)
                    if self._stopping():
                        break
            self._drain_retries()
        finally:
            try:
                self._give_up_retries()
                self._release_held()
                self._flush()
            finally:
                if self.recorder is not None:
                    self.recorder.shutdown()
                self.ledger.close()
                if self.opened:
                    self.transport.close()
        self.summary.paused = self.stopped
        return self.summary

    def _stopping(self) -> bool:
        if self.stopped is None and (reason := self.stop.check()):
            self.stopped = (
                f"interrupted ({reason}); what was sent is recorded: "
                f"run `digest send {self.edition_id}` to resume"
            )
        return self.stopped is not None

    def _retry_due(self) -> None:
        while self.retry and self.retry[0][0] <= time.monotonic() and not self._stopping():
            _, _, attempt, sub, _ = heapq.heappop(self.retry)
            self._attempt(sub, attempt)

    def _drain_retries(self) -> None:
        while self.retry and not self._stopping():
            wait = self.retry[0][0] - time.monotonic()
            if wait > 0:
                self._idle(wait)
                continue
            _, _, attempt, sub, _ = heapq.heappop(self.retry)
            self._attempt(sub, attempt)

    def _give_up_retries(self) -> None:
        """Stopping early: messages waiting for a retry are left for the next run."""
        while self.retry:
            _, _, _, sub, error = heapq.heappop(self.retry)
            self._outcome(sub, "failed", error)

    def _release_held(self) -> None:
        """The run ends with refusals nobody confirmed: they may be the relay's, so
        they are deferred to the next run, never bounced."""
        held, self.held = self.held, []
        for sub, error in held:
            self._outcome(sub, "failed", error)

    def _idle(self, seconds: float) -> None:
        """Wait a little: record what was sent first, and notice a pause while waiting."""
        if self.pending:
            self._flush()
        time.sleep(min(seconds, 0.5))
        if time.monotonic() - self.last_status_check >= 1.0:
            self.last_status_check = time.monotonic()
            self._check_status(self.store.edition_status(self.edition_id))

    def _attempt(self, sub: Subscriber, attempt: int) -> None:
        while (wait := self.limiter.delay()) > 0:
            if self._stopping():
                return  # left claimed: the next run sends it
            self._idle(wait)
        try:
            data = self.messages.build(sub)
        except DeliveryError as exc:  # bad data in the subscriber's row
            self._outcome(sub, "failed", str(exc))
            return
        self.limiter.take()
        try:
            if not self.opened:
                self.transport.open()
                self.opened = True
            self.transport.send(
                self.envelope_from, sub.email, data, name=f"{self.edition_id}-{sub.id}"
            )
        except TransportError as exc:
            heapq.heappush(self.retry, (0.0, -1, attempt, sub, str(exc)))  # not its fault
            self._pause(f"the transport cannot be used: {exc}")
            return
        except DeliveryError as exc:
            self._failed(sub, attempt, exc)
            return
        self.failures = self.refusals = 0
        self._outcome(sub, "sent", None)
        # The server accepted a recipient after refusing the held ones: it does take
        # mail from us, so those refusals were about their addresses.
        held, self.held = self.held, []
        for refused, error in held:
            self._outcome(refused, "bounced", error)

    def _failed(self, sub: Subscriber, attempt: int, exc: DeliveryError) -> None:
        """A message not handed over. A transient failure (4xx, a dropped connection)
        is retried with back-off and counts towards the auto-pause only once its
        retries are spent (greylisting answers 451 to every first try). A refused
        recipient (:class:`Refusal`) is never bounced here: see `held`."""
        error = str(exc)
        transient = exc.code is None or 400 <= exc.code < 500
        if not exc.permanent and transient and attempt < self.retries:
            when = time.monotonic() + self.retry_delay * 2**attempt
            self.seq += 1
            heapq.heappush(self.retry, (when, self.seq, attempt + 1, sub, error))
        else:
            self.failures += 1
            if isinstance(exc, Refusal):
                self.refusals += 1
                if exc.confirmable:
                    self.held.append((sub, error))
                else:
                    self._outcome(sub, "failed", error)
            else:
                self.refusals = 0
                self._outcome(sub, "bounced" if exc.permanent else "failed", error)
        if self.failures >= self.max_failures:
            why = f"{self.failures} consecutive failures (last: {error})"
            if self.refusals >= self.failures:
                why += (
                    f"; the server refused {self.refusals} recipients in a row, which is "
                    "about the sender or the relay rather than the addresses, so none "
                    "was marked bounced"
                )
            self._pause(why)
        elif exc.code is None:  # the connection failed: give the server a moment
            until = time.monotonic() + self.retry_delay
            while (left := until - time.monotonic()) > 0 and not self._stopping():
                self._idle(left)

    def _pause(self, why: str) -> None:
        # Only a running send is paused: a cancel meanwhile stands.
        self.store.set_edition_status(
            self.edition_id, "paused", now=self.clock(), expect=("sending",)
        )
        self.stopped = (
            f"edition {self.edition_id} paused after {why}. Fix the cause, then run "
            f"`digest send {self.edition_id}` to resume"
        )

    def _outcome(self, sub: Subscriber, status: str, error: str | None) -> None:
        self.pending[sub.id] = (status, error)
        if status == "sent":
            self.summary.sent += 1
            self.counts[self.base + _SENT] += 1
        elif status == "bounced":
            self.summary.bounced += 1
            self.counts[self.base + _BOUNCED] += 1
        else:
            self.summary.deferred += 1
            self.counts[self.base + _DEFERRED] += 1
        if error:
            self.summary.note(error)
        if len(self.pending) >= max(1, self.options.mark_every - 1):
            self._record()
        if self.tick is not None:
            self.tick()

    def _record(self) -> None:
        """Write the pending outcomes: on the helper thread once the previous write is
        done (so at most one write is ever outstanding), else right here."""
        self._written()
        if not self.pending:
            return
        outcomes, self.pending = self.pending, {}
        if self.recorder is None:
            self._check_status(self.ledger.mark(outcomes, now=self.clock()))
        else:
            self.writing = self.recorder.submit(self.ledger.mark, outcomes, now=self.clock())

    def _written(self) -> None:
        """Wait for the outstanding write; it reports the edition's status."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            self._check_status(writing.result())

    def _flush(self) -> None:
        """Everything handed over so far is in the ledger when this returns."""
        self._record()
        self._written()

    def _check_status(self, status: str) -> None:
        if status in STOPPING and self.stopped is None:
            then = (
                f"run `digest send {self.edition_id}` to resume"
                if status == "paused"
                else "nobody else will get it"
            )
            self.stopped = (
                f"edition {self.edition_id} was {status} while sending; what was sent is "
                f"recorded; {then}"
            )


def run_worker(
    app: App,
    edition_id: int,
    *,
    index: int = 0,
    workers: int = 1,
    options: SendOptions = SendOptions(),
    clock: Clock = _now,
    stop: _Stop | None = None,
    counts: MutableSequence[int] | None = None,
    tick: Callable[[], None] | None = None,
    id_range: tuple[int, int] | None = None,
    claim: Claim | None = None,
    owner: str | None = None,
) -> SendSummary:
    """Send this worker's share (subscriber id modulo `workers`) of an edition.

    `id_range=(lo, hi)` limits it to subscribers with lo < id <= hi (a queued batch);
    `claim(ids, now)` replaces :meth:`Store.claim` and returns the ids this worker
    may send (a queue worker's exclusive, leased claim). `owner` names the run that
    holds the edition's :class:`EditionLease`: claims are then exclusive too (never a
    row another live worker holds) and named `<owner>/<index>`.
    """
    return _Worker(
        app,
        edition_id,
        index=index,
        workers=workers,
        options=options,
        clock=clock,
        stop=stop or _Stop(),
        counts=counts if counts is not None else [0] * _SLOTS * workers,
        tick=tick,
        id_range=id_range,
        claim=claim,
        owner=owner,
    ).run()


def _child(
    settings: Settings,
    edition_id: int,
    index: int,
    workers: int,
    options: SendOptions,
    counts: MutableSequence[int],
    report: Connection,
    parent: int,
    owner: str,
) -> None:
    """A worker process: its summary goes back through `report`."""
    stop = _Stop(parent)
    _on_signals(lambda sig, _f: stop.set(f"{signal.Signals(sig).name} received"))
    try:
        summary = run_worker(
            App(settings),
            edition_id,
            index=index,
            workers=workers,
            options=options,
            stop=stop,
            counts=counts,
            owner=owner,
        )
    except DigestError as exc:
        summary = SendSummary(paused=f"worker {index} stopped: {exc}")
    except Exception:
        summary = SendSummary(paused=f"worker {index} failed:\n{traceback.format_exc()}")
    report.send(summary)
    report.close()


def _totals(counts: Sequence[int], workers: int) -> dict[str, int]:
    return {
        name: sum(counts[i * _SLOTS + slot] for i in range(workers))
        for name, slot in (("sent", _SENT), ("bounced", _BOUNCED), ("deferred", _DEFERRED))
    }


def _dry_run(app: App, edition: Edition, options: SendOptions, summary: SendSummary) -> None:
    messages = _Messages(app, edition, _now())
    for batch in _batches(app, edition, options):
        for sub in batch:
            try:
                messages.build(sub)
            except DeliveryError as exc:
                summary.note(str(exc))
                continue
            summary.planned += 1


def _start_method() -> str:
    """`fork` where it is safe: workers start at once, with nothing to import again.
    Safe means Linux and a single thread in this process (a lock held by another
    thread would stay locked in the child); the caller closes every database
    connection first. Otherwise `spawn`: a fresh interpreter per worker."""
    if (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    ):
        return "fork"
    return "spawn"


def _in_processes(
    app: App,
    edition_id: int,
    workers: int,
    options: SendOptions,
    progress: Progress | None,
    lease: EditionLease,
) -> SendSummary:
    if _start_method() == "fork":
        app.store.engine.dispose()  # no database connection may cross a fork
        ctx: ForkContext | SpawnContext = multiprocessing.get_context("fork")
    else:
        ctx = multiprocessing.get_context("spawn")
    counts = ctx.Array("q", _SLOTS * workers, lock=False)
    procs, reports = [], []
    for i in range(workers):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_child,
            args=(
                app.settings,
                edition_id,
                i,
                workers,
                options,
                counts,
                send,
                os.getpid(),
                lease.owner,
            ),
            name=f"digest-send-{edition_id}-{i}",
        )
        proc.start()
        send.close()
        procs.append(proc)
        reports.append(receive)

    def forward(sig: int, _frame: FrameType | None) -> None:
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, signal.SIGTERM)

    saved = _on_signals(forward)
    summary = SendSummary()
    lost: str | None = None
    try:
        while any(p.is_alive() for p in procs):
            next(p for p in procs if p.is_alive()).join(0.2)
            if progress:
                progress(_totals(counts, workers))
            # The lease is renewed here, not on a thread: forking needs a lone thread.
            if lease.due() and lost is None:
                try:
                    if not lease.renew():
                        lost = lease.lost()
                        forward(signal.SIGTERM, None)
                except Exception as exc:  # the database blinked: the next beat tries again
                    log.warning("edition %d: cannot renew the send lease: %s", edition_id, exc)
        for i, (proc, receive) in enumerate(zip(procs, reports, strict=True)):
            if receive.poll():
                summary.add(receive.recv())
            else:
                summary.paused = summary.paused or (
                    f"worker {i} ended without a report (exit code {proc.exitcode}); "
                    f"run `digest send {edition_id}` to resume"
                )
            receive.close()
    finally:
        _restore(saved)
    if lost is not None:
        summary.paused = f"interrupted ({lost}); what was sent is recorded"
    return summary


def _queued(
    app: App, edition: Edition, options: SendOptions, clock: Clock, progress: Progress | None
) -> SendSummary:
    """`[queue] broker` set: the batches go to `digest worker`s (:mod:`digest.worker`),
    which send them through :func:`run_worker`; this process follows the ledger."""
    from digest.worker import send_queued

    return send_queued(app, edition, options=options, clock=clock, progress=progress)


def send_edition(
    app: App,
    edition_id: int,
    *,
    options: SendOptions = SendOptions(),
    clock: Clock = _now,
    progress: Progress | None = None,
) -> SendSummary:
    """Deliver to everyone due; safe to run again after any interruption.

    A paused edition is resumed; a cancelled one raises DeliveryError. With
    `options.timezones`, only that slice of the list is sent (see SendOptions).
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
    if edition.status == "cancelled":
        raise DeliveryError(
            f"edition {edition_id} was cancelled and is never sent ({store.url}); "
            "build a new edition instead"
        )
    gate.check(edition, app.settings.edition.min_stories)  # never an empty edition
    before = store.ledger(edition_id)
    summary = SendSummary(skipped=before.get("sent", 0) + before.get("bounced", 0))
    if options.dry_run:
        _dry_run(app, edition, options, summary)
        summary.remaining = summary.planned
        return summary
    lease = EditionLease(app, edition_id)
    lease.take()  # or DeliveryError: another live run is sending this edition
    try:
        return _send(app, edition, options, clock, progress, summary, lease)
    finally:
        lease.release()


def _send(
    app: App,
    edition: Edition,
    options: SendOptions,
    clock: Clock,
    progress: Progress | None,
    summary: SendSummary,
    lease: EditionLease,
) -> SendSummary:
    """send_edition's body, run while holding the edition's lease."""
    store = app.store
    assert edition.id is not None
    edition_id = edition.id
    list_tz = app.settings.list(edition.list).timezone
    status = store.edition_status(edition_id)  # read again: now nobody else sends it
    if status == "cancelled":
        raise DeliveryError(f"edition {edition_id} was cancelled meanwhile; it is not sent")
    if not store.set_edition_status(edition_id, "sending", now=clock(), expect=(status,)):
        raise DeliveryError(f"edition {edition_id} changed status meanwhile; try again")
    workers = max(1, options.workers)
    per_hour = app.settings.transport.rate_per_hour
    if per_hour:
        workers = min(workers, per_hour)
    if app.settings.queue.broker:
        with _Renewer(lease, lambda why: log.error("edition %d: %s", edition_id, why)):
            summary.add(_queued(app, edition, options, clock, progress))
    elif workers == 1:
        counts = [0] * _SLOTS
        stop = _Stop()
        last = [0.0]

        def tick() -> None:
            if progress and time.monotonic() - last[0] >= 0.2:
                last[0] = time.monotonic()
                progress(_totals(counts, 1))

        saved = _on_signals(lambda sig, _f: stop.set(f"{signal.Signals(sig).name} received"))
        try:
            with _Renewer(lease, stop.set):
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
            _restore(saved)
        if progress:
            progress(_totals(counts, 1))
    else:
        summary.add(_in_processes(app, edition_id, workers, options, progress, lease))
    summary.remaining = store.due_count(
        edition_id, edition.list, timezones=options.timezones, list_timezone=list_tz
    )
    left = summary.remaining
    if options.timezones is not None:
        left = store.due_count(edition_id, edition.list)
    if summary.paused is None:
        store.set_edition_status(
            edition_id, "sent" if left == 0 else "sending", now=clock(), expect=("sending",)
        )
    return summary
