"""`digest run`: the Scheduler wired into APScheduler in the foreground, until a signal.

Job: keep two jobs per list in the project's database (APScheduler's SQLAlchemy job
store), both firing `run_job`, one idempotent tick of one list; start the scheduler,
log what it does, and on SIGTERM or Ctrl-C stop taking new work, let the running batch
finish (see "Stopping" in :mod:`digest.schedule.scheduler`), restore the signal handlers
and return. `offset_clock` gives rehearsals a clock that starts at a chosen time.
Must not: decide what is due or send anything itself (every tick is
:class:`~digest.schedule.scheduler.Scheduler`'s), nor touch schedule_runs rows.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger

from digest.codec import iso
from digest.schedule.scheduler import Clock, Scheduler
from digest.times import _zone, cron_trigger

if TYPE_CHECKING:
    from digest.app import App

log = logging.getLogger("digest.schedule")

_RUNNERS: dict[str, _Runner] = {}


def run_job(config: str, list_name: str) -> None:
    """The job APScheduler stores (by reference) and fires: one tick of one list."""
    runner = _RUNNERS.get(config)
    if runner is None:
        log.warning("no scheduler for %s in this process; job for %s ignored", config, list_name)
        return
    runner.tick_list(list_name)


class _Runner:
    """A Scheduler plus the bookkeeping a clean stop needs (jobs in flight)."""

    def __init__(self, app: App, clock: Clock) -> None:
        self.clock = clock
        self.stop = threading.Event()
        self.scheduler = Scheduler(app, clock=clock, stop=self.stop)
        self._active = 0
        self._idle = threading.Condition()

    def tick_list(self, name: str) -> None:
        with self._idle:
            if self.stop.is_set():
                return
            self._active += 1
        try:
            self.scheduler.tick_list(name, self.clock())
        except Exception:
            log.exception("%s: tick failed", name)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def wait_idle(self) -> None:
        with self._idle:
            while self._active:
                self._idle.wait(1.0)


def offset_clock(start: datetime | None) -> Clock:
    """The real clock, or one that starts at `start` and runs at the real pace."""
    if start is None:
        return lambda: datetime.now(UTC)
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def run(app: App, *, clock: Clock | None = None) -> None:
    """`digest run`: an APScheduler BlockingScheduler, jobs kept in the database.

    Per list two jobs, both calling `run_job` (the same idempotent tick): one on the
    list's cron schedule in its zone (so a send starts on the second), one every minute
    (building ahead, collecting, local-time and postponed sends, resuming, recording
    misses). misfire_grace_time is the list's grace, coalesce on, one instance at a time.
    SIGTERM or Ctrl-C stops scheduling, lets the running batch finish, then returns.
    """
    from apscheduler.events import EVENT_JOB_MISSED, EVENT_SCHEDULER_STARTED, JobEvent
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    clock = clock or offset_clock(None)
    runner = _Runner(app, clock)
    config = str(app.settings.path)
    _RUNNERS[config] = runner
    lists = app.settings.lists
    scheduler = BlockingScheduler(
        # The project's own database (same engine: same URL, same SQLite pragmas).
        jobstores={"default": SQLAlchemyJobStore(engine=app.store.engine)},
        executors={"default": ThreadPoolExecutor(max(2, 2 * len(lists)))},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )
    wanted: dict[str, dict[str, Any]] = {}
    for lst in lists:
        common = {
            # By reference, through the package's re-export: stored jobs name this path.
            "func": "digest.schedule:run_job",
            "args": (config, lst.name),
            "misfire_grace_time": max(1, lst.grace_minutes * 60),
            "coalesce": True,
            "max_instances": 1,
        }
        wanted[f"digest:{lst.name}:slot"] = {
            **common,
            "trigger": cron_trigger(lst.schedule, _zone(lst.timezone)),
            "name": f"{lst.name}: send at the slot ({lst.schedule}, {lst.timezone})",
        }
        wanted[f"digest:{lst.name}:tick"] = {
            **common,
            "trigger": CronTrigger(second=0, timezone=UTC),  # every minute, on the minute
            "name": f"{lst.name}: build ahead, collect, resume, record misses",
            "next_run_time": datetime.now(UTC),  # a first tick right away
        }

    def started(_event: Any) -> None:
        if runner.stop.is_set():  # a signal came before the scheduler was running
            scheduler.shutdown(wait=False)
            return
        for job in scheduler.get_jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                log.info("removing the stored job %s (no longer configured)", job.id)
                job.remove()
        for job_id, spec in wanted.items():
            stored = scheduler.get_job(job_id)
            if stored is not None and job_id.endswith(":slot"):
                same = str(stored.trigger) == str(spec["trigger"]) and stored.args == spec["args"]
                if same and stored.misfire_grace_time == spec["misfire_grace_time"]:
                    continue  # keep its stored next run time: APScheduler applies the grace
            scheduler.add_job(id=job_id, replace_existing=True, **spec)

    def missed(event: JobEvent) -> None:
        log.warning(
            "job %s missed its run at %s (beyond misfire_grace_time); the next tick records it",
            event.job_id,
            getattr(event, "scheduled_run_time", "?"),
        )

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.add_listener(missed, EVENT_JOB_MISSED)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if runner.stop.is_set():
            log.info("%s again: still finishing the current batch", name)
            return
        log.info("%s: no new work; the running batch finishes, then digest run stops", name)
        runner.stop.set()
        with contextlib.suppress(Exception):  # not running yet
            scheduler.shutdown(wait=False)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    log.info(
        "digest run: %s (%d lists); clock now %s",
        config,
        len(lists),
        iso(clock()),
    )
    try:
        scheduler.start()
        runner.wait_idle()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        runner.scheduler.close()
        _RUNNERS.pop(config, None)
    log.info("digest run stopped cleanly")
