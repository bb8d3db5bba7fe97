"""The delivery engine: claims, batches, personalise, hand-over, outcomes.

One :class:`Engine` sends one worker's share of an edition over one connection. It
streams the due subscribers a batch at a time (memory stays flat whatever the list's
size), *claims* each batch in one statement before any of its messages is handed to
the transport, and records each message the server took before the next is handed
over: journaled (SQLite; outcomes *marked* every few dozen messages in one short
transaction) or marked at once (PostgreSQL). The work between messages is done while
the server takes the next one in: the transport `start`s a message, the engine writes
the outcomes so far and builds the following one, then `finish`es (waits for the
server's answer to it, and only for it). A kill therefore leaves at most one message
per worker sent but unrecorded (the one in flight: taken, its answer not yet read),
and a resumed send takes exactly the rows not recorded done (sent, bounced, or
unsendable: see below).

Transient failures are retried with back-off without holding up the others and count
towards the auto-pause only once their retries are spent (greylisting); a recipient
refused for its address (5.1.1) is bounced, a refusal that may be the relay's never is
(`replies.rcpt_error`); a message the transport cannot carry (an EAI address, no
SMTPUTF8) is `unsendable`: done for this edition, a failure but no bounce. Too many
failures in a row, a server not reached in a few quick tries (`reconnect`) or a transport
that cannot work (the sender refused, a login needed) pause the edition, saying why. It
depends on the narrow :class:`~digest.deliver.interfaces.Ledger` and `MessageSource`
interfaces only: it knows no App, renders nothing and talks neither SQL nor SMTP itself.
"""

from __future__ import annotations

import contextlib
import heapq
import time
from collections.abc import Callable, Iterator, MutableSequence

from digest.config import TransportSettings
from digest.deliver.held import confirm
from digest.deliver.interfaces import (
    BOUNCED,
    DEFERRED,
    FAILED,
    SENT,
    SLOTS,
    Clock,
    Ledger,
    MessageSource,
    SendOptions,
    SendSummary,
    Stop,
)
from digest.deliver.ratelimit import Reserve, seeded_pace
from digest.deliver.reconnect import Reconnect
from digest.deliver.transports import (
    Refusal,
    Transport,
    TransportError,
    Unreachable,
    Unsendable,
)
from digest.deliver.wire import Envelope
from digest.errors import DeliveryError
from digest.lifecycle import STOPPING, StopReason
from digest.records import Subscriber


class Engine:
    """Sends one worker's share of an edition over one connection (module docstring)."""

    JOURNALED = 64  # outcomes written at least this often when the ledger journals

    def __init__(
        self,
        ledger: Ledger,
        messages: MessageSource,
        transport: Transport,
        *,
        edition_id: int,
        policy: TransportSettings,
        index: int,
        workers: int,
        options: SendOptions,
        clock: Clock,
        stop: Stop,
        counts: MutableSequence[int],
        tick: Callable[[], None] | None,
        pace: Reserve | None = None,
    ) -> None:
        self.ledger, self.messages, self.transport = ledger, messages, transport
        self.pace = pace
        self.edition_id, self.policy = edition_id, policy
        self.index, self.workers = index, workers
        self.options, self.clock, self.stop, self.tick = options, clock, stop, tick
        self.counts, self.base = counts, index * SLOTS
        o = options
        self.retries = policy.retries if o.retries is None else o.retries
        self.retry_delay = policy.retry_delay if o.retry_delay is None else o.retry_delay
        self.max_failures = (
            policy.max_consecutive_failures
            if o.max_consecutive_failures is None
            else o.max_consecutive_failures
        )
        self.limiter = seeded_pace(policy, ledger, clock, pace, index=index, workers=workers)
        self.reconnect = Reconnect(self.retry_delay)  # a server that cannot be reached
        self.paced = bool(policy.rate_per_second or policy.rate_per_hour)
        self.summary = SendSummary()
        # Outcomes not yet written. A journaled ledger keeps each accepted message at
        # once: outcomes are written every JOURNALED messages or second. Without a
        # journal (PostgreSQL) each is written once known, before the next hand-over.
        # Either way a kill re-sends the one message in flight only.
        self.pending: dict[int, tuple[str, str | None]] = {}
        self.every = self.JOURNALED if ledger.journaled else 1
        self.recorded = time.monotonic()
        # The next subscriber's message, built while the previous one was on the wire.
        self.ahead: tuple[int, str, bytes] | None = None
        # (when, seq, attempt, subscriber, last error): messages waiting to be retried.
        self.retry: list[tuple[float, int, int, Subscriber, str]] = []
        self.seq, self.opened = 0, False
        self.failures = 0  # final failures in a row (after retries): the auto-pause
        self.refusals = 0  # of which recipients refused (5xx) in a row: see _failed
        # Recipients refused with a bare 5xx, waiting for the server to accept a later
        # recipient (then they bounce) or for the run to end (then they are deferred).
        self.held: list[tuple[Subscriber, str]] = []
        self.stopped: str | None = None
        self.reason: StopReason | None = None
        # When the status was last read (a mark reads it too), and hand-overs since: one
        # after `mark_every` of them or 0.2 s (set-up, a wait) reads it first (a pause).
        self.status_read, self.unread = float("-inf"), 0

    # -- the loop -------------------------------------------------------------------
    def run(self) -> SendSummary:
        try:
            for batch in self._batches():
                claimed = self.ledger.claim([s.id for s in batch], self.clock())
                todo = [sub for sub in batch if sub.id in claimed]  # others: sent meanwhile
                for i, sub in enumerate(todo):
                    self._retry_due()
                    if self._stopping():
                        break
                    self._attempt(sub, 0, todo[i + 1] if i + 1 < len(todo) else None)
                    if self._stopping():
                        break
            self._drain_retries()
            self._confirm_held()
        finally:
            try:
                self._give_up_retries()
                self._release_held()
                self._record()
            finally:
                self.ledger.close()
                if self.opened:
                    self.transport.close()
        self.summary.paused, self.summary.stop = self.stopped, self.reason
        return self.summary

    def _batches(self) -> Iterator[list[Subscriber]]:
        """This worker's due subscribers, a batch at a time, in id order (streamed)."""
        after = 0
        while not self._stopping():
            batch = self.ledger.due(after_id=after, limit=self.options.batch)
            if not batch:
                return
            after = batch[-1].id
            yield batch

    def _stopping(self) -> bool:
        if self.stopped is None and (reason := self.stop.check()):
            self.reason = StopReason.INTERRUPTED
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
        """Stopping early: messages waiting for a retry are deferred, and the stop says so."""
        if self.retry and self.stopped is not None:
            n = len(self.retry)
            what = "1 message that was" if n == 1 else f"{n} messages that were"
            self.stopped += f". Also deferred: {what} waiting for a retry"
        while self.retry:
            _, _, _, sub, error = heapq.heappop(self.retry)
            self._outcome(sub, "failed", error)

    def _confirm_held(self) -> None:
        """Bare refusals no later acceptance confirmed: asked about (digest.deliver.held)."""
        if not self.held or self._stopping():
            return
        confirmed, self.held = confirm(self.held, self.messages, self.transport)
        for sub, error in confirmed:
            self._outcome(sub, "bounced", error)

    def _release_held(self) -> None:
        """The run ends with refusals nobody confirmed: they may be the relay's, so
        they are deferred to the next run, never bounced."""
        held, self.held = self.held, []
        for sub, error in held:
            self._outcome(sub, "failed", error)

    def _idle(self, seconds: float) -> None:
        """Wait a little: record what was sent first, and notice a pause while waiting."""
        self._record()
        time.sleep(min(seconds, 0.5))
        if time.monotonic() - self.status_read >= 1.0:
            self._check_status()

    def _attempt(self, sub: Subscriber, attempt: int, upcoming: Subscriber | None = None) -> None:
        """Hand `sub`'s message over; while the server takes it in, write the outcomes
        so far and build `upcoming`'s message (the next subscriber's)."""
        while (wait := self.limiter.delay()) > 0:
            if self._stopping():
                return  # left claimed: the next run sends it
            self._idle(wait)
        try:
            sender, data = self._message(sub)
        except DeliveryError as exc:  # bad data in the subscriber's row
            self._outcome(sub, "failed", str(exc))
            return
        self.unread += 1  # hand-overs since the status was read: read every `mark_every`
        if self.unread > self.options.mark_every or time.monotonic() - self.status_read > 0.2:
            self._check_status()
            if self._stopping():
                return  # left claimed: the next run sends it
        self.limiter.take()
        try:
            if not self.opened:
                self.transport.open()
                self.opened = True
            name, then = f"{self.edition_id}-{sub.id}", self._then(upcoming)
            self.transport.start(sender, sub.email, data, name=name, then=then)
            self.reconnect.connected()
            try:
                self._meanwhile(upcoming)
            except BaseException:  # the ledger failed: the run ends (message unrecorded)
                with contextlib.suppress(DeliveryError):
                    self.transport.finish()
                raise
            self.transport.finish()
        except TransportError as exc:
            heapq.heappush(self.retry, (0.0, -1, attempt, sub, str(exc)))  # not its fault
            self._pause(f"the transport cannot be used: {exc}", StopReason.TRANSPORT)
            return
        except Unreachable as exc:  # no connection: the same message waits (reconnect.py)
            if (again := self.reconnect.failed()) is None:  # left claimed: the next run's
                self._halt(self.reconnect.gave_up(str(exc), self.edition_id), StopReason.TRANSPORT)
            elif self._wait(again):
                self._attempt(sub, attempt, upcoming)
            return
        except Unsendable as exc:  # nothing sent; neither the address's fault nor the relay's
            self._outcome(sub, "unsendable", str(exc))
            return
        except DeliveryError as exc:
            self.reconnect.connected()
            self._failed(sub, attempt, exc)
            return
        self.failures = self.refusals = 0
        self._outcome(sub, "sent", None)
        # The server accepted a recipient after refusing the held ones: it does take
        # mail from us, so those refusals were about their addresses.
        held, self.held = self.held, []
        for refused, error in held:
            self._outcome(refused, "bounced", error)

    def _then(self, upcoming: Subscriber | None) -> Envelope | None:
        """The envelope of the message handed over next, when it surely is `upcoming`'s:
        the transport may send its commands with this message's end (one round trip
        a message). Not when a retry or the pace may come first; a wrong guess costs a
        new connection, never a message (its content goes only with its own start)."""
        if upcoming is None or self.retry or self.paced:
            return None
        try:
            return self.messages.sender(upcoming), upcoming.email
        except DeliveryError:
            return None

    def _message(self, sub: Subscriber) -> tuple[str, bytes]:
        """(envelope sender, bytes) of `sub`'s message: the one built ahead, if it is."""
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead[0] == sub.id:
            return ahead[1], ahead[2]
        return self.messages.build(sub)

    def _meanwhile(self, upcoming: Subscriber | None) -> None:
        """The work done while a message is on the wire: write the outcomes that must
        be in the ledger before the next hand-over, build the next message."""
        if len(self.pending) >= self.every - 1 or time.monotonic() - self.recorded > 1.0:
            self._record()
        if upcoming is not None:
            try:
                sender, data = self.messages.build(upcoming)
            except DeliveryError:
                return  # `_attempt` builds it again and records why it cannot be sent
            self.ahead = (upcoming.id, sender, data)

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
            self._pause(why, StopReason.FAILURES)
        elif exc.code is None:  # the connection failed: give the server a moment
            self._wait(self.retry_delay)

    def _wait(self, seconds: float) -> bool:
        """Wait, recording and watching for a pause meanwhile; False when stopping."""
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0 and not self._stopping():
            self._idle(left)
        return not self._stopping()

    def _pause(self, why: str, reason: StopReason) -> None:
        self._halt(
            f"edition {self.edition_id} paused after {why}. Fix the cause, then run "
            f"`digest send {self.edition_id}` to resume",
            reason,
        )

    def _halt(self, stopped: str, reason: StopReason) -> None:
        self.ledger.pause(self.clock())  # only a running send: a cancel meanwhile stands
        self.reason, self.stopped = reason, stopped

    def _outcome(self, sub: Subscriber, status: str, error: str | None) -> None:
        self.pending[sub.id] = (status, error)
        if status == "sent":
            self.ledger.sent(sub.id)
            self.summary.sent += 1
            self.counts[self.base + SENT] += 1
        elif status == "bounced":
            self.summary.bounced += 1
            self.counts[self.base + BOUNCED] += 1
        elif status == "unsendable":
            self.summary.failed += 1
            self.counts[self.base + FAILED] += 1
        else:
            self.summary.deferred += 1
            self.counts[self.base + DEFERRED] += 1
        if error:
            self.summary.note(error)
        if len(self.pending) >= self.every:
            self._record()
        if self.tick is not None:
            self.tick()

    def _record(self) -> None:
        """Write the pending outcomes in one transaction; it reports the edition's status."""
        if self.pending:
            status = self.ledger.mark(self.pending, self.clock())
            self.pending, self.recorded = {}, time.monotonic()  # kept when the write failed
            self._check_status(status)

    def _check_status(self, status: str | None = None) -> None:
        """Act on the edition's status as just read (None: read it now)."""
        self.status_read, self.unread = time.monotonic(), 0
        if status is None:
            status = self.ledger.status()
        if status in STOPPING and self.stopped is None:
            self.reason = StopReason(status)
            resume = f"run `digest send {self.edition_id}` to resume"
            then = resume if status == "paused" else "nobody else will get it"
            self.stopped = (
                f"edition {self.edition_id} was {status} while sending; what was sent is "
                f"recorded; {then}"
            )
