"""`digest send`: deliver an edition with a progress bar and a final summary."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from digest.cli import _app, config_option, console, err, main


@main.command()
@config_option
@click.argument("edition_id", type=int)
@click.option("--dry-run", is_flag=True, help="Render every message but send nothing.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes sending in parallel, each with its own connection.",
)
def send(config: str, edition_id: int, dry_run: bool, workers: int) -> None:
    """Deliver an edition to every subscriber due (resumable; never sends twice)."""
    from digest.send import SendOptions, send_edition

    app = _app(config)
    edition = app.store.edition(edition_id)
    before = app.store.ledger(edition_id)
    if before:
        console.print(
            "Ledger before this run: " + ", ".join(f"{k} {v}" for k, v in sorted(before.items()))
        )
    total = len(app.store.due(edition_id, edition.list, limit=10**9))
    with Progress(
        TextColumn("sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>6.1f}/s"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("send", total=total, rate=0.0)
        start = datetime.now(UTC)
        done0 = before.get("sent", 0) + before.get("bounced", 0)

        def progress(counts: dict[str, int]) -> None:
            done = counts.get("sent", 0) + counts.get("bounced", 0) - done0
            secs = max((datetime.now(UTC) - start).total_seconds(), 1e-6)
            bar.update(task, completed=done, rate=done / secs)

        summary = send_edition(
            app,
            edition_id,
            options=SendOptions(workers=workers, dry_run=dry_run),
            progress=progress,
        )
    if dry_run:
        console.print(
            f"Dry run: {summary.deferred} messages would be sent; "
            f"{summary.skipped} already delivered."
        )
        return
    console.print(
        f"Sent {summary.sent}, bounced {summary.bounced}, deferred "
        f"{summary.deferred}, skipped {summary.skipped} (already delivered)."
    )
    for line in summary.errors[:10]:
        console.print(f"  {line}", markup=False)
    if summary.paused:
        console.print(f"[yellow]{summary.paused}[/]")
        sys.exit(1)
