"""The scheduler's bookkeeping: who owns a claim, whether a claim left behind may be
taken over, and what each action's outcome was.

Every action is claimed first (a schedule_runs row, UNIQUE per list x slot x action);
the owner is `host:pid:token`, so a row left `running` by a process that died on this
host, or by a scheduler of this process that was closed, is stale and may be taken
over. :class:`Claimant` is the base of :class:`~digest.schedule.scheduler.Scheduler`:
it records and logs outcomes (:class:`Outcome`) and waits on another owner's run. It
decides nothing about what is due and performs no action.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from digest.config import ListSettings
from digest.deliver.lease import pid_alive

if TYPE_CHECKING:
    from digest.app import App
    from digest.store import Store
    from digest.store._schedule import ScheduleRun

log = logging.getLogger("digest.schedule")

Clock = Callable[[], datetime]
_HOST = socket.gethostname()
_LIVE: set[str] = set()  # owners (Scheduler instances) alive in this process


def delivery_zones(store: Store, lst: ListSettings) -> frozenset[str] | None:
    """Local delivery: the zones of the list's active subscribers (none given: the list's)."""
    if lst.delivery != "local":
        return None
    found = store.subscriber_zones(lst.name)
    return frozenset(z or lst.timezone for z in found) or frozenset({lst.timezone})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one tick did (or declined to do) for one list's slot; also logged."""

    list: str
    action: str  # collect, build, send
    slot: str
    status: str  # done, skipped, missed, failed, interrupted, paused
    detail: str = ""
    edition_id: int | None = None
    sent: int = 0
    unsent: int = 0  # copies this send recorded not sent (unsendable: no SMTPUTF8)


def new_owner() -> str:
    """A claim owner for a new scheduler, known alive in this process until retired."""
    owner = f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"
    _LIVE.add(owner)
    return owner


def retire(owner: str) -> None:
    """The owner's scheduler is closed: its claims left running are stale."""
    _LIVE.discard(owner)


class Claimant:
    """One owner of schedule claims: records outcomes, judges stale claims, waits."""

    app: App
    store: Store
    stop: threading.Event
    owner: str
    _notes: threading.local  # the outcomes of the tick running in this thread

    def _note(self, outcome: Outcome) -> Outcome:
        """Log an outcome and return it with the tick's."""
        warn = outcome.status in ("missed", "failed") or outcome.unsent
        level = logging.WARNING if warn else logging.INFO
        detail = f" ({outcome.detail})" if outcome.detail else ""
        log.log(
            level,
            "%s %s %s: %s%s",
            *(outcome.list, outcome.action, outcome.slot),
            outcome.status,
            detail,
        )
        getattr(self._notes, "out", []).append(outcome)
        return outcome

    def _finish(
        self,
        lst: ListSettings,
        slot: str,
        action: str,
        status: str,
        detail: str,
        now: datetime,
        **extra: Any,
    ) -> Outcome:
        """Record an owned action's outcome (and note it)."""
        self.store.finish_run(lst.name, slot, action, status, detail, now=now)
        return self._note(Outcome(lst.name, action, slot, status, detail, **extra))

    def _record(
        self, lst: ListSettings, slot: str, status: str, detail: str, now: datetime
    ) -> bool:
        """Record a send that will not happen, unless its slot already has a row."""
        if not self.store.record_run(lst.name, slot, "send", status, detail, now=now):
            return False
        self._note(Outcome(lst.name, "send", slot, status, detail))
        return True

    def _stale(self, row: ScheduleRun) -> bool:
        """May this row be taken over? Interrupted or failed, or its owner is gone."""
        if row.status in ("interrupted", "failed"):
            return True
        if row.status != "running" or not row.detail or row.detail.count(":") < 2:
            return False
        host, pid, _token = row.detail.rsplit(":", 2)
        if host != _HOST or not pid.isdigit():
            return False
        if int(pid) == os.getpid():
            return row.detail not in _LIVE
        return not pid_alive(int(pid))

    def _zones(self, lst: ListSettings) -> frozenset[str] | None:
        return delivery_zones(self.store, lst)

    def _wait_for(self, list_name: str, key: str, action: str) -> None:
        """Wait (up to ten minutes, or a stop) while another owner runs this action."""
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not self.stop.is_set():
            row = self.store.schedule_run(list_name, key, action)
            if row is None or row.status != "running" or self._stale(row):
                return
            time.sleep(0.1)
