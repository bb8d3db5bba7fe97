"""The scheduler: when each list is collected, built and sent, and doing each exactly once.

Two halves. The *pure* half turns a list's settings and an explicit `now` into UTC
instants: :mod:`~digest.times` (send windows, cron slots in the delivery zone
across daylight-saving changes) and :mod:`~digest.schedule.events` (the sends a schedule
calls for, local delivery's grouping, misfire and coalescing: `parse_window`,
`next_slots`, `next_events`, `send_events`, `due_slots`). The *doing* half
(:mod:`~digest.schedule.scheduler`: `Scheduler.tick(now)`, built on
:mod:`~digest.schedule.claims`, :mod:`~digest.schedule.preparing` and
:mod:`~digest.schedule.sending`; :mod:`~digest.schedule.runner`: `run`, which wires it
into APScheduler for `digest run`) performs what is due through the App, claiming every
action in the database first. Each module's docstring states the
policies it carries out.
Must not: send anything it has not claimed, nor read the clock in the pure half.

This package is the facade: import from `digest.schedule`, not from its modules.
"""

from __future__ import annotations

from digest.schedule.events import (
    LOOKBACK,
    Due,
    SendEvent,
    due_slots,
    iter_events,
    last_send_time,
    next_events,
    next_slots,
    send_events,
    send_time,
)
from digest.schedule.runner import offset_clock, run, run_job
from digest.schedule.scheduler import Clock, Outcome, Scheduler, delivery_zones
from digest.times import DAYS, Window, parse_window, postpone

__all__ = [
    "DAYS",
    "LOOKBACK",
    "Clock",
    "Due",
    "Outcome",
    "Scheduler",
    "SendEvent",
    "Window",
    "delivery_zones",
    "due_slots",
    "iter_events",
    "last_send_time",
    "next_events",
    "next_slots",
    "offset_clock",
    "parse_window",
    "postpone",
    "run",
    "run_job",
    "send_events",
    "send_time",
]
