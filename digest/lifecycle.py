"""An edition's statuses, the changes allowed between them, and why a send stops.

One table (`CHANGES`) says which status may follow which; the CLI (pause, cancel), the
desk (cancel), the scheduler and the delivery engine all ask it (`allowed`, `sources`)
instead of listing statuses of their own. The enums are `StrEnum`s: a value is the
string stored in the database and compares equal to it. A leaf module: it imports
nothing of digest's and must not touch the store.
"""

from __future__ import annotations

from enum import StrEnum


class EditionStatus(StrEnum):
    DRAFT = "draft"  # built, editable at the desk
    APPROVED = "approved"  # goes out at its slot (or with `digest send`)
    SENDING = "sending"  # a send started and did not finish (or another zone is due)
    PAUSED = "paused"  # a send stopped: by hand, or by itself after too many failures
    SENT = "sent"  # nobody is due any more (local delivery: its last zone's send is past)
    SKIPPED = "skipped"  # its slot passed without it (the scheduler); `digest send` still can
    CANCELLED = "cancelled"  # never sent (again)


class Outcome(StrEnum):
    """What became of one message (a ledger row's final status)."""

    SENT = "sent"  # the server took it
    BOUNCED = "bounced"  # refused for its address: the subscriber is suppressed
    FAILED = "failed"  # not delivered in this run (transient): due again next run
    UNSENDABLE = "unsendable"  # the transport cannot carry it (EAI, no SMTPUTF8): not sent


class StopReason(StrEnum):
    """Why a run ended before everyone due was sent (`SendSummary.stop`)."""

    INTERRUPTED = "interrupted"  # a signal, a dead parent: resume with `digest send`
    LEASE_LOST = "lease-lost"  # another run took the edition over
    PAUSED = "paused"  # someone paused the edition while it was sending
    CANCELLED = "cancelled"  # someone cancelled it while it was sending
    FAILURES = "failures"  # too many failures in a row: the engine paused it
    TRANSPORT = "transport"  # the transport cannot work at all (login, sender refused)
    WORKER = "worker"  # a worker process failed or ended without a report


S = EditionStatus
#: status -> the statuses it may change to.
CHANGES: dict[EditionStatus, frozenset[EditionStatus]] = {
    S.DRAFT: frozenset({S.APPROVED, S.SENDING, S.PAUSED, S.SKIPPED, S.CANCELLED}),
    S.APPROVED: frozenset({S.DRAFT, S.SENDING, S.PAUSED, S.SKIPPED, S.CANCELLED}),
    S.SENDING: frozenset({S.SENDING, S.PAUSED, S.SENT, S.CANCELLED}),
    S.PAUSED: frozenset({S.SENDING, S.CANCELLED}),
    S.SKIPPED: frozenset({S.SENDING, S.PAUSED, S.CANCELLED}),
    S.SENT: frozenset({S.SENDING}),  # `digest send` again: subscribers who became due
    S.CANCELLED: frozenset(),
}
#: The statuses a running send stops for.
STOPPING = (S.PAUSED, S.CANCELLED)
#: The statuses whose edition is public in the archive (a send started).
STARTED = (S.SENDING, S.PAUSED, S.SENT)


def allowed(before: str, after: str) -> bool:
    """Whether an edition may go from `before` to `after`."""
    return EditionStatus(after) in CHANGES[EditionStatus(before)]


def sources(after: str) -> tuple[EditionStatus, ...]:
    """Every status from which an edition may change to `after` (for `expect=`)."""
    return tuple(s for s, nxt in CHANGES.items() if EditionStatus(after) in nxt)
