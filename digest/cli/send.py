"""`digest send`, `digest pause`, `digest cancel`: deliver an edition, or stop it.

`send` shows the ledger when the edition was already (partly) sent, a progress bar
with rate and ETA while it runs, and a summary at the end; it exits 1 when the run
stopped early or left messages for a next run, and when copies of the edition were
not sent (`unsendable`: the relay lacks SMTPUTF8), naming them and
`--retry-unsendable`, which sends them once the relay offers it. `pause` and `cancel`
only flip the edition's status: running workers notice at their next ledger write,
record what they sent, and stop. The logic lives in :mod:`digest.send`.
"""

from __future__ import annotations

import atexit
import gc
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from digest import gate
from digest.cli.common import (
    config_option,
    console,
    err,
    example_domains_warning,
    made,
    open_app,
    warn_unhosted,
)
from digest.errors import DeliveryError
from digest.lifecycle import EditionStatus, allowed

#: How each ledger status reads in `digest send` and `digest pause`.
LEDGER_WORDS = {
    "sent": "sent",
    "bounced": "bounced",
    "failed": "deferred (retried next run)",
    "unsendable": "failed (not sent: the relay lacks SMTPUTF8)",
    "claimed": "interrupted (sent again next run)",
}


#: How it reads in `digest cancel`: no run comes after.
CANCELLED_WORDS = {
    **LEDGER_WORDS,
    "failed": "deferred (never retried)",
    "claimed": "interrupted (never sent again)",
}


def ledger_line(counts: dict[str, int], words: dict[str, str] = LEDGER_WORDS) -> str:
    order = [k for k in words if k in counts] + sorted(set(counts) - set(words))
    return ", ".join(f"{words.get(k, k)} {counts[k]}" for k in order)


@click.command()
@config_option
@click.argument("edition_id", type=int)
@click.option("--dry-run", is_flag=True, help="Build every message but send nothing.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes sending in parallel, each with its own connection.",
)
@click.option(
    "--retry-unsendable",
    "retry",
    is_flag=True,
    help="Also send the copies recorded not sent because the relay lacked SMTPUTF8 "
    "(run it once the relay offers it): each once; never a copy already delivered.",
)
@click.option(
    "--send-stale",
    "send_stale",
    is_flag=True,
    help="Send an edition built longer ago than [edition] max_age_hours all the same "
    "(without it, its first send is refused: its news is old; a resumed send needs no flag).",
)
def send(
    config: str, edition_id: int, dry_run: bool, workers: int, retry: bool, send_stale: bool
) -> None:
    """Deliver an edition to every subscriber due (resumable; never sends twice).

    Safe to run again after a crash, a kill, Ctrl-C or `digest pause`: it sends to
    exactly those the ledger does not have as sent or bounced (or unsendable: an
    address that is not ASCII through a relay without SMTPUTF8, tried again only
    with --retry-unsendable). A paused edition is resumed; a cancelled one is refused,
    and so is the first send of an edition built longer ago than [edition]
    max_age_hours (old news: `digest build` makes a fresh one; --send-stale sends it),
    and that of an edition whose stories went out to the list in another edition.
    Exits 1 when anyone is left without the edition.
    """
    from digest.deliver.run import SendOptions, send_edition
    from digest.deliver.unsent import SHOWN, unsent_note

    # The process ends after the command: what it made need not be collected on the way
    # out (the interpreter's exit collections take 0.15-0.35 s after a send; the
    # database's connections are closed below, so nothing needs a finaliser).
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    app = open_app(config)
    store = app.store
    edition = store.edition(edition_id)
    gate.check(edition, app.settings.edition.min_stories)  # before anything is sent
    app.keys  # noqa: B018 -- a key the database does not know: refused before anything is said
    if not dry_run:  # what a killed run journaled is delivered: counted as such below
        store.apply_journals(edition_id, datetime.now(UTC))
    before = store.ledger(edition_id)
    max_age = app.settings.edition.max_age_hours
    if not before and not dry_run and not send_stale:  # a first send: never old news unasked
        gate.check_fresh(edition, max_age, datetime.now(UTC), config=str(app.settings.path))
    sent_by = store.sent_by(edition.list, but=edition_id) if not before else {}
    if not dry_run:  # a first send: never stories its readers got in another edition
        gate.check_unsent(edition, sent_by)
    elif repeated := gate.repeats(edition, sent_by):
        err.print(
            f"[yellow]{escape(f'{repeated[0].upper()}{repeated[1:]}')}; `digest send "
            f"{edition_id}` refuses it: {escape(gate.repeat_ways_on(edition))}.[/]",
            soft_wrap=True,
        )
    warn_unhosted(app, edition)
    if before:
        console.print(f"Ledger before this run: {ledger_line(before)}.")
    if edition.status == EditionStatus.PAUSED and not dry_run:
        console.print(f"Resuming paused edition {edition_id}.")
    if not before and (note := gate.stale(edition_id, edition.at, max_age, datetime.now(UTC))):
        then = (
            f"`digest send {edition_id}` refuses it without --send-stale"
            if dry_run
            else "sending it all the same (--send-stale)"
        )
        err.print(f"[yellow]{escape(f'{note[0].upper()}{note[1:]}; {then}')}.[/]", soft_wrap=True)
    if not dry_run and (warning := example_domains_warning(app.settings)):
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    lst = app.settings.list(edition.list)
    options = SendOptions(
        workers=workers,
        dry_run=dry_run,
        retry_unsendable=datetime.now(UTC) if retry else None,
        send_stale=send_stale,
    )
    total = store.due_count(
        edition_id,
        edition.list,
        list_timezone=lst.timezone,
        retry_before=options.retry_unsendable,
    )
    nobody = not before and not store.subscribers(lst.name, statuses=("active",), limit=1)
    if app.settings.queue.broker and not dry_run:
        from digest.deliver.broker import broker_location

        queue = f"{app.settings.queue.name} on {broker_location(app.settings.queue.broker)}"
        console.print(f"Sending through `digest worker`s (queue {queue}).")
    bar = Progress(
        TextColumn("[bold]sending[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>7.1f}/s"),
        TextColumn("bounced {task.fields[bounced]}, deferred {task.fields[deferred]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=made(err),
        transient=True,
        disable=dry_run,
    )
    task = bar.add_task("send", total=total, rate=0.0, bounced=0, deferred=0)
    start = time.monotonic()

    def progress(counts: dict[str, int]) -> None:
        # Started on the first report, once the workers are running: the bar's refresh
        # thread must not exist while worker processes are forked.
        bar.start()
        done = counts["sent"] + counts["bounced"] + counts["deferred"] + counts.get("failed", 0)
        secs = max(time.monotonic() - start, 1e-6)
        bar.update(
            task,
            completed=done,
            rate=counts["sent"] / secs,
            bounced=counts["bounced"],
            deferred=counts["deferred"],
        )

    try:
        summary = send_edition(app, edition_id, options=options, progress=progress)
        # Rows still claimed once this run gave its own back: another process's.
        held = store.ledger(edition_id).get("claimed", 0) if summary.remaining else 0
        # Copies not sent that someone is still owed (after a dry run: all of them).
        unsent, listed = store.unsent(edition_id, limit=None if dry_run else SHOWN)
    finally:
        bar.stop()
        store.close()
    elapsed = time.monotonic() - start
    if dry_run:
        console.print(
            f"Dry run: {summary.planned} messages would be sent; "
            f"{summary.skipped} already delivered (skipped)."
        )
        _print_errors(summary.errors)
        if unsent:
            console.print(
                f"{unsent} of them not sent before (their addresses need SMTPUTF8):"
                if retry
                else f"Not sent ({unsent}; `--retry-unsendable` sends them too):"
            )
            for d in listed:
                console.print(f"  {d.email}", markup=False, soft_wrap=True)
        return
    rate = summary.sent / elapsed if elapsed > 0 else 0.0
    failed = f"failed {summary.failed}, " if summary.failed else ""
    console.print(
        f"Sent {summary.sent}, bounced {summary.bounced}, deferred {summary.deferred}, {failed}"
        f"skipped {summary.skipped} (already delivered) in {elapsed:.1f} s ({rate:.0f}/s)."
    )
    _print_errors(summary.errors)
    if nobody and not summary.sent:
        err.print(
            f"[yellow]warning:[/] list {escape(repr(lst.name))} has no active subscriber; "
            f"nobody got edition {edition_id}. `digest subscribers import FILE --list "
            f"{escape(lst.name)}` adds them; `digest send {edition_id}` then sends to them.",
            soft_wrap=True,
        )
    left = 0  # the exit status: 1 when anyone is left without the edition
    if summary.paused:
        err.print(f"[yellow]Stopped:[/] {escape(summary.paused)}", soft_wrap=True)
        left = 1
    elif summary.remaining:
        held = min(held, summary.remaining)
        why = "deferred after retries"
        if held:
            why = (
                f"{held} claimed by another process, which may still be sending them: "
                f"taken over once their claim is {app.settings.queue.lease} s old "
                "([queue] lease)"
            )
            if held < summary.remaining:
                why += f"; {summary.remaining - held} deferred after retries"
        err.print(
            f"[yellow]{summary.remaining} still due[/] ({why}); "
            f"run `digest send {edition_id}` again to retry them.",
            soft_wrap=True,
        )
        left = 1
    if unsent:
        err.print(f"[yellow]{escape(unsent_note(edition_id, unsent, listed))}.[/]", soft_wrap=True)
        left = 1
    if left:
        sys.exit(left)


def _print_errors(errors: list[str], shown: int = 10) -> None:
    """The run's errors, each once with how many messages it stopped (a server that is
    down gives every message the same one), at most `shown` of them."""
    counts = Counter(errors)
    for line, n in list(counts.items())[:shown]:
        console.print(f"  {line}" + (f" (x{n})" if n > 1 else ""), markup=False, soft_wrap=True)
    if len(counts) > shown:
        console.print(f"  … and {len(counts) - shown} more")


@click.command()
@config_option
@click.argument("edition_id", type=int)
def pause(config: str, edition_id: int) -> None:
    """Pause an edition: running sends stop after their current message and record
    what they sent; `digest send ID` resumes it."""
    counts = _stop(config, edition_id, EditionStatus.PAUSED, "there is nothing to pause")
    console.print(f"Paused edition {edition_id}{counts}. Resume with `digest send {edition_id}`.")


@click.command()
@config_option
@click.argument("edition_id", type=int)
def cancel(config: str, edition_id: int) -> None:
    """Cancel an edition: running sends stop after their current message; nobody
    else gets it, and `digest send ID` refuses it from now on."""
    counts = _stop(config, edition_id, EditionStatus.CANCELLED, "it cannot be cancelled")
    console.print(f"Cancelled edition {edition_id}{counts}.")


def _stop(config: str, edition_id: int, to: EditionStatus, refusal: str) -> str:
    """Set the edition's status to `to` (pause, cancel) if its lifecycle allows it;
    returns its ledger's counts as " (...)" (or nothing, before any send). Cancelling
    records first what a killed send journaled (:meth:`Store.set_edition_status`): the
    counts tell who got the edition."""
    store = open_app(config).store
    status = store.edition(edition_id).status
    if not allowed(status, to):
        raise DeliveryError(f"edition {edition_id} is {status}; {refusal}")
    if not store.set_edition_status(edition_id, to, now=datetime.now(UTC), expect=(status,)):
        raise DeliveryError(f"edition {edition_id} changed status meanwhile; try again")
    counts = store.ledger(edition_id)
    words = CANCELLED_WORDS if to == EditionStatus.CANCELLED else LEDGER_WORDS
    return f" ({ledger_line(counts, words)})" if counts else ""


#: The commands this module adds to `digest` (registered by :mod:`digest.cli`).
COMMANDS = (send, pause, cancel)
