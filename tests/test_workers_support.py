"""Shared parts of the Celery worker tests and benchmark (no tests here): a Redis
database of its own per run, a RabbitMQ queue of its own, and `digest worker`
subprocesses with their logs.

Brokers that do not answer make a test skip with the reason, except under CI
(CI=true), where they are part of the machine and a skip would hide a failure.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_send_support import DIGEST

REDIS = os.environ.get("DIGEST_TEST_REDIS", "redis://127.0.0.1:6379")
RABBITMQ = os.environ.get("DIGEST_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672//")


def _absent(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"required under CI: {why}")
    pytest.skip(why)


@contextmanager
def redis_broker() -> Iterator[str]:
    """redis://…/<n>: a Redis database nobody else uses now, flushed afterwards."""
    import redis

    claimed = None
    for n in [*range(2, 16)]:
        client = redis.Redis.from_url(f"{REDIS}/{n}", socket_connect_timeout=3)
        try:
            # An empty database, reserved with a marker key nobody else sets.
            if client.dbsize() == 0 and client.set("digest-test-run", "1", nx=True):
                claimed = client, n
                break
        except redis.exceptions.ConnectionError as exc:
            _absent(f"no Redis at {REDIS}: {exc}")
        client.close()
    if claimed is None:
        _absent(f"no free database on the Redis at {REDIS}")
        return
    client, n = claimed
    try:
        yield f"{REDIS}/{n}"
    finally:
        client.flushdb()
        client.close()


@contextmanager
def rabbitmq_queue() -> Iterator[tuple[str, str]]:
    """(broker URL, a queue name of its own); the queue is deleted afterwards."""
    from kombu import Connection

    name = f"digest-test-{secrets.token_hex(4)}"
    try:
        with Connection(RABBITMQ, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        _absent(f"no RabbitMQ at 127.0.0.1:5672: {exc}")
    try:
        yield RABBITMQ, name
    finally:
        with Connection(RABBITMQ, connect_timeout=3) as conn, suppress(Exception):
            conn.default_channel.queue_delete(name)  # (it may never have been declared)


def queue_config(broker: str, *, name: str = "digest", batch: int = 100) -> str:
    """A [queue] table for tests: short lease and visibility timeout (seconds, not the
    production minutes), so a killed worker's batch comes back within the test."""
    return (
        f'[queue]\nbroker = "{broker}"\nname = "{name}"\nbatch = {batch}\n'
        "visibility_timeout = 3\nlease = 2\n"
    )


@dataclass
class Worker:
    """A `digest worker` subprocess in a process group of its own."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.text():
            assert self.proc.poll() is None, f"worker {self.name} ended:\n{self.text()}"
            assert time.monotonic() < deadline, f"worker {self.name} not ready:\n{self.text()}"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes (the whole process group)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """SIGTERM (a warm shutdown), then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_worker(config: Path, name: str, folder: Path, *args: str) -> Worker:
    log = folder / f"worker-{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*DIGEST, "worker", "--config", str(config), "--name", f"{name}@%h", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(name, proc, log)


@contextmanager
def workers(
    config: Path, folder: Path, *names: str, args: tuple[str, ...] = ()
) -> Iterator[list[Worker]]:
    started = [start_worker(config, n, folder, *args) for n in names]
    try:
        for w in started:
            w.wait_ready()
        yield started
    finally:
        for w in started:
            w.stop()
