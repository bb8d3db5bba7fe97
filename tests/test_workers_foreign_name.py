"""A worker killed on this machine whose `--name` names another host (`w1@qa9`): its
claimed rows are sent again at once, not after `[queue] lease` seconds.

The ledger used to tell a worker's machine from the host part of its node name, so
`digest worker --name w1@qa9` on a machine called something else held its rows for the
whole lease (600 s) after a `kill -9`. Real `digest worker` processes (solo pool) over
a Redis database of their own, a real SQLite file or PostgreSQL, and a loopback SMTP
server that stops answering in the middle of a batch, so the kill lands with rows
claimed and nothing in flight: everyone gets exactly one copy, on SQLite (the journal)
and on PostgreSQL alike (each message the server took is marked before the next is
handed over; it used to be recorded only while the next was on the wire, so the one
taken before the stall went twice).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from digest.app import App
from digest.store import schema as t
from tests.databases import database_url
from tests.test_send_support import DIGEST, FaultyHandler, add_subscribers, build, small_project
from tests.test_send_support import smtp_server as faulty_smtp
from tests.test_workers_support import Worker, redis_broker

TOTAL = 300


def _worker(config: Path, node: str, folder: Path) -> Worker:
    """`digest worker --pool solo --name <node>` in a process group of its own."""
    log = folder / f"worker-{node}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*DIGEST, "worker", "--config", str(config), "--pool", "solo", "--name", node],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(node, proc, log)
    worker.wait_ready()
    return worker


def _redelivered(broker: str, worker: Worker, *, deadline: float) -> None:
    """Wait until Redis holds no unacknowledged task and `worker` ran all it received."""
    import redis

    client = redis.Redis.from_url(broker)
    try:
        while client.hlen("unacked") or (
            worker.text().count("] received") > worker.text().count("] succeeded")
        ):
            assert time.monotonic() < deadline, worker.text()
            time.sleep(0.1)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("database", "visibility", "pipelining"),
    [
        ("sqlite", 3600, False),  # the production default: Redis gives the batch back in an hour
        ("postgresql", 3600, False),
        ("sqlite", 5, False),  # Redis gives the dead worker's batch back too: nothing goes twice
        # The next MAIL goes with the last message's end: its answer, which never comes,
        # used to be waited for before the message the server took was recorded.
        ("sqlite", 3600, True),
        ("postgresql", 3600, True),
    ],
)
def test_a_killed_worker_named_for_another_host_frees_its_rows_at_once(
    tmp_path: Path, database: str, visibility: int, pipelining: bool
) -> None:
    # Before: "no progress for 660 s and no task waiting; 1 batches enqueued again"
    # (the dead-process check read the machine from `qa9`, not this machine's name).
    # then MAIL waits: the worker is mid-batch
    handler = FaultyHandler(stall_after=60, pipelining=pipelining)
    here = socket.gethostname()
    assert here != "qa9"
    with (
        database_url(database, tmp_path) as db,
        redis_broker() as broker,
        faulty_smtp(handler) as port,
    ):
        extra = (
            f'[queue]\nbroker = "{broker}"\nname = "digest"\nbatch = 50\n'
            f"visibility_timeout = {visibility}\nlease = 600\n"  # lease: the default
        )
        config = small_project(tmp_path / "news", port, extra=extra, database=db)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, TOTAL)
        ids = {s.id for s in app.store.subscribers("daily")}
        d = t.deliveries

        def claims() -> dict[int, str]:
            with app.store.engine.connect() as conn:
                rows = conn.execute(
                    select(d.c.subscriber_id, d.c.worker).where(
                        d.c.edition_id == edition,
                        d.c.status == "claimed",
                        d.c.worker.is_not(None),
                    )
                )
                return {int(sid): str(worker) for sid, worker in rows}

        w1 = _worker(config, "w1@qa9", tmp_path)
        w2: Worker | None = None
        send = subprocess.Popen(
            [*DIGEST, "send", str(edition), "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not (handler.stalled and claims()):
                assert send.poll() is None and time.monotonic() < deadline, w1.text()
                time.sleep(0.02)
            time.sleep(0.5)  # what the server took is marked (or journaled) meanwhile
            held = claims()
            w1.kill()  # kill -9, its whole process group, with its rows claimed
            killed = time.monotonic()
            handler.stall_after = None
            w2 = _worker(config, "w2@qa9", tmp_path)
            try:
                out = send.communicate(timeout=120)[0].decode()
            except subprocess.TimeoutExpired:
                send.kill()
                out = send.communicate()[0].decode()
            took = time.monotonic() - killed
            if visibility < 60:  # the batch Redis gives back has run (it had nothing to send)
                _redelivered(broker, w2, deadline=time.monotonic() + 30)
        finally:
            if send.poll() is None:
                send.kill()
                send.wait()
            w1.kill()
            if w2 is not None:
                w2.stop()
        logs = w1.text() + (w2.text() if w2 is not None else "")
        assert send.returncode == 0, out + logs
        assert took < 30, f"{took:.1f} s after the kill:\n{out}"  # the lease is 600 s
        assert f"Sent {TOTAL}, bounced 0, deferred 0" in out, out
        per_subscriber = Counter(g.subscriber for g in handler.got)
        assert set(per_subscriber) == ids  # everyone reached
        assert (handler.pipelined > 0) == pipelining
        twice = {sid for sid, n in per_subscriber.items() if n > 1}
        # Each message the server took was recorded at once (SQLite: journaled;
        # PostgreSQL: marked before the next hand-over): everyone exactly once.
        assert not twice, per_subscriber.most_common(3)
        assert len(held) > 2
        # The claim named this machine and the worker's process, then its node name.
        assert set(held.values()) == {f"{here[:60]}:{w1.proc.pid}:w1@qa9"}, held
        assert app.store.ledger(edition) == {"sent": TOTAL}
        assert app.store.edition(edition).status == "sent"
        assert "redis://127.0.0.1:6379/" + broker.rsplit("/", 1)[1] in w1.text()  # its db
        if visibility < 60:  # the batch Redis gave back ran on w2 (its rows were done)
            lo = (min(held) - 1) // 50 * 50
            assert f"ids ({lo}, {lo + 50}]" in logs.split("w2@qa9 ready.")[1], logs
        app.store.close()


def test_the_process_a_claim_names_is_read_from_its_machine_part() -> None:
    from digest.deliver.lease import process_gone, worker_holder

    here = socket.gethostname()
    with subprocess.Popen(["true"]) as ended:
        pass  # ended and reaped: no such process
    with subprocess.Popen(["sleep", "5"]) as live:
        try:
            assert process_gone(worker_holder("w1@qa9", ended.pid))
            assert not process_gone(worker_holder("w1@qa9", live.pid))
            assert not process_gone(f"elsewhere:{ended.pid}:w1@{here}")  # another machine
            # A claim of an older worker (`node@host:pid`) is read as before.
            assert process_gone(f"w1@{here}:{ended.pid}")
            assert not process_gone(f"w1@qa9:{ended.pid}")
            # Whatever the node name holds, the claim fits its column and names the process.
            long = worker_holder("x:y/z@" + "h" * 200, ended.pid)
            assert len(long) < 100 and long.startswith(f"{here[:60]}:{ended.pid}:x")
            assert process_gone(long)
            assert worker_holder("w1@qa9", os.getpid()) == f"{here[:60]}:{os.getpid()}:w1@qa9"
        finally:
            live.kill()
