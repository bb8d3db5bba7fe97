"""`digest schedule` (each list's next runs) and `digest run` (the scheduler, in the foreground).

A thin layer over :mod:`digest.schedule`: what runs when, and why, is decided there.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from digest.cli.common import (
    at_time,
    config_option,
    console,
    err,
    escape,
    example_domains_warning,
    open_app,
)
from digest.codec import iso
from digest.config.freshness import late_sends


def _recent(app: Any, list_name: str, limit: int) -> list[dict[str, Any]]:
    rows = app.store.schedule_runs(list_name, limit=limit * 3)
    rows = [r for r in rows if r.action not in ("collect", "prune")]  # housekeeping
    return [
        {
            "slot": r.slot,
            "action": r.action,
            "status": r.status,
            "detail": r.detail,
            "at": iso(r.at),
        }
        for r in rows[:limit]
    ]


@click.command()
@config_option
@click.option(
    "--at",
    "at",
    help="List the runs after this time (ISO 8601; a time without an offset is UTC); default: now.",
)
@click.option(
    "--count",
    default=5,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="How many upcoming sends to list per list.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: [{list, next: [UTC...]}].")
def schedule(config: str, at: str | None, count: int, as_json: bool) -> None:
    """Each list's next sends in UTC and local time, and what the scheduler did lately."""
    from digest.app import missing_database
    from digest.schedule import delivery_zones, next_events

    app = open_app(config)
    for warning in late_sends(app.settings):
        err.print(f"[bold yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    # The config's schedule, on a project with no database too (none is created): the
    # list's own zone for local delivery, and no runs.
    if missing := missing_database(app.settings):
        shown = "the schedule below is the config's alone (no subscribers' zones, no runs)"
        err.print(f"[bold yellow]warning:[/] {escape(missing)}. {shown}", soft_wrap=True)
    after = at_time(at)
    out = []
    for lst in app.settings.lists:
        if missing:
            local = lst.delivery == "local"
            zones = frozenset({lst.timezone}) if local else None
        else:
            zones = delivery_zones(app.store, lst)
        events = next_events(lst, after, count, zones)
        tz = ZoneInfo(lst.timezone)
        entry: dict[str, Any] = {
            "list": lst.name,
            "next": [iso(e.at) for e in events],
            "local": [
                e.edition_key if zones is not None else e.at.astimezone(tz).isoformat()
                for e in events
            ],
            "schedule": lst.schedule,
            "timezone": lst.timezone,
            "delivery": lst.delivery,
            "approval": lst.approval,
            "grace_minutes": lst.grace_minutes,
            "build_ahead_minutes": lst.build_ahead_minutes,
            "send_window": lst.send_window,
            "recent": [] if missing else _recent(app, lst.name, 5),
        }
        if zones is not None:
            entry["zones"] = [sorted(e.zones or ()) for e in events]
        entry["_events"] = events
        out.append(entry)
    if as_json:
        click.echo(
            json.dumps([{k: v for k, v in e.items() if k != "_events"} for e in out], indent=2)
        )
        return
    for entry in out:
        window = f"; window {entry['send_window']}" if entry["send_window"] else ""
        console.print(
            f"[bold]{entry['list']}[/]: {entry['schedule']} in {entry['timezone']} "
            f"(delivery {entry['delivery']}, approval {entry['approval']}, "
            f"grace {entry['grace_minutes']} min{window})",
            soft_wrap=True,
        )
        tz = ZoneInfo(entry["timezone"])
        for event in entry["_events"]:
            if event.zones is not None:
                where = f"{event.edition_key[11:]} local in {', '.join(sorted(event.zones))}"
            else:
                where = event.at.astimezone(tz).strftime("%a %d %b %Y %H:%M %Z")
            moved = "  (postponed by the send window)" if event.postponed else ""
            console.print(f"  {iso(event.at)}  {where}{moved}", markup=False, soft_wrap=True)
        for run in entry["recent"]:
            console.print(
                f"  done: {run['action']} {run['slot']} {run['status']}"
                + (f": {run['detail']}" if run["detail"] else ""),
                markup=False,
                soft_wrap=True,
            )


@click.command()
@config_option
@click.option(
    "--at",
    "at",
    help="Start the scheduler's clock at this time (ISO 8601; without an offset, UTC); it "
    "then runs at the real pace. For rehearsals and tests; default: the real clock.",
)
@click.option(
    "--once",
    is_flag=True,
    help="Do what is due now, then exit (cron, timers): 1 when an action failed or a "
    "send left copies unsent.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also log APScheduler's own messages.")
def run(config: str, at: str | None, once: bool, verbose: bool) -> None:
    """The scheduler in the foreground: collect, build ahead, send at each list's slots.

    Jobs are kept in the project's database; SIGTERM or Ctrl-C lets the running batch
    finish and stops. Logs say what ran, what was skipped and why.
    """
    from digest.schedule import Scheduler, offset_clock
    from digest.schedule import run as run_scheduler

    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    app = open_app(config, creates=True)
    app.keys  # noqa: B018 -- it signs: a key the database does not know stops it here
    for warning in (example_domains_warning(app.settings), *late_sends(app.settings)):
        if warning:
            logging.getLogger("digest.schedule").warning("%s", warning)
    start: datetime | None = at_time(at) if at else None
    clock = offset_clock(start)
    if not once:
        run_scheduler(app, clock=clock)
        return
    scheduler = Scheduler(app, clock=clock)
    try:
        outcomes = scheduler.tick(clock())
    finally:
        scheduler.close()
    for o in outcomes:
        console.print(
            f"{o.list} {o.action} {o.slot}: {o.status}" + (f" ({o.detail})" if o.detail else ""),
            markup=False,
            soft_wrap=True,
        )
    if not any(o.action not in ("collect", "prune") for o in outcomes):
        console.print("Nothing was due.")
    # A failed action, or a send that left copies unsent (the relay lacks SMTPUTF8).
    if any(o.status == "failed" or o.unsent for o in outcomes):
        sys.exit(1)


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (schedule, run)
