"""Benchmark of the queued send: messages per second with one and with two `digest worker`
processes, on PostgreSQL and Redis, into postfix's ``smtp-sink`` on loopback.

The sample newsletter's edition goes to ``--subscribers`` (5,000) subscribers (a tenth
text-only and a tenth with a chosen section: three variants). The workers (each
``--concurrency 1``: one process, one SMTP connection) are started and ready first;
then ``digest send ID`` runs as a subprocess, timed end to end: cutting the edition
into ranges, enqueueing, the workers' claims, rendering once per variant, sending and
marking, and following the ledger until every row is sent. Between runs the ledger is
emptied. One and two workers alternate ``--repeat`` times (the machine is shared: the
best of each is compared); prints every figure, both bests and their ratio.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres), Redis on 127.0.0.1:6379 and
/usr/sbin/smtp-sink. Run from the repository root: ``python benchmarks/workers.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sink import CLI, start_sink
from sqlalchemy import delete, insert, text

from digest.app import App
from digest.render import default_project
from digest.store import schema as t

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379"


@contextmanager
def postgres() -> Iterator[str]:
    import psycopg

    name = f"digest_bench_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        sys.exit(f"no PostgreSQL at {PG_ADMIN}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def redis_db() -> Iterator[str]:
    import redis

    for n in range(2, 16):
        client = redis.Redis.from_url(f"{REDIS}/{n}", socket_connect_timeout=3)
        try:
            free = client.dbsize() == 0 and client.set("digest-bench-run", "1", nx=True)
        except redis.exceptions.ConnectionError as exc:
            sys.exit(f"no Redis at {REDIS}: {exc}")
        if free:
            try:
                yield f"{REDIS}/{n}"
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    sys.exit("no free Redis database")


def make_project(
    folder: Path, *, port: int, db: str, broker: str, subscribers: int
) -> tuple[Path, int]:
    """The sample newsletter with `subscribers` bulk-inserted; returns config, edition id."""
    sample = default_project()
    folder.mkdir(parents=True)
    shutil.copytree(sample / "sources", folder / "sources")
    stamp = NOW.timestamp() - 3 * 3600
    for file in (folder / "sources" / "articles").iterdir():
        os.utime(file, (stamp, stamp))
    text = (sample / "digest.toml").read_text()
    text = re.sub(r"(?ms)^\[(transport|database|queue)\].*?(?=^\[|\Z)", "", text)
    text = re.sub(r"(?m)^subscribers = .*$", "", text)
    text += (
        f'\n[transport]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\n'
        f'\n[database]\nurl = "{db}"\n'
        f'\n[queue]\nbroker = "{broker}"\nbatch = 500\n'
    )
    config = folder / "digest.toml"
    config.write_text(text)
    app = App.from_config(config)
    app.collect(now=NOW)
    edition = app.build(now=NOW)
    assert edition.id is not None
    list_id = app.store.list_id(edition.list)
    rows: list[dict[str, Any]] = [
        {
            "list_id": list_id,
            "email": f"reader{i}@example.net",
            "name": f"Reader Number{i}",
            "status": "active",
            "sections": ["Culture"] if i % 10 == 3 else [],
            "timezone": None,
            "format": "text" if i % 10 == 7 else "html",
            "paused": False,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(subscribers)
    ]
    with app.store.engine.begin() as conn:
        conn.execute(insert(t.subscribers), rows)
    app.store.close()
    return config, edition.id


def reset(config: Path, edition_id: int) -> None:
    """Empty the edition's ledger and make it approved again (as before any send)."""
    app = App.from_config(config)
    with app.store.engine.begin() as conn:
        conn.execute(delete(t.deliveries).where(t.deliveries.c.edition_id == edition_id))
    app.store.set_edition_status(edition_id, "approved", now=NOW)
    with app.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE deliveries"))  # no dead rows from the last run
    app.store.close()


@contextmanager
def workers(config: Path, count: int, logs: Path) -> Iterator[set[int]]:
    """`count` workers, started and ready; yields their process groups."""
    procs = []
    for i in range(count):
        out = open(logs / f"worker-{count}-{i}.log", "wb")  # noqa: SIM115 - kept while it runs
        procs.append(
            (
                subprocess.Popen(
                    [
                        *[sys.executable, "-c", CLI, "worker", "--config", str(config)],
                        "--concurrency",
                        "1",
                        "--name",
                        f"w{i}@%h",
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                ),
                out,
            )
        )
    try:
        deadline = time.monotonic() + 60
        for i, (proc, _) in enumerate(procs):
            log = logs / f"worker-{count}-{i}.log"
            while "ready." not in log.read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"worker did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.05)
        yield {proc.pid for proc, _ in procs}
    finally:
        for proc, _ in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc, out in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            out.close()


def _group_cpu(groups: set[int]) -> float:
    """CPU seconds (user + system) used so far by the processes in these process groups."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def run_send(config: Path, edition_id: int, subscribers: int, groups: set[int]) -> dict[str, Any]:
    """`digest send` timed end to end; the workers' CPU time and the machine's load."""
    cpu, (busy, total) = _group_cpu(groups), _machine_busy()
    began = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CLI,
            "send",
            str(edition_id),
            "--send-stale",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - began
    busy_after, total_after = _machine_busy()
    if done.returncode != 0 or f"Sent {subscribers}," not in done.stdout:
        sys.exit(f"digest send failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return {
        "seconds": seconds,
        "worker_cpu": _group_cpu(groups) - cpu,
        "machine_busy": (busy_after - busy) / max(1, total_after - total),
        "summary": " ".join(done.stdout.split()).split("Sent ", 1)[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=2, help="alternating runs of each")
    args = parser.parse_args()
    sink, port = start_sink("-c")
    tmp = Path(tempfile.mkdtemp(prefix="digest-bench-workers-"))
    try:
        with postgres() as db, redis_db() as broker:
            config, edition = make_project(
                tmp / "news", port=port, db=db, broker=broker, subscribers=args.subscribers
            )
            print(
                f"smtp-sink on 127.0.0.1:{port}; PostgreSQL; Redis; {args.subscribers:,} "
                f"subscribers in batches of 500; {os.cpu_count()} cores"
            )
            print(f"load average before: {os.getloadavg()[0]:.2f}")
            best: dict[int, float] = {}
            for _ in range(args.repeat):
                for count in (1, 2):
                    reset(config, edition)
                    with workers(config, count, tmp) as groups:
                        r = run_send(config, edition, args.subscribers, groups)
                    rate = args.subscribers / r["seconds"]
                    best[count] = max(best.get(count, 0.0), rate)
                    print(
                        f"   {count} worker(s): {r['seconds']:5.2f} s, {rate:5.0f} msg/s; "
                        f"workers' CPU {r['worker_cpu']:5.2f} s "
                        f"({1000 * r['worker_cpu'] / args.subscribers:.2f} ms/message); "
                        f"machine busy {100 * r['machine_busy']:3.0f}%  [Sent {r['summary']}]"
                    )
            print(
                f"best: 1 worker {best[1]:.0f} msg/s, 2 workers {best[2]:.0f} msg/s, "
                f"ratio {best[2] / best[1]:.2f}"
            )
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
