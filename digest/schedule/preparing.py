"""What comes before a send: collecting the sources, reading the bounce mailbox, and
building each slot's edition ahead of its send, each claimed before it is done.

- **Build and collect.** The edition is built `build_ahead_minutes` before its first send
  (or at the send, if that was missed); sources are collected every
  `collect_every_minutes` (one claim per period for the whole project); a build first
  makes sure the current period's collect has run.
- **Too few stories.** A build that leaves no story stores no edition; one with fewer
  than `[edition] min_stories` stories (all of them new: ranking leaves out what earlier
  editions carried) is marked skipped when built, with the build's one-line summary of
  what it kept and dropped, and why.
- **Bounces.** The mailbox is read once per `[bounces] poll_minutes` for the project.
- **Retention.** Old articles' bodies are emptied (`[database] keep_days`) once a UTC
  day for the project, on the day's first tick, after what that tick sends and builds.

Must not: send, or decide which slots are due (:mod:`digest.schedule.events` does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from digest.codec import iso
from digest.config import ListSettings
from digest.schedule.claims import Claimant
from digest.schedule.events import send_events

if TYPE_CHECKING:
    from digest.store._editions import EditionInfo

log = logging.getLogger("digest.schedule")
T = TypeVar("T")


def _named(name: str, error: str) -> str:
    """The error with the source's name in front, once (a fetch's error names it)."""
    return error if error.startswith(f"{name}: ") else f"{name}: {error}"


class Preparing(Claimant):
    """Collect, read bounces and build, for :class:`~digest.schedule.scheduler.Scheduler`."""

    def _collect(self, lst: ListSettings, now: datetime) -> None:
        self._collect_period(now, wait=False)

    def _claimed(
        self,
        first: ListSettings,
        key: str,
        action: str,
        job: Callable[[], T],
        now: datetime,
        wait: bool,
    ) -> T | None:
        """Do the project's `action` for `key` if this scheduler claims it (the claim is
        kept under the first list); None when another has it (waited for, with `wait`)
        or when `job` failed (recorded as failed, with the error)."""
        if not self.store.claim_run(
            first.name, key, action, owner=self.owner, now=now, stale=self._stale
        ):
            if wait:
                self._wait_for(first.name, key, action)
            return None
        try:
            return job()
        except Exception as exc:
            log.exception("%s failed", action)
            self._finish(first, key, action, "failed", str(exc), now)
            return None

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
        reports = self._claimed(first, key, "collect", lambda: self.app.collect(now=now), now, wait)
        if reports is None:
            return
        if no_sources := self.app.settings.no_sources():  # said at each collect
            why = no_sources.split("\n")[0] + " `digest collect` says how to add one."
            self._finish(first, key, "collect", "skipped", why, now)
            return
        failing = {r.name: _named(r.name, r.error) for r in reports if r.error}
        errors = self._failures(failing, now)
        detail = f"{len(reports)} sources, {sum(r.new for r in reports)} new articles"
        detail += f"; errors: {'; '.join(errors)}" if errors else ""
        self._finish(first, key, "collect", "done", detail, now)

    #: The sources failing at this scheduler's last collect, with when they began to.
    _failing: dict[str, str] | None = None

    def _failures(self, failing: dict[str, str], now: datetime) -> list[str]:
        """A source's failure is logged once (a warning) when it starts and once when it
        ends, not at every collect: the collect's line then only names it."""
        if self._failing is None:
            self._failing = {}
        out = []
        for name, error in failing.items():
            since = self._failing.get(name)
            if since is None:
                self._failing[name] = iso(now) or ""
                log.warning("source %s", error)
                out.append(error)
            else:
                out.append(f"{name}: still failing since {since}")
        for name in [n for n in self._failing if n not in failing]:
            log.info("source %s: collected again (failing since %s)", name, self._failing.pop(name))
        return out

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

    # -- retention -----------------------------------------------------------------
    #: The UTC day this scheduler last pruned (or saw pruned): later ticks of the day skip
    #: the claim. A failed prune is not tried again until the next day.
    _pruned_day: str | None = None

    def _prune(self, lst: ListSettings, now: datetime) -> None:
        """Empty old articles' bodies once a UTC day for the project (`keep_days`).

        Claimed like a collect (under the first list, keyed by the day's UTC midnight), so
        of several lists, threads or schedulers one prunes. Nothing with keep_days = 0.
        """
        if not self.app.settings.keep_days:
            return
        first = self.app.settings.lists[0]
        key = iso(datetime.fromtimestamp(now.timestamp() // 86400 * 86400, UTC))
        assert key is not None
        if key == self._pruned_day:
            return
        self._pruned_day = key
        pruned = self._claimed(first, key, "prune", lambda: self.app.prune(now=now), now, False)
        if pruned is None:
            return
        self._finish(first, key, "prune", "done", pruned.summary(), now)

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
        for line in built.images:  # its story goes out without a picture
            log.warning("%s: edition %s: %s", lst.name, edition.id, line)
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
