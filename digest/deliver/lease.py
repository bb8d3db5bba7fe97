"""One run per edition: the send lease (owner, expiry) and its renewal.

A run takes the edition's lease before anything is claimed, renews it while it runs
(every LEASE_RENEW seconds) and gives it back at the end. A second run of the same
edition is refused with who holds it and until when; a crashed run's lease is taken
over once it expires, or at once when its process is provably gone (same machine).
This module does not send or claim; it only holds the edition.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from digest.errors import DeliveryError

if TYPE_CHECKING:
    from digest.store import Store

log = logging.getLogger("digest.send")

#: A run holds the edition's send lease this many seconds past its last renewal, and
#: renews it every LEASE_RENEW seconds on a thread of its own (so a worker waiting on
#: the network never lets it lapse).
LEASE_SECONDS = 60.0
LEASE_RENEW = 5.0


def _wall() -> datetime:
    """Leases are between processes, possibly on several machines: real time, never
    the injected clock (which may stand still in a test or a replay)."""
    return datetime.now(UTC)


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine with this id exists and runs: a zombie (ended,
    its exit status not yet collected: SIGKILLed with its parent, until init reaps it)
    does not; a process of another user does (the cautious answer). A reused id names
    a live process: the answer stays cautious (a lease is then waited out)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return not _ended(pid)


def _ended(pid: int) -> bool:
    """Linux: /proc/<pid>/stat says the process is a zombie (Z) or dead (X)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            line = stat.read()
    except OSError:  # no /proc (not Linux), or reaped just now: os.kill decided
        return False
    state = line[line.rfind(b")") + 2 :][:1]  # after "pid (comm) ", comm may hold ")"
    return state in (b"Z", b"X")


def pre_lease_gone(worker: str) -> bool:
    """Whether a ledger claim is one a `digest send` from before send leases (up to
    migration 0004) left behind, by a process of this machine that is gone.

    Such a run named its claims `host:pid:index`, with no run owner (`owner/index`
    now), and gave none back when it paused or was killed. Whoever holds the lease
    sends the edition alone, so those rows are free once their process is provably
    gone; one of another machine is waited for until the claims' lease runs out, as
    is a process that still exists."""
    if "/" in worker:
        return False
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
        return False
    host, pid, _index = parts
    return host == socket.gethostname() and int(pid) != os.getpid() and not pid_alive(int(pid))


def worker_holder(node: str, pid: int) -> str:
    """How a queue worker's process names its ledger claims: `host:pid:node`.

    `host` is this machine's host name and `pid` the process sending (a pool child's
    own): what :func:`process_gone` reads, whatever `digest worker --name` (`node`, shown
    last, e.g. `w1@qa9`) says. The node name is cut to fit the column (100 characters)
    and loses any `:` or `/`, so the machine and the process always read back."""
    host = socket.gethostname()[:60]
    clean = node.replace(":", "_").replace("/", "_")
    return f"{host}:{pid}:{clean}"[:99]


def process_gone(name: str) -> bool:
    """Whether the process a send lease's owner or a ledger claim names is one of this
    machine that is gone: a run's `host:pid:token` (its claims `host:pid:token/index`),
    a pre-lease claim's `host:pid:index`, a worker's `host:pid:node`
    (:func:`worker_holder`), or an older worker's `node@host:pid` (its machine told by
    its node name). A name of another machine, or one cut short (an older worker's long
    name), is not known to be gone."""
    if len(name) >= 100:
        return False
    parts = name.split("/", 1)[0].split(":", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return False
    host, pid = parts[0], int(parts[1])
    if "@" in host:  # an older worker's `node@host:pid`
        if len(parts) != 2:
            return False
        host = host.rsplit("@", 1)[1]
    here = socket.gethostname()
    return host in (here, here[:60]) and pid != os.getpid() and not pid_alive(pid)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EditionLease:
    """This run's hold on an edition: taken before anything is claimed, renewed while
    the run lasts, given back at the end (with the ledger claims it never marked).

    Another run's lease is taken over only when it ran out (its process stopped
    renewing: killed, or its machine gone) or when its process is provably gone
    (same machine, no such process: a SIGKILLed send resumes at once). Otherwise
    :meth:`take` refuses with who holds the edition and until when."""

    def __init__(self, store: Store, edition_id: int, *, seconds: float = LEASE_SECONDS) -> None:
        self.store, self.edition_id, self.seconds = store, edition_id, seconds
        self.host, self.pid = socket.gethostname()[:60], os.getpid()
        self.owner = f"{self.host}:{self.pid}:{secrets.token_hex(4)}"
        self.renewed = time.monotonic()

    def take(self) -> None:
        replace: str | None = None
        while True:
            held = self.store.take_send_lease(
                self.edition_id,
                owner=self.owner,
                host=self.host,
                pid=self.pid,
                now=_wall(),
                seconds=self.seconds,
                replace=replace,
            )
            if held is None:
                self.renewed = time.monotonic()
                freed = self.store.free_claims_of(self.edition_id, pre_lease_gone)
                if freed:
                    log.warning(
                        "edition %d: resuming %d messages claimed by an earlier digest's "
                        "send, whose process is gone",
                        self.edition_id,
                        len(freed),
                    )
                return
            if held.owner == replace or held.host != self.host or pid_alive(held.pid):
                break
            log.warning(
                "edition %d: taking over the send of pid %d, which is gone",
                self.edition_id,
                held.pid,
            )
            replace = held.owner  # its process is gone: take its lease at once
        raise DeliveryError(
            f"edition {self.edition_id} is being sent by another process (pid {held.pid} "
            f"on {held.host}, since {_iso(held.since)}); try again after it finishes or "
            f"after its lease expires at {_iso(held.until)}"
        )

    def renew(self) -> bool:
        """Extend the lease; False when another run took it over (ours ran out)."""
        self.renewed = time.monotonic()
        return self.store.renew_send_lease(
            self.edition_id, owner=self.owner, now=_wall(), seconds=self.seconds
        )

    def due(self) -> bool:
        return time.monotonic() - self.renewed >= LEASE_RENEW

    def release(self) -> None:
        try:
            self.store.release_send_lease(self.edition_id, owner=self.owner)
        except Exception as exc:  # it runs out by itself; never hide why the send ended
            log.warning("edition %d: cannot release the send lease: %s", self.edition_id, exc)

    def lost(self) -> str:
        return (
            f"edition {self.edition_id}'s send lease ran out and another run took the edition over"
        )


class Renewer:
    """Renews a lease on a thread while in `with`; calls `on_lost` if it is lost."""

    def __init__(self, lease: EditionLease, on_lost: Callable[[str], None]) -> None:
        self.lease, self.on_lost = lease, on_lost
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="digest-send-lease", daemon=True)

    def _run(self) -> None:
        while not self.done.wait(LEASE_RENEW):
            try:
                if not self.lease.renew():
                    self.on_lost(self.lease.lost())
                    return
            except Exception as exc:  # the database blinked: the next beat tries again
                log.warning(
                    "edition %d: cannot renew the send lease: %s", self.lease.edition_id, exc
                )

    def __enter__(self) -> Renewer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()
