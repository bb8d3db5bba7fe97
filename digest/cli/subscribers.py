"""`digest subscribers ...`: import, list and export a list's subscribers."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table

from digest.cli import _app, config_option, console, err, main


@main.group()
def subscribers() -> None:
    """Manage a list's subscribers (the database is the record of consent)."""


@subscribers.command("import")
@config_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--list", "list_name", required=True, help="The list to import into.")
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
def subscribers_import(config: str, file: str, list_name: str, dry_run: bool) -> None:
    """Import a CSV (email,name[,sections,timezone,format]); bad rows are reported."""
    from digest.subscribers import import_csv

    app = _app(config)
    app.settings.list(list_name)
    result = import_csv(app.store, list_name, Path(file), now=datetime.now(UTC), dry_run=dry_run)
    for p in result.problems:
        err.print(
            f"{file}:{p.line}: {p.email or '(no address)'}: {p.reason}",
            markup=False,
            soft_wrap=True,
        )
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{verb}: {result.added} added, {result.updated} updated, "
        f"{result.kept_suppressed} left unsubscribed/bounced, "
        f"{result.duplicates} duplicates merged, {len(result.problems)} bad rows"
    )
    if result.problems:
        sys.exit(1)


@subscribers.command("list")
@config_option
@click.option("--list", "list_name", required=True, help="The list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def subscribers_list(config: str, list_name: str, as_json: bool) -> None:
    """Show a list's subscribers and their status."""
    from digest.subscribers import subscriber_dict

    app = _app(config)
    app.settings.list(list_name)
    subs = app.store.subscribers(list_name)
    if as_json:
        click.echo(json.dumps([subscriber_dict(s) for s in subs], indent=2, ensure_ascii=False))
        return
    table = Table()
    for col in ("email", "name", "status", "sections", "format"):
        table.add_column(col)
    for s in subs:
        table.add_row(s.email, s.name, s.status, ";".join(s.sections), s.format)
    console.print(table)


@subscribers.command("export")
@config_option
@click.option("--list", "list_name", required=True, help="The list.")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="File (default: stdout).")
def subscribers_export(config: str, list_name: str, out: str | None) -> None:
    """Write the list's active subscribers as CSV."""
    from digest.subscribers import export_csv

    app = _app(config)
    subs = app.store.subscribers(list_name, statuses=("active",))
    if out:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            export_csv(subs, fh)
    else:
        export_csv(subs, sys.stdout)
