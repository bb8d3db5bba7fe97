"""The doing half of the scheduler: one tick performs what each list's schedule calls for.

Job: `Scheduler.tick(now)` (and `tick_list`) resumes sends left open, sends what is due
(:mod:`digest.schedule.events` decides which), builds editions ahead and collects the
sources, through the App, claiming every action in the database first (a schedule_runs
row, UNIQUE per list x slot x action): however many threads or processes fire, one
inserts the row and acts, the others move on. Each outcome is recorded and logged.
See :mod:`~digest.schedule.preparing` (build ahead, collect, bounces),
:mod:`~digest.schedule.sending` (what is sent, approval, stopping) and
:mod:`~digest.schedule.welcoming` (failed welcomes tried again) for the policies,
and :mod:`~digest.schedule.claims` for the claims and their owners.
Must not: send anything it has not claimed, read the clock for its decisions (`now` is
passed in; `clock` only stamps the ledger and messages), or decide what is due itself;
nor install signal handlers or start APScheduler (that is :mod:`digest.schedule.runner`).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING

from digest.schedule.claims import Clock, Outcome, delivery_zones, new_owner, retire
from digest.schedule.sending import Sending
from digest.schedule.welcoming import Welcoming

if TYPE_CHECKING:
    from digest.app import App

__all__ = ["Clock", "Outcome", "Scheduler", "delivery_zones"]


class Scheduler(Sending, Welcoming):
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
        self.owner = new_owner()
        self._locks = {lst.name: threading.Lock() for lst in app.settings.lists}
        self._notes = threading.local()  # the outcomes of the tick running in this thread

    def close(self) -> None:
        retire(self.owner)

    # -- ticks ---------------------------------------------------------------------
    def tick(self, now: datetime) -> list[Outcome]:
        """Everything due at `now`, for every list."""
        out: list[Outcome] = []
        for lst in self.app.settings.lists:
            out += self.tick_list(lst.name, now)
        return out

    def tick_list(self, name: str, now: datetime) -> list[Outcome]:
        """Resume sends left open, send what is due, build ahead, collect if due, read
        bounces, try failed welcomes again (once their wait is over), prune old
        articles' bodies (once a day)."""
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
                self._welcomes,
                self._prune,
            ):
                if self.stop.is_set():
                    break
                step(lst, now)
        return list(out)
