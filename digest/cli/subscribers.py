"""`digest subscribers ...`: import, add, remove, forget, list and export subscribers,
and send the welcome messages left due.

A thin layer over :mod:`digest.subscribers`; every change is recorded by the store as
an event with its origin (`import:FILE`, `cli`, `forget`).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from digest.cli.common import config_option, console, err, open_app, print_table
from digest.errors import ConfigError, SubscriberError

if TYPE_CHECKING:
    from digest.config import ListSettings


@click.group()
def subscribers() -> None:
    """Manage a list's subscribers (the database is the record of consent)."""


@subscribers.command("import")
@config_option
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option("--list", "list_name", required=True, help="The list to import into.")
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@click.option(
    "--status",
    type=click.Choice(["active", "unsubscribed", "bounced", "complained"]),
    default="active",
    show_default=True,
    help="What the file's people are: active, or how they left another tool "
    "(its unsubscribed, cleaned/bounced or complained export); those are never mailed.",
)
def subscribers_import(
    config: str, file: str | None, list_name: str, dry_run: bool, status: str
) -> None:
    """Import a CSV (email,name[,sections,timezone,format]); bad rows are reported.

    Sections are the configured sources' (`[[sources]] section`), in any case,
    separated by ";" (as an export writes them) or ","; a row naming another is bad.

    Without FILE, the list's own CSV (`[[lists]] subscribers` in the config): nothing
    else reads that file, so after editing it, import it again.

    Good rows are written in one transaction; an import never reactivates an
    unsubscribed, bounced or complained address, nor one erased with `forget`, and
    never changes a choice (sections, format, time zone) a reader made themselves on
    their preferences page: "kept the reader's own choices for N" says for how many.
    New rows are active at once, even on a double opt-in list (no confirmation email:
    the file is the record of consent). Moving from another tool: docs/subscribers.md.
    Exits 1 when some rows were bad.
    """
    from digest.subscribers import import_csv

    app = open_app(config, creates=True)
    lst = app.settings.list(list_name)
    path = Path(file) if file else _list_file(app.settings.path, lst)
    file = file or str(path)
    result = import_csv(
        app.store,
        list_name,
        path,
        now=datetime.now(UTC),
        dry_run=dry_run,
        status=status,
        sections=app.settings.sections,
    )
    for p in result.problems:
        err.print(
            f"{file}:{p.line}: {p.email or '(no address)'}: {p.reason}",
            markup=False,
            soft_wrap=True,
        )
    for n in result.notes:
        err.print(f"{file}:{n.line}: {n.email}: {n.reason}", markup=False, soft_wrap=True)
    for m in result.merged:
        err.print(
            f"{file}:{m.line}: {m.email}: duplicate of line {m.first_line}, merged",
            markup=False,
            soft_wrap=True,
        )
    verb = "would import" if dry_run else "imported"
    if status == "active":
        changes = f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    else:
        changes = (
            f"{result.added} added as {status}, {result.newly_suppressed} newly {status} "
            "(never mailed)"
        )
    console.print(
        f"{verb}: {changes}, "
        f"{result.kept_suppressed} left alone (unsubscribed, bounced, complained or erased), "
        f"{result.duplicates} duplicates merged, {len(result.problems)} bad rows",
        markup=False,
    )
    if result.kept_choices:  # the same words in a dry run: what the import does
        console.print(
            f"kept the reader's own choices for {result.kept_choices}: the sections, "
            "format or time zone they set on their preferences page stay as they chose "
            "(the file's values for those are not applied)",
            markup=False,
        )
    if status == "active" and lst.double_opt_in is True and result.added:
        console.print(
            f"List {list_name!r} has double opt-in, but an import is the record of consent "
            f"given elsewhere: the {result.added} added are active and no confirmation "
            "email was sent.",
            markup=False,
        )
    if result.problems:
        sys.exit(1)


def _list_file(config: Path, lst: ListSettings) -> Path:
    """The CSV `[[lists]] subscribers` names for `lst`: refused, before the store is
    opened, when it is not set or not there (it was taken in silence)."""
    where = f"[[lists]] {lst.name!r}"
    if lst.subscribers is None:
        raise ConfigError(
            f"give the CSV file to import: {where} in {config} names none "
            '(subscribers = "subscribers/FILE.csv")'
        )
    if not lst.subscribers.is_file():
        raise ConfigError(f"{config}: {where} subscribers: {lst.subscribers}: no such file")
    return lst.subscribers


@subscribers.command("add")
@config_option
@click.argument("email")
@click.option("--list", "list_name", required=True, help="The list to add to.")
@click.option("--name", default="", help="The subscriber's name.")
def subscribers_add(config: str, email: str, list_name: str, name: str) -> None:
    """Subscribe EMAIL: active at once, or pending plus a confirmation email when the
    list has double_opt_in = true. Never reactivates an address that left."""
    from digest.subscribers import subscribe

    app = open_app(config, creates=True)
    added = subscribe(app, list_name, email, name, origin="cli", now=datetime.now(UTC))
    sub = added.subscriber
    if not added.created:
        if sub is None or sub.status not in ("active", "pending"):
            raise SubscriberError(added.reason)
        console.print(added.reason, markup=False)
        if added.confirmation_sent:
            console.print(f"Confirmation sent again to {sub.email}.", markup=False)
        return
    assert sub is not None
    if added.confirmation_sent:
        console.print(
            f"Added {sub.email} to {list_name} as pending; confirmation sent.", markup=False
        )
    else:
        console.print(f"Added {sub.email} to {list_name} (active).", markup=False)


@subscribers.command("welcome")
@config_option
@click.option("--list", "list_name", required=True, help="The list whose welcomes to send.")
def subscribers_welcome(config: str, list_name: str) -> None:
    """Send a list's welcome messages that are due or failed (the mail server did not
    take them at confirmation); each goes once. Exit 1 if one fails again."""
    from digest.subscribers.welcome import send_due_welcomes

    app = open_app(config)
    app.settings.list(list_name)  # an unknown list: ConfigError
    done = send_due_welcomes(app, list_name, now=datetime.now(UTC))
    console.print(f"welcome messages: {done.sent} sent, {done.failed} failed", markup=False)
    if done.failed:
        sys.exit(1)


@subscribers.command("remove")
@config_option
@click.argument("email")
@click.option("--list", "list_name", required=True, help="The list.")
@click.option(
    "--status",
    type=click.Choice(["unsubscribed", "bounced", "complained"]),
    default="unsubscribed",
    show_default=True,
    help="Why the address leaves.",
)
def subscribers_remove(config: str, email: str, list_name: str, status: str) -> None:
    """Stop sending to EMAIL on a list (the row stays, as the record of consent)."""
    from digest.subscribers import remove_subscriber

    app = open_app(config)
    app.settings.list(list_name)
    changed = remove_subscriber(
        app.store, list_name, email, status=status, origin="cli", now=datetime.now(UTC)
    )
    state = "is now" if changed else "was already"
    console.print(f"{email.strip()} {state} {status} on {list_name}.", markup=False)


@subscribers.command("forget")
@config_option
@click.argument("email")
@click.option(
    "--suppress",
    is_flag=True,
    help="Also for an address no list has: keep its hash so nothing ever adds it.",
)
def subscribers_forget(config: str, email: str, suppress: bool) -> None:
    """Erase EMAIL from every list (rows, history, ledger); keep only a hash of the
    address so no import or form adds it again.

    An address no list has is refused (a misspelling would be blocked for good, and
    the person who asked would stay subscribed); --suppress keeps it out all the same
    (someone who never subscribed asks never to be written to)."""
    from digest.subscribers import forget

    app = open_app(config)
    done = forget(app.store, email, now=datetime.now(UTC), suppress_unknown=suppress)
    if done.erased:
        said = f"Erased {done.erased} subscription(s) of {done.address}; only a hash of the "
        said += "address is kept, to stop it being added again."
    elif done.before:
        said = f"{done.address} was already erased: no list has it; only its hash is kept."
    else:
        said = f"No list had {done.address}; it is now suppressed anyway: only a hash of it "
        said += "is kept, so that no import or form adds it."
    console.print(said, markup=False, soft_wrap=True)


@subscribers.command("list")
@config_option
@click.option("--list", "list_name", required=True, help="The list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def subscribers_list(config: str, list_name: str, as_json: bool) -> None:
    """Show a list's subscribers and their status.

    --json prints [{"email", "name", "status", "list", "sections", "timezone",
    "format", "paused"}]; status is pending, active, unsubscribed, bounced or complained.
    """
    from digest.subscribers import subscriber_dict

    app = open_app(config)
    app.settings.list(list_name)
    subs = app.store.subscribers(list_name)
    paused = app.store.paused_ids(list_name)
    if as_json:
        click.echo(
            json.dumps(
                [subscriber_dict(s, paused=s.id in paused) for s in subs],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    # An address is never cut short ("…"): in a narrow terminal the other cells wrap.
    table = Table()
    longest = max((len(s.email) for s in subs), default=5)
    table.add_column("email", min_width=min(longest, 48), overflow="fold")
    for col in ("name", "status", "sections", "format"):
        table.add_column(col)
    for s in subs:
        status = s.status + (" (paused)" if s.id in paused else "")
        table.add_row(s.email, s.name, status, ";".join(s.sections), s.format)
    print_table(table)


@subscribers.command("export")
@config_option
@click.option("--list", "list_name", required=True, help="The list.")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="File (default: stdout).")
def subscribers_export(config: str, list_name: str, out: str | None) -> None:
    """Write the list's active subscribers as CSV (the import's columns)."""
    from digest.subscribers import export_csv

    app = open_app(config)
    app.settings.list(list_name)
    subs = app.store.subscribers(list_name, statuses=("active",))
    if out:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            export_csv(subs, fh)
    else:
        export_csv(subs, sys.stdout)


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (subscribers,)
