"""What the delivery engine needs and gives: narrow interfaces and plain records.

The engine (:mod:`digest.deliver.engine`) sees the database only through
:class:`Ledger` and the messages only through :class:`MessageSource`; the real ones are
built from the App by :mod:`digest.deliver.wiring`, tests may pass their own. This
module holds no logic beyond the records' own bookkeeping and imports no part of the
engine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from digest.lifecycle import StopReason
from digest.records import Subscriber

Clock = Callable[[], datetime]
Progress = Callable[[dict[str, int]], None]
#: Claims ledger rows before hand-over: (subscriber ids, now) -> the ids claimed.
Claim = Callable[[list[int], datetime], set[int]]
#: Counter slots per worker (shared memory when workers are processes).
SENT, BOUNCED, DEFERRED, FAILED = 0, 1, 2, 3
SLOTS = 4


class Ledger(Protocol):
    """One edition's ledger as one worker uses it."""

    def due(self, *, after_id: int, limit: int) -> list[Subscriber]:
        """The next due subscribers of this worker's share, by id, after `after_id`."""
        ...

    @property
    def journaled(self) -> bool:
        """Whether `sent` keeps each accepted message safe at once (a journal), so that
        outcomes may go to `mark` less often without a kill costing duplicates."""
        ...

    def sent(self, subscriber_id: int) -> None:
        """The server accepted this subscriber's message (called before `mark` has it)."""
        ...

    def claim(self, subscriber_ids: list[int], now: datetime) -> set[int]:
        """Claim rows before their messages are handed over (applying what killed
        workers journaled first); the ids this worker may send."""
        ...

    def mark(self, outcomes: Mapping[int, tuple[str, str | None]], now: datetime) -> str:
        """Record outcomes in one transaction (any thread); the edition's status."""
        ...

    def status(self) -> str:
        """The edition's status now."""
        ...

    def pause(self, now: datetime) -> bool:
        """Pause the edition if it is sending (a cancel meanwhile stands)."""
        ...

    def sent_since(self, since: datetime, *, limit: int) -> list[datetime]:
        """When the most recent messages (of any edition) were sent: the hourly quota."""
        ...

    def close(self) -> None: ...


class MessageSource(Protocol):
    """The finished messages of one edition."""

    def build(self, subscriber: Subscriber) -> tuple[str, bytes]:
        """(envelope sender, message bytes) for `subscriber`; DeliveryError for bad data."""
        ...

    def sender(self, subscriber: Subscriber) -> str:
        """The envelope sender `build` gives `subscriber`, without building the message."""
        ...


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How one run of a send behaves. `None` takes the value from `[transport]`."""

    workers: int = 1  # processes, each with its own connection; 1 = in this process
    dry_run: bool = False  # build every message, send none, change nothing
    batch: int = 200  # subscribers fetched and claimed per transaction
    mark_every: int = 2  # the edition's status read at least this often (a pause)
    retries: int | None = None  # transient failures retried per message, with back-off
    retry_delay: float | None = None  # seconds before the first retry, then doubled
    max_consecutive_failures: int | None = None  # then the send pauses itself
    #: Local-time delivery: when set, only subscribers whose time zone is in this set
    #: are due in this run; a subscriber without a time zone counts as being in the
    #: list's time zone (`[[lists]] timezone`). The edition is marked sent only once
    #: nobody in any zone is due; until then it stays "sending".
    timezones: frozenset[str] | None = None
    #: `digest send --retry-unsendable`: when the run began. Copies recorded
    #: `unsendable` (an address that needs SMTPUTF8, a relay without it) and last tried
    #: before then are due again in this run, each once; None: they stay done.
    retry_unsendable: datetime | None = None
    #: `digest send --send-stale`: a first send of an edition built longer ago than
    #: `[edition] max_age_hours` goes ahead (without it, it is refused: old news).
    send_stale: bool = False


@dataclass(slots=True)
class SendSummary:
    """What one run did. `paused` says why it stopped early (None: it ran to the end),
    `stop` the same as a :class:`StopReason`."""

    sent: int = 0
    bounced: int = 0
    deferred: int = 0  # not delivered in this run (transient failures); retried next run
    failed: int = 0  # not sent (unsendable): no SMTPUTF8 for an EAI address; see retry_unsendable
    skipped: int = 0  # already sent or bounced before this run
    planned: int = 0  # --dry-run: messages that would be sent
    remaining: int = 0  # still due after this run
    paused: str | None = None  # why, in words (shown to the operator)
    stop: StopReason | None = None  # why, as a value (the scheduler acts on it)
    errors: list[str] = field(default_factory=list)

    MAX_ERRORS = 50

    def note(self, error: str) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append(error)

    def add(self, other: SendSummary) -> None:
        self.sent += other.sent
        self.bounced += other.bounced
        self.deferred += other.deferred
        self.failed += other.failed
        self.planned += other.planned
        for error in other.errors:
            self.note(error)
        if self.paused is None and other.paused is not None:
            self.paused, self.stop = other.paused, other.stop


class Stop:
    """Why a worker should stop at the next message boundary (a signal, a dead parent)."""

    #: Seconds between looks at the parent process (a system call: the engine asks
    #: twice a message).
    LOOK = 0.05

    def __init__(self, parent: int | None = None) -> None:
        self.reason: str | None = None
        self._parent = parent
        self._looked = 0.0

    def set(self, reason: str) -> None:
        """Stop at the next message boundary (the first reason stands)."""
        if self.reason is None:
            self.reason = reason

    def check(self) -> str | None:
        if self.reason is None and self._parent is not None:
            now = time.monotonic()
            if now - self._looked >= self.LOOK:
                self._looked = now
                if os.getppid() != self._parent:
                    self.reason = "the sending process that started this worker died"
        return self.reason


#: `SendOptions()`, for argument defaults.
DEFAULT_OPTIONS = SendOptions()
