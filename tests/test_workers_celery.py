"""Sending with Celery: `digest send` enqueues id ranges, `digest worker` processes send
them, over real Redis and RabbitMQ, into a real SMTP server on loopback, with the
state in a fresh database of the local PostgreSQL.

The deterministic Message-ID (digest.<edition>.<subscriber>.<nonce>@…) says who got what.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from digest.app import App
from digest.cli import main
from digest.deliver.interfaces import SendSummary
from digest.store import schema as t
from tests.conftest import free_port
from tests.databases import postgres_database
from tests.test_send_support import (
    DIGEST,
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
)
from tests.test_send_support import smtp_server as faulty_smtp
from tests.test_workers_support import (
    Worker,
    queue_config,
    rabbitmq_queue,
    redis_broker,
    start_worker,
    workers,
)

_RECEIVED = re.compile(r"Task digest\.send_batch\[([0-9a-f-]+)\] received")
_ENDED = re.compile(r"Task digest\.send_batch\[([0-9a-f-]+)\] (?:succeeded|failed|raised)")


def _workers_in_ledger(app: App, edition: int) -> Counter[str]:
    d = t.deliveries
    with app.store.engine.connect() as conn:
        names = conn.execute(
            select(d.c.worker).where(d.c.edition_id == edition, d.c.status == "sent")
        ).scalars()
        # A claim is `host:pid:node`: the node name (`a@host`) without its host part.
        return Counter(str(n).split(":", 2)[2].split("@")[0] for n in names)


def test_two_workers_deliver_an_edition_exactly_once_over_redis(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with postgres_database() as db, redis_broker() as broker, faulty_smtp(handler) as port:
        config = small_project(tmp_path / "news", port, extra=queue_config(broker), database=db)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 800)
        ids = {s.email: s.id for s in app.store.subscribers("daily")}
        with workers(config, tmp_path, "a", "b", args=("--concurrency", "1")) as (a, b):
            result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
            logs = a.text() + b.text()
        assert result.exit_code == 0, result.output
        assert "Sent 800, bounced 0, deferred 0, skipped 0 (already delivered)" in result.output
        per_subscriber = Counter(g.subscriber for g in handler.got)
        assert sorted(per_subscriber) == sorted(ids.values()) and len(ids) == len(emails)
        assert set(per_subscriber.values()) == {1}  # everyone exactly once
        assert all(ids[g.recipient] == g.subscriber and g.edition == edition for g in handler.got)
        assert app.store.ledger(edition) == {"sent": 800}
        assert app.store.edition(edition).status == "sent"
        by_worker = _workers_in_ledger(app, edition)
        assert set(by_worker) == {"a", "b"} and sum(by_worker.values()) == 800  # both sent
        assert len(_RECEIVED.findall(logs)) >= 8  # 800 subscribers in batches of 100
        for text in (logs, result.output):
            # The broker is named by its host, port and database, never with a password.
            assert f"on {broker}," in logs and "@127.0.0.1:6379" not in text
        app.store.close()


def test_a_killed_worker_s_batch_is_redelivered_and_everyone_is_reached(tmp_path: Path) -> None:
    handler = FaultyHandler()
    total = 1500
    with postgres_database() as db, redis_broker() as broker, faulty_smtp(handler) as port:
        config = small_project(tmp_path / "news", port, extra=queue_config(broker), database=db)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, total)
        ids = {s.email: s.id for s in app.store.subscribers("daily")}
        d = t.deliveries

        def held_by_a() -> set[int]:
            with app.store.engine.connect() as conn:
                rows = conn.execute(
                    select(d.c.subscriber_id).where(
                        d.c.edition_id == edition,
                        d.c.status == "claimed",
                        d.c.worker.like("%:a@%"),
                    )
                ).scalars()
                return set(rows)

        with workers(config, tmp_path, "a", "b") as (a, b):
            send = subprocess.Popen(
                [*DIGEST, "send", str(edition), "--config", str(config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 60
            while not (handler.count() >= 300 and len(held_by_a()) > 10):
                assert send.poll() is None and time.monotonic() < deadline, a.text()
                time.sleep(0.01)
            a.kill()  # SIGKILL to a's whole process group, in the middle of a batch
            unsent = held_by_a()  # claimed, not marked: in flight, or never handed over
            a_log = a.text()
            last = list(_RECEIVED.finditer(a_log))[-1]  # the batch a was sending
            out = send.communicate(timeout=60)[0].decode()
            b_log = b.text()
        assert send.returncode == 0, out + b_log
        assert f"Sent {total}, bounced 0, deferred 0" in out  # rows, not messages
        per_subscriber = Counter(g.subscriber for g in handler.got)
        assert sorted(per_subscriber) == sorted(ids.values())  # everyone reached
        duplicates = {sid: n - 1 for sid, n in per_subscriber.items() if n > 1}
        # Only a's in-flight messages (at most mark_every = 2) went twice; the rest of
        # its batch (claimed, never handed over) went once, from b.
        assert sum(duplicates.values()) <= 2, duplicates
        assert set(duplicates) <= unsent
        assert len(unsent) > 2 and all(per_subscriber[sid] >= 1 for sid in unsent)
        # The batch a held was delivered again, to b.
        held = last.group(1)
        assert f"send_batch[{held}] succeeded" not in a_log[last.end() :], a_log
        assert f"send_batch[{held}] received" in b_log, b_log
        assert app.store.ledger(edition) == {"sent": total}
        assert app.store.edition(edition).status == "sent"
        app.store.close()


def test_rabbitmq_broker_with_a_prefork_pool_and_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = FaultyHandler()
    with (
        postgres_database() as db,
        rabbitmq_queue() as (broker, queue),
        faulty_smtp(handler) as port,
    ):
        user, password = "guest", "guest"
        assert broker.startswith(f"amqp://{user}:{password}@")
        monkeypatch.setenv("DIGEST_BROKER_PASSWORD", password)  # digest.toml has none
        extra = queue_config(broker.replace(f":{password}@", "@"), name=queue, batch=50)
        config = small_project(tmp_path / "news", port, extra=extra, database=db)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 200)
        ids = {s.email: s.id for s in app.store.subscribers("daily")}
        worker = start_worker(config, "r", tmp_path, "--concurrency", "2")
        try:
            worker.wait_ready()
            result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
        finally:
            worker.stop()
        log = worker.text()
        assert result.exit_code == 0, result.output + log
        assert "Sent 200, bounced 0" in result.output
        assert Counter(g.subscriber for g in handler.got) == Counter(ids.values())
        assert app.store.ledger(edition) == {"sent": 200}
        assert f":{password}@" not in log + result.output  # the password is never shown
        assert len(_RECEIVED.findall(log)) == 4
        assert len(set(re.findall(r"ForkPoolWorker-(\d)", log))) == 2  # a prefork pool of two
        app.store.close()


def test_send_with_a_wrong_broker_password_says_so_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RabbitMQ refuses the login with AccessRefused, a channel error kombu leaves
    # unwrapped: `digest send` crashed with a traceback instead of naming the broker.
    with rabbitmq_queue() as (broker, queue):
        user, password = "guest", "guest"
        assert broker.startswith(f"amqp://{user}:{password}@")
        monkeypatch.setenv("DIGEST_BROKER_PASSWORD", "not-the-Passw0rd")
        extra = queue_config(broker.replace(f":{password}@", "@"), name=queue)
        config = small_project(tmp_path / "news", free_port(), extra=extra)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 10)
        app.store.close()
        result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        assert (
            f"cannot enqueue edition {edition} on the broker at amqp://127.0.0.1:5672//"
            in result.output
        )
        assert "ACCESS_REFUSED" in result.output
        assert "not-the-Passw0rd" not in result.output


def test_a_worker_refused_by_the_broker_says_so_without_a_traceback(tmp_path: Path) -> None:
    # Celery logged "Unrecoverable error: AccessRefused(...)" and a 60-line traceback.
    with rabbitmq_queue() as (broker, queue):
        password = "guest"
        extra = queue_config(broker.replace(f":{password}@", "@"), name=queue)
        config = small_project(tmp_path / "news", free_port(), extra=extra)
        project = App.from_config(config)
        project.store  # noqa: B018 - its database (a worker refuses a missing one first)
        project.close()
        env = {**os.environ, "DIGEST_BROKER_PASSWORD": "not-the-Passw0rd"}
        done = subprocess.run(
            [*DIGEST, "worker", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        out = done.stdout + done.stderr
        assert done.returncode == 2, out
        assert "Traceback" not in out and "Unrecoverable" not in out, out
        assert (
            "the broker at amqp://127.0.0.1:5672// ([queue] broker, $DIGEST_BROKER_PASSWORD)" in out
        )
        assert "refused this worker" in out and "ACCESS_REFUSED" in out
        assert "not-the-Passw0rd" not in out


def test_send_following_again_counts_what_earlier_workers_send_meanwhile_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `digest send` again after its follower was killed (the workers go on): what they
    # sent between the ledger counted as skipped and the one the follower started from
    # was in neither number, so "Sent N ... skipped M" fell short of the list.
    from digest.store import Store

    handler = FaultyHandler()
    with postgres_database() as db, redis_broker() as broker, faulty_smtp(handler) as port:
        config = small_project(tmp_path / "news", port, extra=queue_config(broker), database=db)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 50)
        ids = sorted(s.id for s in app.store.subscribers("daily"))
        assert len(ids) == 50

        def mark_sent(chosen: list[int]) -> None:
            app.store.claim(edition, chosen, worker="earlier@host:1", now=NOW)
            app.store.mark(edition, {i: ("sent", None) for i in chosen}, now=NOW)

        app.keys  # noqa: B018 -- the key the earlier run signed with
        mark_sent(ids[:10])  # the earlier run's follower saw these
        analyze = Store.analyze

        def earlier_worker_sends_meanwhile(store: Store) -> None:
            mark_sent(ids[10:15])  # an earlier run's worker, still going
            analyze(store)

        monkeypatch.setattr(Store, "analyze", earlier_worker_sends_meanwhile)
        with workers(config, tmp_path, "a"):
            result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert "Sent 40, bounced 0, deferred 0, skipped 10 (already delivered)" in result.output
        assert len(handler.got) == 35  # the other 15 went out before (not to this server)
        assert app.store.ledger(edition) == {"sent": 50}
        app.store.close()


def test_two_workers_together_keep_rate_per_second(tmp_path: Path) -> None:
    # What docs/deployment.md says: the pace is one for every worker (in the database),
    # not each worker's own.
    handler = FaultyHandler()
    with postgres_database() as db, redis_broker() as broker, faulty_smtp(handler) as port:
        config = small_project(
            tmp_path / "news",
            port,
            "rate_per_second = 20\n",
            extra=queue_config(broker, batch=20),
            database=db,
        )
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 80)
        with workers(config, tmp_path, "a", "b") as started:
            result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
            logs = "".join(w.text() for w in started)
        assert result.exit_code == 0, result.output + logs
        assert handler.count() == 80
        assert set(_workers_in_ledger(app, edition)) == {"a", "b"}  # both sent
        times = sorted(handler.times)
        assert times[-1] - times[0] >= 3.0  # 80 at 20/s together: about 4 s, not 2
        app.store.close()


def _all_tasks_ended(broker: str, *started: Worker) -> bool:
    """No batch waits in the queue and every batch a worker received has ended."""
    import redis

    client = redis.Redis.from_url(broker)
    try:
        queued = client.llen("digest")
    finally:
        client.close()
    logs = "".join(w.text() for w in started)
    return queued == 0 and set(_RECEIVED.findall(logs)) <= set(_ENDED.findall(logs))


def test_pause_reaches_every_worker_and_send_resumes_without_duplicates(tmp_path: Path) -> None:
    handler = FaultyHandler()
    total = 600
    with postgres_database() as db, redis_broker() as broker, faulty_smtp(handler) as port:
        config = small_project(
            tmp_path / "news",
            port,
            "rate_per_second = 100\n",  # all workers: the send lasts long enough to pause it
            extra=queue_config(broker),
            database=db,
        )
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, total)
        ids = {s.email: s.id for s in app.store.subscribers("daily")}
        runner = CliRunner()
        with workers(config, tmp_path, "a", "b") as (a, b):
            send = subprocess.Popen(
                [*DIGEST, "send", str(edition), "--config", str(config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 60
            while handler.count() < 150:
                assert send.poll() is None and time.monotonic() < deadline, a.text() + b.text()
                time.sleep(0.01)
            paused = runner.invoke(main, ["pause", str(edition), "--config", str(config)])
            assert paused.exit_code == 0, paused.output
            out = send.communicate(timeout=30)[0].decode()
            assert send.returncode == 1, out
            assert f"edition {edition} was paused while sending" in out
            # Both workers stop at their next ledger write and record what they sent;
            # batches still queued see the pause and send nothing. Wait for every task
            # to end: a ledger that matches the server for a moment is not proof.
            deadline = time.monotonic() + 20
            while not _all_tasks_ended(broker, a, b):
                assert time.monotonic() < deadline, a.text() + b.text()
                time.sleep(0.05)
            assert app.store.ledger(edition).get("sent", 0) == handler.count()
            stopped_at = handler.count()
            time.sleep(1.0)
            assert handler.count() == stopped_at  # both workers stopped
            assert 150 <= stopped_at < total
            assert app.store.ledger(edition).get("sent") == stopped_at
            assert app.store.edition(edition).status == "paused"
            handler.run = 1
            resumed = runner.invoke(main, ["send", str(edition), "--config", str(config)])
        assert resumed.exit_code == 0, resumed.output
        assert "Resuming paused edition" in resumed.output
        assert f"Sent {total - stopped_at}, bounced 0" in resumed.output
        assert f"skipped {stopped_at}" in resumed.output
        per_subscriber = Counter(g.subscriber for g in handler.got)
        assert per_subscriber == Counter(ids.values())  # everyone exactly once
        assert app.store.ledger(edition) == {"sent": total}
        app.store.close()


@dataclass
class _Following:
    """An edition of 300 subscribers (batches of 100) being followed by `send_queued` in
    a thread, on PostgreSQL and Redis, with no worker running yet."""

    config: Path
    app: App
    edition_id: int
    broker: str
    handler: FaultyHandler
    thread: threading.Thread
    results: list[SendSummary]


@contextmanager
def _following(tmp_path: Path, *, poll: float, stall: float) -> Iterator[_Following]:
    from digest.deliver.follow import send_queued

    handler = FaultyHandler()
    with postgres_database() as db, redis_broker() as broker, faulty_smtp(handler) as port:
        config = small_project(tmp_path / "news", port, extra=queue_config(broker), database=db)
        app = App.from_config(config)
        edition_id = build(app)
        add_subscribers(app, 300)
        app.store.set_edition_status(edition_id, "sending", now=NOW)
        results: list[SendSummary] = []
        follow = threading.Thread(
            target=lambda: results.append(
                send_queued(app, app.store.edition(edition_id), poll=poll, stall=stall)
            )
        )
        yield _Following(config, app, edition_id, broker, handler, follow, results)


def test_with_no_worker_running_the_follower_says_so_and_does_not_pile_up_tasks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Before, every stall enqueued every unfinished range again: with no worker running
    # the queue grew by all of them each time, and the warning did not say why.
    import redis

    with (
        _following(tmp_path, poll=0.05, stall=0.3) as f,
        caplog.at_level("WARNING", logger="digest"),
    ):
        f.thread.start()
        time.sleep(2.0)  # six stalls or more, nobody taking the tasks
        client = redis.Redis.from_url(f.broker)
        waiting = client.llen("digest")
        client.close()
        f.app.store.set_edition_status(f.edition_id, "paused", now=NOW)
        f.thread.join(30)
        assert not f.thread.is_alive()
    assert waiting == 3  # 300 subscribers in batches of 100, enqueued once
    stalls = [r.getMessage() for r in caplog.records if "no progress" in r.getMessage()]
    assert len(stalls) >= 3
    assert all("3 tasks wait on queue 'digest'" in m for m in stalls), stalls
    assert all("is a `digest worker` running" in m for m in stalls)
    assert not f.handler.got


def test_lost_tasks_are_enqueued_again_when_the_ledger_stalls(tmp_path: Path) -> None:
    import redis

    with _following(tmp_path, poll=0.1, stall=2.0) as f:
        f.thread.start()
        client = redis.Redis.from_url(f.broker)
        deadline = time.monotonic() + 10
        while client.llen("digest") < 3:  # 300 subscribers in batches of 100
            assert time.monotonic() < deadline and f.thread.is_alive()
            time.sleep(0.01)
        client.delete("digest")  # the broker lost every task
        client.close()
        with workers(f.config, tmp_path, "a"):
            f.thread.join(60)
        assert not f.thread.is_alive()
    (summary,) = f.results
    assert summary.paused is None and summary.sent == 300
    assert sorted(Counter(g.subscriber for g in f.handler.got).values()) == [1] * 300
