"""A worker killed on this machine: its claimed rows are sent again at once, not after
`[queue] lease` seconds.

Two real `digest worker` processes over RabbitMQ or Redis, PostgreSQL, and a loopback
SMTP server slow enough that a SIGKILL lands in the middle of a batch. The lease is
the production default (600 s); the send must end well within it, with everyone
reached and only the killed worker's messages in flight sent twice.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from digest.app import App
from digest.store import schema as t
from tests.databases import postgres_database
from tests.test_send_support import DIGEST, FaultyHandler, add_subscribers, build, small_project
from tests.test_send_support import smtp_server as faulty_smtp
from tests.test_workers_support import rabbitmq_queue, redis_broker, workers

TOTAL = 300


@dataclass
class SlowHandler(FaultyHandler):
    """Takes `delay` seconds over each message (other connections go on meanwhile)."""

    delay: float = 0.02

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def _broker(kind: str) -> Iterator[tuple[str, str]]:
    """(broker URL, queue name). Redis redelivers a killed worker's task only after
    `visibility_timeout` (an hour here): only the follower can free its rows."""
    if kind == "redis":
        with redis_broker() as url:
            yield url, "digest"
    else:
        with rabbitmq_queue() as (url, name):
            yield url, name


@pytest.mark.parametrize(
    ("broker_kind", "victim"),
    [
        ("rabbitmq", "worker"),  # the whole worker: RabbitMQ redelivers as its connection drops
        ("rabbitmq", "child"),  # its pool child only: task_reject_on_worker_lost redelivers
        ("redis", "worker"),  # no redelivery within the send: the follower frees the rows
    ],
)
def test_rows_of_a_worker_killed_on_this_machine_are_sent_at_once(
    tmp_path: Path, broker_kind: str, victim: str
) -> None:
    # Before: `digest send` waited out the 600 s lease for the dead worker's claims
    # ("Sent 297 ... in 602.5 s") although its process was gone from this machine.
    handler = SlowHandler()
    with (
        postgres_database() as db,
        _broker(broker_kind) as (broker, queue),
        faulty_smtp(handler) as port,
    ):
        extra = (
            f'[queue]\nbroker = "{broker}"\nname = "{queue}"\nbatch = 50\n'
            "visibility_timeout = 3600\nlease = 600\n"
        )
        config = small_project(tmp_path / "news", port, extra=extra, database=db)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, TOTAL)
        ids = {s.id for s in app.store.subscribers("daily")}
        d = t.deliveries

        def held_by_a() -> dict[int, str]:
            with app.store.engine.connect() as conn:
                rows = conn.execute(
                    select(d.c.subscriber_id, d.c.worker).where(
                        d.c.edition_id == edition,
                        d.c.status == "claimed",
                        d.c.worker.like("%:a@%"),
                    )
                )
                return {int(sid): str(worker) for sid, worker in rows}

        with workers(config, tmp_path, "a", "b") as (a, b):
            send = subprocess.Popen(
                [*DIGEST, "send", str(edition), "--config", str(config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 60
            while not (handler.count() >= 40 and len(held := held_by_a()) > 10):
                assert send.poll() is None and time.monotonic() < deadline, a.text()
                time.sleep(0.01)
            if victim == "worker":
                a.kill()  # SIGKILL to a's whole process group, in the middle of a batch
            else:  # the pool child that claimed the rows: `host:pid:a@host`
                (holder,) = set(held.values())
                subprocess.run(["kill", "-9", holder.split(":")[1]], check=True)
            killed = time.monotonic()
            unsent = set(held_by_a())  # claimed, not marked: in flight, or never handed over
            try:
                out = send.communicate(timeout=90)[0].decode()
            except subprocess.TimeoutExpired:
                send.kill()
                out = send.communicate()[0].decode()
            took = time.monotonic() - killed
            logs = a.text() + b.text()
        assert send.returncode == 0, out + logs
        assert took < 60, f"{took:.1f} s after the kill:\n{out}"  # the lease is 600 s
        assert f"Sent {TOTAL}, bounced 0, deferred 0" in out, out  # rows, not messages
        per_subscriber = Counter(g.subscriber for g in handler.got)
        assert set(per_subscriber) == ids  # everyone reached
        duplicates = {sid: n - 1 for sid, n in per_subscriber.items() if n > 1}
        # Only a's messages in flight (at most mark_every = 2) went twice.
        assert sum(duplicates.values()) <= 2, duplicates
        assert set(duplicates) <= unsent
        assert len(unsent) > 2
        assert app.store.ledger(edition) == {"sent": TOTAL}
        assert app.store.edition(edition).status == "sent"
        app.store.close()


def test_a_zombie_worker_is_gone_and_a_live_one_is_not() -> None:
    # A worker SIGKILLed with its main process stays a zombie until init reaps it (over
    # a second on some machines): it runs nothing, so its claims are free at once.
    import os
    import socket

    from digest.deliver.lease import pid_alive, process_gone

    stat = Path(f"/proc/{os.getpid()}/stat")
    if not stat.exists():
        pytest.skip("no /proc: zombies are not told apart here")
    here = socket.gethostname()
    zombie = subprocess.Popen(["true"])  # not waited for: a zombie once it exits
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{zombie.pid}/stat").read_bytes().rsplit(b")", 1)[1][1:2] != b"Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert not pid_alive(zombie.pid)
        assert process_gone(f"a@{here}:{zombie.pid}")
        assert not process_gone(f"a@elsewhere:{zombie.pid}")  # another machine's: the lease
    finally:
        zombie.wait()
    with subprocess.Popen(["sleep", "5"]) as live:
        assert pid_alive(live.pid) and not process_gone(f"a@{here}:{live.pid}")
        live.kill()
