"""`digest approve`, `digest unapprove`, `digest editions`: an edition's editorial status.

With `approval = "required"` a list's scheduled edition goes out only if approved by its
slot. These commands flip that status in the store; they send nothing themselves.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click
from rich.markup import escape
from rich.table import Table

from digest import gate
from digest.cli.common import (
    config_option,
    console,
    err,
    open_app,
    print_table,
    warn_unhosted,
)
from digest.codec import iso
from digest.errors import DigestError
from digest.times import clock_name

if TYPE_CHECKING:
    from digest.app import App


@click.command()
@config_option
@click.argument("edition_id", type=int)
def approve(config: str, edition_id: int) -> None:
    """Approve a draft edition: the scheduler sends it at its slot."""
    app = open_app(config)
    info = app.store.edition_info(edition_id)
    if info.status == "approved":
        console.print(f"Edition {edition_id} is already approved.")
        return
    if info.status == "draft":
        gate.check(
            app.store.edition(edition_id), app.settings.edition.min_stories, action="approved"
        )
    if not app.store.approve(edition_id, now=datetime.now(UTC)):
        hint = f"; `digest send {edition_id}` sends it anyway" if info.status == "skipped" else ""
        raise DigestError(
            f"edition {edition_id} of list {info.list!r} is {info.status}: only a draft can be "
            f"approved{hint}"
        )
    when = f" for the slot {info.slot}" if info.slot else ""
    console.print(f"Approved edition {edition_id} of {info.list!r}{when}.")
    warn_unhosted(app, app.store.edition(edition_id))
    max_age = app.settings.edition.max_age_hours
    if old := gate.stale(edition_id, info.built_for, max_age, datetime.now(UTC)):
        # Neither the scheduler nor a plain `digest send` makes a first send of old news.
        note = f"{old[0].upper()}{old[1:]}; it is not sent by itself: {gate.ways_on(edition_id)}."
        err.print(f"[yellow]{escape(note)}[/]", soft_wrap=True)
    elif again := _repeats(app, edition_id):
        err.print(f"[yellow]{escape(again)}[/]", soft_wrap=True)
    elif info.slot:
        sent = [r for r in app.store.schedule_runs(info.list, action="send") if info.slot in r.slot]
        if sent:
            console.print(
                f"Its slot has already passed ({sent[0].status}); `digest send {edition_id}` "
                "sends it now."
            )


def _repeats(app: App, edition_id: int) -> str | None:
    """What `digest approve` says of an edition whose first send would repeat stories
    another edition of its list sent (gate.repeats); None: nothing."""
    if app.store.ledger(edition_id):
        return None  # a send that began goes on
    edition = app.store.edition(edition_id)
    note = gate.repeats(edition, app.store.sent_by(edition.list, but=edition_id))
    if note is None:
        return None
    return (
        f"{note[0].upper()}{note[1:]}; `digest send {edition_id}` refuses it and the "
        f"scheduler skips it: {gate.repeat_ways_on(edition)}."
    )


@click.command()
@config_option
@click.argument("edition_id", type=int)
def unapprove(config: str, edition_id: int) -> None:
    """Take an approval back: the edition is a draft again and is not sent at its slot."""
    app = open_app(config)
    info = app.store.edition_info(edition_id)
    if not app.store.unapprove(edition_id):
        raise DigestError(
            f"edition {edition_id} of list {info.list!r} is {info.status}, not approved; "
            "nothing to take back"
        )
    console.print(f"Edition {edition_id} of {info.list!r} is a draft again.")


@click.command()
@config_option
@click.option("--list", "list_name", help="Only this list's editions.")
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="Show at most this many editions (the newest).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def editions(config: str, list_name: str | None, limit: int, as_json: bool) -> None:
    """Editions, newest first: slot, status, stories, approval."""
    app = open_app(config)
    if list_name is not None:
        app.settings.list(list_name)  # a clear error for an unknown list
    rows = app.store.editions(list_name, limit=limit)
    stats = app.store.bounce_stats([e.id for e in rows])
    warn_at = app.settings.bounces.complaint_warning
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "list": e.list,
                        "slot": e.slot,
                        "status": e.status,
                        "built_for": iso(e.built_for),
                        "stories": e.stories,
                        "approved_at": iso(e.approved_at),
                        "sent_at": iso(e.sent_at),
                        **stats[e.id].outcome(warn_at),
                    }
                    for e in rows
                ],
                indent=2,
            )
        )
        return
    # Times to the minute on each list's clock, zone named, as the desk shows them.
    table = Table(title="Editions", title_justify="left")
    columns = ("id", "list", "slot", "status", "stories", "approved", "sent", "delivered")
    counted = ("delivered", "refused", "failed", "bounced hard/soft", "complaints")
    for col in (*columns, *counted[1:]):
        right = col in ("id", "stories", *counted)
        table.add_column(col, justify="right" if right else "left")
    warnings = []
    for e in rows:
        o = stats[e.id].outcome(warn_at)
        zone = app.settings.zone(e.list)
        table.add_row(
            str(e.id),
            e.list,
            e.slot or "",
            e.status,
            str(e.stories),
            _minute(e.approved_at, zone),
            _minute(e.sent_at, zone),
            str(o["delivered"]),
            str(o["refused"]),
            str(o["failed"]),
            f"{o['bounced_hard']}/{o['bounced_soft']} ({o['bounce_rate']:.2%})",
            f"{o['complained']} ({o['complaint_rate']:.2%})",
        )
        if o["complaint_warning"]:
            warnings.append(
                f"warning: edition {e.id}: complaints at {o['complaint_rate']:.2%} of "
                f"delivered, above {warn_at:.2%} (mailbox providers act at 0.3%)"
            )
    print_table(table)
    for line in warnings:
        console.print(line, style="bold yellow", markup=False)


def _minute(when: datetime | None, zone: ZoneInfo) -> str:
    """`2026-12-03 23:54 CET` on the list's clock (:func:`digest.times.clock_name`
    names a zone without an abbreviation by its offset), or an empty cell."""
    if when is None:
        return ""
    at = when.astimezone(zone)
    return f"{at:%Y-%m-%d %H:%M} {clock_name(at)}"


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (approve, unapprove, editions)
