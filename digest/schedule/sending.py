"""Sending what is due: the slots a schedule calls for now, sends left open, and the
reasons an edition is not sent; each send claimed, watched for a stop, and recorded.

- **Approval.** `approval = "auto"` sends the slot's edition; `"required"` sends it only
  if an editor approved it (`digest approve ID`) by its send time, else records
  `skipped` with the reason, marks the edition skipped and sends nothing.
- **Too few stories.** An edition emptied at the desk after it was built is not sent
  (:mod:`digest.gate`); the slot is recorded `skipped`, with the reason.
- **Old news.** The first send of an edition built longer ago than `[edition]
  max_age_hours` (say a weekly list built days ahead for review) is not made: nobody
  asked for old news. The slot is recorded `skipped` with the edition's age and the
  ways on (`digest build`, `digest send ID --send-stale`), and the edition is marked
  skipped. A send with copies in the ledger already (a resumed one, a later zone's) goes on.
- **Copies not sent.** Copies the relay could not carry (`unsendable`: no SMTPUTF8)
  leave the slot's send `done` (never sent or retried again by the scheduler); its
  record says how many, why, to whom and that `digest send ID --retry-unsendable`
  sends them, and `digest run --once` exits 1.
- **Stopping.** A stop request lets the running batch finish: the edition being sent is
  flipped to `paused` (send_edition's workers stop at their next mark, every outcome kept),
  the slot is recorded `interrupted`, and the next tick, in this process or another,
  resumes it within the grace window. A send whose owner died (same host, process gone)
  is resumed the same way; a `failed` send is retried on each tick within the grace.

Must not: send anything it has not claimed, or decide which slots are due itself
(:mod:`digest.schedule.events` does).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from digest.codec import iso
from digest.config import ListSettings
from digest.gate import refusal, repeat_ways_on, repeats, stale, ways_on
from digest.lifecycle import EditionStatus, StopReason
from digest.schedule.claims import Clock, Outcome
from digest.schedule.events import (
    SendEvent,
    _minutes_text,
    due_slots,
    last_send_time,
    send_events,
    send_time,
)
from digest.schedule.preparing import Preparing

if TYPE_CHECKING:
    from digest.store import Store
    from digest.store._editions import EditionInfo
    from digest.store._schedule import ScheduleRun

#: An edition's sends (one a zone, some moved by `send_window`) all fall within this of
#: one another: the zones span 26 hours, and a window moves a send by less than a day.
_LAST_SEND_WITHIN = timedelta(days=3)

#: Why a send stopped that is a fault, not someone's decision.
_FAULTS = (StopReason.FAILURES, StopReason.TRANSPORT, StopReason.WORKER)

log = logging.getLogger("digest.schedule")


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


class Sending(Preparing):
    """Send what is due and resume what was left, for
    :class:`~digest.schedule.scheduler.Scheduler`."""

    clock: Clock | None
    batch: int

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
            if self._record(lst, event.key, "missed", reason, now):
                if lst.delivery != "local":
                    self._skip_edition(lst, event.edition_key, now)
                else:
                    self._close_local(lst, event.edition_key, event.at, now)
        for event in due.run:
            if self.stop.is_set():
                return
            self._merged(lst, event, now)
            if self.store.claim_run(lst.name, event.key, "send", owner=self.owner, now=now):
                self._deliver(lst, event, now, resumed=False)
        self._skip_stranded(lst, now, grace)

    def _skip_stranded(self, lst: ListSettings, now: datetime, grace: timedelta) -> None:
        """Skip the editions built for a slot whose time passed beyond the grace window
        with no send calling for them: the schedule changed after they were built (an
        edited `schedule`, or the upgrade that reads its day of the week as cron does).
        A slot that is missed skips its edition (above); these are no slot's any more,
        and would hold their stories ("waiting in another edition") from every later
        edition. `digest send ID` still sends one (with `--send-stale` when it is old
        news by then, as the note says; or `digest build` makes a fresh one). Both
        deliveries: a local one's edition is let go once its last zone's send time is
        past the grace window (a zone whose own slot was missed is no reason, as later
        zones still send it)."""
        zones = self._zones(lst)
        for info in self.store.editions_with_status(("draft", "approved"), lst.name):
            if info.slot is None or now - last_send_time(lst, info.slot, zones) <= grace:
                continue
            if self.store.set_edition_status(info.id, "skipped", now=now, expect=(info.status,)):
                old = self._stale_first_send(info, now)
                way = (
                    f"`digest send {info.id}` sends it"
                    if old is None
                    else f"{old}, so a plain `digest send {info.id}` is refused: {ways_on(info.id)}"
                )
                why = (
                    f"edition {info.id} ({info.status}) skipped: no send of the schedule "
                    f"{lst.schedule!r} calls for its slot any more (the schedule changed "
                    f"after it was built, or nothing ran for days); {way}"
                )
                self._note(Outcome(lst.name, "send", info.slot, "missed", why, info.id))

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

    def _close_local(
        self, lst: ListSettings, edition_key: str, at: datetime, now: datetime
    ) -> None:
        """Local delivery: once the send at `at` (sent or missed) is the edition's last,
        the edition is sent, even if someone is still due (a zone whose slot was missed,
        a reader who joined after their morning); `digest send ID` delivers to them.
        Before, such an edition stayed "sending" for good."""
        later = send_events(lst, at, at + _LAST_SEND_WITHIN, self._zones(lst))
        if any(e.edition_key == edition_key for e in later):
            return
        found = self.store.edition_for_slot(lst.name, edition_key)
        if found is not None and found.status == EditionStatus.SENDING:
            self.store.set_edition_status(
                found.id, EditionStatus.SENT, now=now, expect=(EditionStatus.SENDING,)
            )

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
        if lst.delivery == "local":
            self._close_local(lst, row.slot.split("@", 1)[-1], send_time(lst, row.slot), now)

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
        if (old := self._old_news(edition, now)) is not None:
            self._skip_edition(lst, event.edition_key, now)  # later zones: older still
            self._finish(lst, event.key, "send", "skipped", old, now, edition_id=edition.id)
            return
        if (again := self._repeats(edition)) is not None:
            self._skip_edition(lst, event.edition_key, now)  # its readers have its stories
            self._finish(lst, event.key, "send", "skipped", again, now, edition_id=edition.id)
            return
        self._send(lst, event, edition, now)

    def _repeats(self, edition: EditionInfo) -> str | None:
        """Why the scheduler must not make the first send of this edition: stories in it
        went out to the list in another edition (an edition sent by hand since this one
        was built; see digest.gate.repeats). None: it may. A send with copies in the
        ledger already goes on, like `digest send`."""
        if self.store.ledger(edition.id):
            return None
        full = self.store.edition(edition.id)
        note = repeats(full, self.store.sent_by(edition.list, but=edition.id))
        if note is None:
            return None
        return f"{note}; not sent: {repeat_ways_on(full)}"

    def _stale_first_send(self, edition: EditionInfo, now: datetime) -> str | None:
        """Why a send of this edition at `now` would be refused as old news: a first
        send of an edition built longer ago than `[edition] max_age_hours` (None: it
        would not be; a send with copies in the ledger already goes on, like `digest
        send`)."""
        max_age = self.app.settings.edition.max_age_hours
        note = stale(edition.id, edition.built_for, max_age, now)
        if note is None or self.store.ledger(edition.id):
            return None
        return note

    def _old_news(self, edition: EditionInfo, now: datetime) -> str | None:
        """Why the scheduler must not make the first send of this edition at `now`
        (:meth:`_stale_first_send`), with the ways on; None: it may."""
        note = self._stale_first_send(edition, now)
        if note is None:
            return None
        return f"{note}; not sent (nobody asked for old news): {ways_on(edition.id)}"

    def _send(
        self, lst: ListSettings, event: SendEvent, edition: EditionInfo, now: datetime
    ) -> None:
        from digest.deliver.run import SendOptions, send_edition
        from digest.deliver.unsent import SHOWN, unsent_note
        from digest.images import unhosted_warning

        mode = self.app.settings.newsletter.images
        if warning := unhosted_warning(self.store.edition(edition.id), mode):
            log.warning("%s: %s", lst.name, warning)
        options = SendOptions(batch=self.batch, timezones=event.zones)
        clock = self.clock or (lambda: now)
        watch = _Watch(self.store, self.stop, edition.id, clock)
        watcher = threading.Thread(target=watch, name=f"stop-watch-{edition.id}", daemon=True)
        watcher.start()
        zones = f" in {', '.join(sorted(event.zones))}" if event.zones else ""
        extra: dict[str, Any] = {"edition_id": edition.id}
        began = clock()
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
        failed = f"failed {summary.failed}, " if summary.failed else ""
        counts = (
            f"sent {summary.sent}, bounced {summary.bounced}, deferred {summary.deferred}, "
            f"{failed}already delivered {summary.skipped}"
        )
        if summary.failed:  # the slot is done all the same: `digest send` sends them
            # Named: this run's (claimed since it began), else (workers whose clock is
            # not the scheduler's) the edition's.
            listed = self.store.unsent(edition.id, limit=SHOWN, since=began)[1]
            listed = listed or self.store.unsent(edition.id, limit=SHOWN)[1]
            extra["unsent"] = summary.failed
            counts += "; " + unsent_note(edition.id, summary.failed, listed, named=False)
        if summary.paused is None:
            detail = f"edition {edition.id}{zones}: {counts}"
            if event.postponed:
                detail += f"; postponed from {iso(event.slot)} by send_window"
            self._finish(lst, event.key, "send", "done", detail, now, **extra)
            if lst.delivery == "local":
                self._close_local(lst, event.edition_key, event.at, now)
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
        # A fault (failures in a row, a transport that cannot work, a worker that died)
        # is "failed": `digest run --once` exits 1 for it, and the next tick within the
        # grace window resumes the send. An editor's pause or cancel is not resumed.
        status = "failed" if summary.stop in _FAULTS else "paused"
        detail = f"edition {edition.id}{zones}: {summary.paused} ({counts})"
        self._finish(lst, event.key, "send", status, detail, now, **extra)
