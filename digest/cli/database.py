"""`digest database copy --to URL`: move a project's database (SQLite to PostgreSQL) with
everything it holds. The work is :func:`digest.store.copy_database`'s; this prints it."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from digest.cli.common import config_option, console, err, escape, load_settings, print_table
from digest.errors import StoreUnavailable
from digest.keys import load_keys


@click.group()
def database() -> None:
    """The project's database: copy it into another one (SQLite to PostgreSQL)."""


@database.command("copy")
@config_option
@click.option(
    "--to",
    "to",
    required=True,
    metavar="URL",
    help=(
        "The database to copy into: postgresql://USER@HOST/NAME (the password from "
        "$PGPASSWORD or ~/.pgpass, or in the URL) or sqlite:///FILE. It is brought to "
        "this digest's schema and must hold no rows."
    ),
)
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Copy even while `digest serve` runs on the project's database: what it records "
        "from then on (an unsubscribe) is in the old database only. A send in progress "
        "is refused all the same."
    ),
)
def copy(config: str, to: str, force: bool) -> None:
    """Copy every row of the project's database into another, empty one.

    Subscribers with their status and choices, the erased addresses, the delivery
    ledger (who already has which edition), editions, hosted pictures, editors and
    the scheduler's records: all of it, in one transaction, or nothing. Stop `digest
    run`, `digest serve` and every worker first; a send in progress is refused, and
    so is a `digest serve` still running on the database (--force copies anyway).
    Then set [database] url to the new database.
    """
    from digest.app import missing_database
    from digest.config.checks import check_database_url
    from digest.deliver.lease import process_gone
    from digest.store import Store
    from digest.store._copy import copy_database

    settings = load_settings(config)
    check_database_url("--to", to)
    if missing := missing_database(settings):
        raise StoreUnavailable(missing)
    source, target = Store(settings.database.url), Store(to)
    try:
        with err.status("Copying…") as status:

            def told(table: str, rows: int) -> None:
                status.update(f"Copying {table} ({rows:,} rows)…")

            report = copy_database(
                source,
                target,
                now=datetime.now(UTC),
                claim_lease=settings.queue.lease,
                gone=process_gone,
                on_table=told,
                force=force,
            )
    finally:
        source.close()
        target.close()

    from rich.table import Table

    table = Table(title="Rows per table, in the order copied", title_justify="left")
    table.add_column("table")
    table.add_column("source", justify="right")
    table.add_column("copy", justify="right")
    for copied in report.tables:
        table.add_row(escape(copied.name), f"{copied.source:,}", f"{copied.target:,}")
    print_table(table)
    if report.journaled:
        say(
            f"{report.journaled} messages a stopped send had sent but not recorded were "
            "recorded as sent first."
        )
    say(f"Copied {report.rows:,} rows (schema revision {report.revision})")
    say(f"  from {report.source}")
    say(f"  into {report.target}")
    say(
        f"Next: edit [database] url in {settings.path} to the database given to --to, "
        f"then start digest again. What the old database records from now on is not "
        "in the copy."
    )
    keys = load_keys(settings.root, create=False)
    if keys is not None:
        say(
            f"The key that signs the unsubscribe and preferences links in mail already "
            f"sent is not in the database: {keys.origin}. Give every machine that runs "
            "digest on the new database the same key (`digest keys status` names it), "
            "or those links stop working there."
        )


def say(line: str) -> None:
    console.print(line, markup=False, soft_wrap=True)


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (database,)
