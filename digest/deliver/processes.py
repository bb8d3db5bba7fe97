"""Local worker processes: `digest send --workers N` on one machine.

Each worker process runs an engine over its share (subscriber id modulo N) with its own
connection; this process starts them (forked on Linux when it has a single thread,
else spawned), forwards SIGINT/SIGTERM, shows their counters (shared memory), renews
the edition's lease while they run and gathers their summaries. It sends nothing
itself and decides nothing about a message.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, MutableSequence, Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, SpawnContext
from types import FrameType
from typing import TYPE_CHECKING, Any

from digest.config import Settings
from digest.deliver.interfaces import (
    BOUNCED,
    DEFERRED,
    FAILED,
    SENT,
    SLOTS,
    Progress,
    SendOptions,
    SendSummary,
    Stop,
)
from digest.deliver.lease import EditionLease
from digest.errors import DigestError
from digest.lifecycle import StopReason
from digest.message import Prepared

if TYPE_CHECKING:
    from digest.app import App

log = logging.getLogger("digest.send")


def on_signals(handler: Callable[[int, FrameType | None], None]) -> dict[int, Any]:
    """Install `handler` for SIGINT/SIGTERM where possible; return what to restore."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def restore(saved: dict[int, Any]) -> None:
    for sig, previous in saved.items():
        signal.signal(sig, previous)


def _child(
    settings: Settings,
    edition_id: int,
    index: int,
    workers: int,
    options: SendOptions,
    counts: MutableSequence[int],
    report: Connection,
    parent: int,
    owner: str,
    prepared: Mapping[tuple[str, bool], Prepared] | None = None,
) -> None:
    """A worker process: its summary goes back through `report`. `prepared` are the
    parent's prepared variants (forked only: they are never pickled)."""
    from digest.app import App
    from digest.deliver.wiring import run_worker

    stop = Stop(parent)
    on_signals(lambda sig, _f: stop.set(f"{signal.Signals(sig).name} received"))
    try:
        summary = run_worker(
            App(settings),
            edition_id,
            index=index,
            workers=workers,
            options=options,
            stop=stop,
            counts=counts,
            owner=owner,
            prepared=prepared,
        )
    except DigestError as exc:
        summary = SendSummary(paused=f"worker {index} stopped: {exc}", stop=StopReason.WORKER)
    except Exception:
        why = f"worker {index} failed:\n{traceback.format_exc()}"
        summary = SendSummary(paused=why, stop=StopReason.WORKER)
    report.send(summary)
    report.close()


def totals(counts: Sequence[int], workers: int) -> dict[str, int]:
    """This run's counts (sent, bounced, deferred, failed) over its workers' counters."""
    slots = (("sent", SENT), ("bounced", BOUNCED), ("deferred", DEFERRED), ("failed", FAILED))
    return {name: sum(counts[i * SLOTS + slot] for i in range(workers)) for name, slot in slots}


def start_method() -> str:
    """`fork` where it is safe: workers start at once, with nothing to import again.
    Safe means Linux and a single thread in this process (a lock held by another
    thread would stay locked in the child); the caller closes every database
    connection first. Otherwise `spawn`: a fresh interpreter per worker."""
    if (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    ):
        return "fork"
    return "spawn"


def in_processes(
    app: App,
    edition_id: int,
    workers: int,
    options: SendOptions,
    progress: Progress | None,
    lease: EditionLease,
    warm: Callable[[], Mapping[tuple[str, bool], Prepared]] | None = None,
) -> SendSummary:
    """Send with `workers` processes. `warm()` prepares variants in this process first
    when the workers are forked (they inherit them instead of each rendering them)."""
    prepared: Mapping[tuple[str, bool], Prepared] | None = None
    if start_method() == "fork":
        if warm is not None:
            prepared = warm()
        app.store.engine.dispose()  # no database connection may cross a fork
        ctx: ForkContext | SpawnContext = multiprocessing.get_context("fork")
    else:
        ctx = multiprocessing.get_context("spawn")
    counts = ctx.Array("q", SLOTS * workers, lock=False)
    procs, reports = [], []
    for i in range(workers):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_child,
            args=(
                app.settings,
                edition_id,
                i,
                workers,
                options,
                counts,
                send,
                os.getpid(),
                lease.owner,
                prepared,
            ),
            name=f"digest-send-{edition_id}-{i}",
        )
        proc.start()
        send.close()
        procs.append(proc)
        reports.append(receive)

    def forward(sig: int, _frame: FrameType | None) -> None:
        # the signal this process got, so a worker reports the same reason (Ctrl-C sends
        # SIGINT to the whole group: a forwarded SIGTERM could arrive first)
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, sig)

    saved = on_signals(forward)
    summary = SendSummary()
    lost: str | None = None
    try:
        while any(p.is_alive() for p in procs):
            next(p for p in procs if p.is_alive()).join(0.2)
            if progress:
                progress(totals(counts, workers))
            # The lease is renewed here, not on a thread: forking needs a lone thread.
            if lease.due() and lost is None:
                try:
                    if not lease.renew():
                        lost = lease.lost()
                        forward(signal.SIGTERM, None)
                except Exception as exc:  # the database blinked: the next beat tries again
                    log.warning("edition %d: cannot renew the send lease: %s", edition_id, exc)
        for i, (proc, receive) in enumerate(zip(procs, reports, strict=True)):
            if receive.poll():
                summary.add(receive.recv())
            else:
                summary.add(
                    SendSummary(
                        paused=f"worker {i} ended without a report (exit code "
                        f"{proc.exitcode}); run `digest send {edition_id}` to resume",
                        stop=StopReason.WORKER,
                    )
                )
            receive.close()
    finally:
        restore(saved)
    if lost is not None:
        summary.paused = f"interrupted ({lost}); what was sent is recorded"
        summary.stop = StopReason.LEASE_LOST
    return summary
