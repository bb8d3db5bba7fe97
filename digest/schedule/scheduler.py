"""The doing half of the scheduler: one tick performs what each list's schedule calls for.

Job: `Scheduler.tick(now)` (and `tick_list`) resumes sends left open, sends what is due
(:mod:`digest.schedule.events` decides which), builds editions ahead and collects the
sources, through the App, claiming every action in the database first (a schedule_runs
row, UNIQUE per list x slot x action): however many threads or processes fire, one
inserts the row and acts, the others move on. Each outcome is recorded and logged.
Must not: send anything it has not claimed, read the clock for its decisions (`now` is
passed in; `clock` only stamps the ledger and messages), or decide what is due itself;
nor install signal handlers or start APScheduler (that is :mod:`digest.schedule.runner`).

- **Approval.** `approval = "auto"` sends the slot's edition; `"required"` sends it only
  if an editor approved it (`digest approve ID`) by its send time, else records
  `skipped` with the reason, marks the edition skipped and sends nothing.
- **Too few stories.** A build that leaves no story stores no edition; one with fewer
  than `[edition] min_stories` stories (all of them new: ranking leaves out what earlier
  editions carried) is marked skipped when built; an edition emptied at the desk after
  that is not sent either (:mod:`digest.gate`). The slot is recorded `skipped`, with
  the build's one-line summary of what it kept and dropped, and why.
- **Build and collect.** The edition is built `build_ahead_minutes` before its first send
  (or at the send, if that was missed); sources are collected every
  `collect_every_minutes` (one claim per period for the whole project); a build first
  makes sure the current period's collect has run.
- **Stopping.** A stop request lets the running batch finish: the edition being sent is
  flipped to `paused` (send_edition's workers stop at their next mark, every outcome kept),
  the slot is recorded `interrupted`, and the next tick, in this process or another,
  resumes it within the grace window. A send whose owner died (same host, process gone)
  is resumed the same way; a `failed` send is retried on each tick within the grace.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from digest.codec import iso
from digest.config import ListSettings
from digest.deliver.lease import pid_alive
from digest.gate import refusal
from digest.lifecycle import EditionStatus, StopReason
from digest.schedule.events import (
    SendEvent,
    _minutes_text,
    due_slots,
    send_events,
    send_time,
)

if TYPE_CHECKING:
    from digest.app import App
    from digest.store import Store
    from digest.store._editions import EditionInfo
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


@dataclass
class _Watch:
    """Flips an edition to paused when a stop is requested during its send."""

    store: Store
    stop: threading.Event
    edition_id: int
    clock: Clock
    done: threading.Event = field(default_factory=threading.Event)
    paused: bool = False

    def __call__(self) -> None:
        while not self.done.wait(0.05):
            if self.stop.is_set() and self.store.set_edition_status(
                self.edition_id,
                EditionStatus.PAUSED,
                now=self.clock(),
                expect=(EditionStatus.SENDING,),
            ):
                self.paused = True
                log.info("stop requested: edition %s pauses after its batch", self.edition_id)
                return


class Scheduler:
    """Performs, for each list, what its schedule calls for at `now` (see `tick`).

    `clock` stamps the ledger and the messages while sending (default: the tick's
    `now`); `stop` is the cooperative stop flag (set by `digest run` on SIGTERM).
    """

    def __init__(
        self,
        app: App,
        *,
        clock: Clock | None = None,
        stop: threading.Event | None = None,
        batch: int = 20,
    ) -> None:
        self.app = app
        self.store = app.store
        self.clock = clock
        self.stop = threading.Event() if stop is None else stop
        self.batch = batch
        self.owner = f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"
        self._locks = {lst.name: threading.Lock() for lst in app.settings.lists}
        self._notes = threading.local()  # the outcomes of the tick running in this thread
        _LIVE.add(self.owner)

    def close(self) -> None:
        _LIVE.discard(self.owner)

    # -- ticks ---------------------------------------------------------------------
    def tick(self, now: datetime) -> list[Outcome]:
        """Everything due at `now`, for every list."""
        out: list[Outcome] = []
        for lst in self.app.settings.lists:
            out += self.tick_list(lst.name, now)
        return out

    def tick_list(self, name: str, now: datetime) -> list[Outcome]:
        """Resume sends left open, send what is due, build ahead, collect if due."""
        lst = self.app.settings.list(name)
        out: list[Outcome] = []
        self._notes.out = out
        with self._locks[name]:
            for step in (
                self._resume,
                self._send_due,
                self._build_ahead,
                self._collect,
                self._bounces,
            ):
                if self.stop.is_set():
                    break
                step(lst, now)
        return list(out)

    def _note(self, outcome: Outcome) -> Outcome:
        """Log an outcome and return it with the tick's."""
        level = logging.WARNING if outcome.status in ("missed", "failed") else logging.INFO
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

    # -- collect -------------------------------------------------------------------
    def _collect(self, lst: ListSettings, now: datetime) -> None:
        self._collect_period(now, wait=False)

    def _collect_period(self, now: datetime, *, wait: bool) -> None:
        """Collect once per period for the whole project (sources are shared by the lists).

        The claim is kept under the first list; of several lists, threads or processes
        one collects and the others (with `wait`, a build about to rank) wait for it.
        """
        lists = self.app.settings.lists
        first = lists[0]
        every = min(x.collect_every_minutes for x in lists) * 60
        key = iso(datetime.fromtimestamp(now.timestamp() // every * every, UTC))
        assert key is not None
        if not self.store.claim_run(
            first.name, key, "collect", owner=self.owner, now=now, stale=self._stale
        ):
            if wait:
                self._wait_for(first.name, key, "collect")
            return
        try:
            reports = self.app.collect(now=now)
        except Exception as exc:
            log.exception("collect failed")
            self._finish(first, key, "collect", "failed", str(exc), now)
            return
        errors = [f"{r.name}: {r.error}" for r in reports if r.error]
        detail = f"{len(reports)} sources, {sum(r.new for r in reports)} new articles"
        detail += f"; errors: {'; '.join(errors)}" if errors else ""
        self._finish(first, key, "collect", "done", detail, now)

    # -- bounces -------------------------------------------------------------------
    def _bounces(self, lst: ListSettings, now: datetime) -> None:
        """Read the bounce mailbox once per `[bounces] poll_minutes` for the project.

        Claimed like a collect (under the first list), so of several schedulers one reads;
        reading is idempotent anyway (each report is stored once).
        """
        settings = self.app.settings.bounces
        if not settings.mailbox or not settings.poll_minutes:
            return
        from digest.bounces import process_mailbox

        first = self.app.settings.lists[0]
        every = settings.poll_minutes * 60
        key = iso(datetime.fromtimestamp(now.timestamp() // every * every, UTC))
        assert key is not None
        if not self.store.claim_run(
            first.name, key, "bounces", owner=self.owner, now=now, stale=self._stale
        ):
            return
        try:
            run = process_mailbox(self.store, settings, keys=self.app.verp_keys(), now=now)
        except Exception as exc:  # a mailbox that cannot be read is reported, not fatal
            log.warning("bounce mailbox: %s", exc)
            self._finish(first, key, "bounces", "failed", str(exc), now)
            return
        d = run.as_dict()
        detail = (
            f"{d['read']} read: {d['hard']} hard, {d['soft']} soft, {d['complaints']} "
            f"complaints; {d['suppressed']} suppressed, {d['unverified']} unverified"
        )
        self._finish(first, key, "bounces", "done", detail, now)

    # -- build ---------------------------------------------------------------------
    def _build_ahead(self, lst: ListSettings, now: datetime) -> None:
        ahead = timedelta(minutes=lst.build_ahead_minutes)
        keys = dict.fromkeys(
            e.edition_key for e in send_events(lst, now, now + ahead, self._zones(lst))
        )
        for key in keys:
            if self.stop.is_set():
                return
            if self.store.edition_for_slot(lst.name, key) is None:
                self._build(lst, key, now)

    def _build(self, lst: ListSettings, key: str, now: datetime) -> EditionInfo | None:
        """Collect and rank the slot's edition, if this caller wins the build claim."""
        from sqlalchemy.exc import IntegrityError

        if not self.store.claim_run(
            lst.name, key, "build", owner=self.owner, now=now, stale=self._stale
        ):
            return None
        try:
            self._collect_period(now, wait=True)  # fresh articles, collected once
            built = self.app.draft(list_name=lst.name, now=now, slot=key)
        except IntegrityError:  # built meanwhile by someone who did not claim it
            found = self.store.edition_for_slot(lst.name, key)
            detail = f"edition {found.id} was already built" if found else "already built"
            self._finish(lst, key, "build", "done", detail, now)
            return found
        except Exception as exc:
            log.exception("%s: build for %s failed", lst.name, key)
            self._finish(lst, key, "build", "failed", str(exc), now)
            return None
        edition = built.edition
        if edition is None:  # no story left: nothing stored, and nothing will be sent
            detail = f"{built.summary()}; nothing will be sent"
            self._finish(lst, key, "build", "skipped", detail, now)
            return None
        assert edition.id is not None
        why = built.refusal
        if why is not None:
            self.store.set_edition_status(edition.id, "skipped", now=now)
            detail = f"{why}; nothing will be sent ({built.summary()})"
            self._finish(lst, key, "build", "skipped", detail, now, edition_id=edition.id)
        else:
            detail = built.summary()
            if lst.approval == "required":
                detail += f"; awaiting approval (digest approve {edition.id})"
            self._finish(lst, key, "build", "done", detail, now, edition_id=edition.id)
        return self.store.edition_info(edition.id)

    def _edition(self, lst: ListSettings, key: str, now: datetime) -> EditionInfo | None:
        """The slot's edition: stored, built now, or built by another process (waited for)."""
        found = self.store.edition_for_slot(lst.name, key)
        if found is not None:
            return found
        edition = self._build(lst, key, now)
        if edition is not None:
            return edition
        self._wait_for(lst.name, key, "build")
        return self.store.edition_for_slot(lst.name, key)

    # -- send ----------------------------------------------------------------------
    def _send_due(self, lst: ListSettings, now: datetime) -> None:
        zones = self._zones(lst)
        # Since the last send recorded; with none yet, since the scheduler first ran here
        # (slots before that were nobody's to miss), or the grace window if that is longer.
        grace = timedelta(minutes=lst.grace_minutes)
        last = self.store.last_slot(lst.name, "send")
        first = self.store.first_run_at()
        last_at = send_time(lst, last) if last else min(first or now, now - grace)
        due = due_slots(lst, last_at, now, grace, zones)
        for event, reason in due.missed:
            self._merged(lst, event, now)
            if self._record(lst, event.key, "missed", reason, now) and lst.delivery != "local":
                self._skip_edition(lst, event.edition_key, now)
        for event in due.run:
            if self.stop.is_set():
                return
            self._merged(lst, event, now)
            if self.store.claim_run(lst.name, event.key, "send", owner=self.owner, now=now):
                self._deliver(lst, event, now, resumed=False)

    def _merged(self, lst: ListSettings, event: SendEvent, now: datetime) -> None:
        for key in event.merged:
            detail = (
                f"postponed by send_window {lst.send_window!r} to {iso(event.at)} "
                f"and merged into the later slot {event.key}"
            )
            self._record(lst, key, "skipped", detail, now)

    def _skip_edition(self, lst: ListSettings, key: str, now: datetime) -> None:
        found = self.store.edition_for_slot(lst.name, key)
        if found is not None and found.status in ("draft", "approved"):
            self.store.set_edition_status(found.id, "skipped", now=now)

    def _resume(self, lst: ListSettings, now: datetime) -> None:
        """Sends left interrupted, failed, or open by a dead process: resume within grace."""
        rows = self.store.schedule_runs(
            lst.name, action="send", statuses=("running", "interrupted", "failed")
        )
        grace = timedelta(minutes=lst.grace_minutes)
        for row in sorted(rows, key=lambda r: r.slot):
            if self.stop.is_set() or not self._stale(row):
                continue
            at = send_time(lst, row.slot)
            if now - at > grace:
                self._give_up(lst, row, now, now - at)
                continue
            event = next(
                (
                    e
                    for e in send_events(lst, at - timedelta(seconds=1), at, self._zones(lst))
                    if e.key == row.slot
                ),
                None,
            )
            if event is None:
                continue  # the schedule changed; nothing calls for this send any more
            if self.store.claim_run(
                lst.name, row.slot, "send", owner=self.owner, now=now, stale=self._stale
            ):
                log.info("%s send %s: resuming (was %s)", lst.name, row.slot, row.status)
                self._deliver(lst, event, now, resumed=True)

    def _give_up(self, lst: ListSettings, row: ScheduleRun, now: datetime, late: timedelta) -> None:
        """An open send found beyond the grace window: record it missed (the rest unsent)."""
        if not self.store.claim_run(
            lst.name, row.slot, "send", owner=self.owner, now=now, stale=self._stale
        ):
            return
        detail = (
            f"left {row.status} ({row.detail}); not resumed: {_minutes_text(late)} late, "
            f"beyond the grace window (grace_minutes = {lst.grace_minutes})"
        )
        found = self.store.edition_for_slot(lst.name, row.slot.split("@", 1)[-1])
        if found is not None:
            detail += f"; digest send {found.id} delivers the rest"
            if lst.delivery == "local" and found.status == "paused":
                # Other zones' sends of this edition still go at their own slots.
                self.store.set_edition_status(found.id, "sending", now=now)
        self._finish(lst, row.slot, "send", "missed", detail, now)

    def _refusal(
        self, lst: ListSettings, event: SendEvent, edition: EditionInfo, resumed: bool
    ) -> str | None:
        """Why this edition must not be sent for this event, or None."""
        eid = edition.id
        if edition.status == "skipped":
            row = self.store.schedule_run(lst.name, event.edition_key, "build")
            why = row.detail if row is not None and row.status == "skipped" else "by an editor"
            return f"edition {eid} was skipped: {why}"
        if edition.status == "cancelled":
            return f"edition {eid} was cancelled by an editor"
        if edition.status == "paused" and not resumed:
            return f"edition {eid} is paused by an editor (digest send {eid} resumes it)"
        if lst.approval == "required" and edition.approved_at is None:
            return (
                f"approval required: edition {eid} was not approved by {iso(event.at)} "
                f"(digest approve {eid})"
            )
        short = refusal(eid, edition.stories, self.app.settings.edition.min_stories)
        if short is not None:  # changed at the desk after it was built
            return f"{short}; nothing was sent"
        if lst.delivery != "local" and not resumed:
            if edition.status == "sent":
                return f"edition {eid} was already sent (digest send)"
            if edition.status == "sending":
                return f"edition {eid} is already being sent (digest send)"
        return None

    def _deliver(
        self, lst: ListSettings, event: SendEvent, now: datetime, *, resumed: bool
    ) -> None:
        """Send the event's edition (this caller owns the send claim)."""
        edition = self.store.edition_for_slot(lst.name, event.edition_key)
        if edition is None and lst.approval == "required":
            why = "approval required: no edition was built for this slot, so none was approved"
            self._finish(lst, event.key, "send", "skipped", why, now)
            return
        if edition is None:
            edition = self._edition(lst, event.edition_key, now)
        if edition is None:
            if self.stop.is_set():  # stopped while waiting: give the claim back
                self.store.release_run(lst.name, event.key, "send", owner=self.owner)
                return
            row = self.store.schedule_run(lst.name, event.edition_key, "build")
            why = f"no edition for this slot ({row.detail if row is not None else 'no build'})"
            status = "skipped" if row is not None and row.status == "skipped" else "failed"
            self._finish(lst, event.key, "send", status, why, now)
            return
        refusal = self._refusal(lst, event, edition, resumed)
        if refusal is not None:
            if lst.delivery != "local" and refusal.startswith("approval required"):
                self._skip_edition(lst, event.edition_key, now)
            self._finish(lst, event.key, "send", "skipped", refusal, now, edition_id=edition.id)
            return
        self._send(lst, event, edition, now)

    def _send(
        self, lst: ListSettings, event: SendEvent, edition: EditionInfo, now: datetime
    ) -> None:
        from digest.deliver.run import SendOptions, send_edition

        options = SendOptions(batch=self.batch, timezones=event.zones)
        clock = self.clock or (lambda: now)
        watch = _Watch(self.store, self.stop, edition.id, clock)
        watcher = threading.Thread(target=watch, name=f"stop-watch-{edition.id}", daemon=True)
        watcher.start()
        zones = f" in {', '.join(sorted(event.zones))}" if event.zones else ""
        extra: dict[str, Any] = {"edition_id": edition.id}
        try:
            summary = send_edition(self.app, edition.id, options=options, clock=clock)
        except Exception as exc:
            log.exception("%s: sending edition %s failed", lst.name, edition.id)
            why = f"edition {edition.id}: {exc} (retried within the grace window)"
            self._finish(lst, event.key, "send", "failed", why, now, **extra)
            return
        finally:
            watch.done.set()
            watcher.join()
        extra["sent"] = summary.sent
        counts = (
            f"sent {summary.sent}, bounced {summary.bounced}, deferred {summary.deferred}, "
            f"already delivered {summary.skipped}"
        )
        if summary.paused is None:
            detail = f"edition {edition.id}{zones}: {counts}"
            if event.postponed:
                detail += f"; postponed from {iso(event.slot)} by send_window"
            self._finish(lst, event.key, "send", "done", detail, now, **extra)
            return
        others = self.store.schedule_runs(lst.name, action="send", statuses=("interrupted",))
        if (
            watch.paused
            or self.stop.is_set()
            or summary.stop in (StopReason.INTERRUPTED, StopReason.LEASE_LOST)
            or any(r.slot.split("@", 1)[-1] == event.edition_key for r in others)
        ):
            # Our own stop, or (local delivery) another process's stop paused the edition.
            detail = (
                f"edition {edition.id}{zones}: stopped after its batch ({counts}); "
                "resumes on the next run within the grace window"
            )
            self._finish(lst, event.key, "send", "interrupted", detail, now, **extra)
            return
        status = "failed" if summary.stop is StopReason.FAILURES else "paused"
        detail = f"edition {edition.id}{zones}: {summary.paused} ({counts})"
        self._finish(lst, event.key, "send", status, detail, now, **extra)
