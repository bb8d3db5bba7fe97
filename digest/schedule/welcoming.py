"""`digest run` tries failed welcome messages again, a few times, each once.

Job: on every tick of a list, :func:`digest.subscribers.welcome.retry_failed_welcomes`
sends the list's failed welcomes whose wait after the last attempt is over (the waits
and the number of attempts are that module's). Each is claimed in the subscriber's row
first (:meth:`~digest.store.Store.claim_welcome`), so however many schedulers, threads
or processes tick, one tries it; a welcome left `sending` by a sender that died is
never claimed again (it may have gone). What was tried is noted as the tick's outcome
(action "welcome"), and each failure is logged by the welcome module, without the
address.
Must not: decide the waits, read the clock, or send a welcome it has not claimed.
"""

from __future__ import annotations

from datetime import datetime

from digest.codec import iso
from digest.config import ListSettings
from digest.schedule.claims import Claimant, Outcome


class Welcoming(Claimant):
    """The welcome retries of :class:`~digest.schedule.scheduler.Scheduler`."""

    def _welcomes(self, lst: ListSettings, now: datetime) -> None:
        from digest.subscribers.welcome import retry_failed_welcomes

        done = retry_failed_welcomes(self.app, lst.name, now=now)
        if done.sent or done.failed:
            detail = f"{done.sent} sent, {done.failed} failed again"
            self._note(Outcome(lst.name, "welcome", iso(now) or "", "done", detail))
