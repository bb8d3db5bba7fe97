"""Benchmark of delivery: is `digest send` as fast as the SMTP server allows, and is its
memory flat in the list's size?

1. Throughput. The sample newsletter's edition goes to ``--subscribers`` (20,000)
   subscribers through ``digest send ID --workers N`` (a subprocess, timed end to end:
   start-up, rendering, the ledger and all) into postfix's ``smtp-sink`` running on
   its own on a loopback port. In the same run, the *ceiling*: one pre-built message
   (the same edition's bytes) sent with plain ``smtplib`` over the same number of
   connections (N processes, timed once they are connected); and the same bytes
   through digest's own SMTP transport, used as the engine uses it (when the server
   offers PIPELINING, as smtp-sink does, MAIL/RCPT/DATA of the next message go with
   this one's final dot: one round trip a message). They alternate ``--repeat`` times (this
   machine is shared: the best of each is compared); prints every figure and the
   ratios of the best (target: at least 0.75 of digest's own transport's ceiling).
   Each round also sends the same edition DKIM-signed (a fresh RSA 2048 key, the same
   project with `[newsletter.dkim]`); target: at least 0.6 of the unsigned rate.
   The CPU each send used (the command and its workers, and smtp-sink) is measured
   too, with one RSA signature timed alone: a signed send is CPU-bound, so the CPU a
   signed message costs tells the fastest rate this machine's cores allow.
2. Memory. For each of ``--memory`` (10,000 and 100,000) subscribers, a fresh project
   is sent with ``digest send --workers N``; the peak RSS (VmHWM) of the command's
   process and of each worker process is sampled from /proc while it runs. Prints
   both and the difference between the sizes (target: under 20 MB).

Subscribers are bulk-inserted (one executemany per 10,000); a tenth are text-only and
a tenth chose a section, so three variants are prepared. Run from the repository root:
``python benchmarks/send.py`` (``--memory ''`` skips part 2).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import shutil
import smtplib
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sink import CLI, start_sink
from sqlalchemy import insert

from digest.app import App
from digest.config import DKIM_KEY_ENV, TransportSettings
from digest.deliver.transports import SmtpTransport
from digest.render import default_project
from digest.store import schema as t

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def make_project(folder: Path, port: int, subscribers: int) -> tuple[Path, int]:
    """The sample newsletter with `subscribers` bulk-inserted; returns config, edition id."""
    sample = default_project()
    folder.mkdir(parents=True)
    shutil.copytree(sample / "sources", folder / "sources")
    stamp = NOW.timestamp() - 3 * 3600
    for file in (folder / "sources" / "articles").iterdir():
        os.utime(file, (stamp, stamp))
    text = (sample / "digest.toml").read_text()
    text = re.sub(r"(?ms)^\[transport\].*?(?=^\[|\Z)", "", text)
    text = re.sub(r"(?m)^subscribers = .*$", "", text)
    text += f'\n[transport]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\n'
    config = folder / "digest.toml"
    config.write_text(text)
    app = App.from_config(config)
    app.collect(now=NOW)
    edition = app.build(now=NOW)
    assert edition.id is not None
    app.store.set_edition_status(edition.id, "approved", now=NOW)
    list_id = app.store.list_id(edition.list)
    rows: list[dict[str, Any]] = []
    for i in range(subscribers):
        rows.append(
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
        )
        if len(rows) == 10_000 or i == subscribers - 1:
            with app.store.engine.begin() as conn:
                conn.execute(insert(t.subscribers), rows)
            rows = []
    app.store.close()
    return config, edition.id


def _ceiling_worker(port: int, data: bytes, count: int, start: Any, done: Any, ours: bool) -> None:
    if ours:  # digest's own SMTP transport, used as the engine uses it: it pipelines
        # when the server offers PIPELINING, each message's end with the next's commands
        transport = SmtpTransport(TransportSettings(kind="smtp", host="127.0.0.1", port=port))
        transport.open()
        start.wait()
        sender = "brief@example.org"
        for i in range(count):
            then = (sender, f"reader{i + 1}@example.net") if i + 1 < count else None
            transport.start(sender, f"reader{i}@example.net", data, name="x", then=then)
            transport.finish()
        transport.close()
    else:
        conn = smtplib.SMTP("127.0.0.1", port)
        conn.ehlo()
        start.wait()
        for i in range(count):
            conn.sendmail("brief@example.org", [f"reader{i}@example.net"], data)
        conn.quit()
    done.put(time.perf_counter())


def ceiling(port: int, data: bytes, total: int, workers: int, *, ours: bool = False) -> float:
    """Messages per second for pre-built bytes over `workers` connections: smtplib's
    `sendmail`, or (`ours`) digest's SmtpTransport."""
    ctx = multiprocessing.get_context("spawn")
    start, done = ctx.Event(), ctx.Queue()
    per = [total // workers + (1 if i < total % workers else 0) for i in range(workers)]
    procs = [
        ctx.Process(target=_ceiling_worker, args=(port, data, n, start, done, ours)) for n in per
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)  # let every connection open
    began = time.perf_counter()
    start.set()
    ends = [done.get() for _ in procs]
    for p in procs:
        p.join()
    return total / (max(ends) - began)


def _peak_kib(pid: int) -> int | None:
    """The process's peak resident set size so far (VmHWM), None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rsa_sign_seconds(env: dict[str, str], rounds: int = 300) -> float:
    """One RSA-2048 signature of a DKIM header block with the key in `env`, timed alone
    (OpenSSL through `cryptography`, as digest signs): the median of `rounds`."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key: Any = serialization.load_pem_private_key(env[DKIM_KEY_ENV].encode(), password=None)
    data, pad, digest = b"x" * 600, padding.PKCS1v15(), hashes.SHA256()
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        key.sign(data, pad, digest)
        times.append(time.perf_counter() - began)
    return sorted(times)[rounds // 2]


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def dkim_env() -> dict[str, str]:
    """The environment with a fresh 2048-bit RSA DKIM key in $DIGEST_DKIM_KEY."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {**os.environ, DKIM_KEY_ENV: pem.decode()}


def signed_copy(config: Path, folder: Path) -> Path:
    """The same project (its database too) with `[newsletter.dkim]` set."""
    shutil.copytree(config.parent, folder)
    signed = folder / config.name
    signed.write_text(
        signed.read_text() + '\n[newsletter.dkim]\nselector = "bench"\ndomain = "example.org"\n'
    )
    return signed


def run_send(
    config: Path, edition_id: int, workers: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """`digest send` in a subprocess: its wall time, output and peak RSS (KiB) of the
    command's process and of its largest worker process."""
    args = [sys.executable, "-c", CLI, "send", str(edition_id), "--workers", str(workers)]
    args.append("--send-stale")  # the sample is dated NOW (2026-11-27): old news by today
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began, launched = time.perf_counter(), time.time()
    proc = subprocess.Popen(
        [*args, "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=config.parent,
        env=env,
    )
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        for pid in (proc.pid, *_children(proc.pid)):
            peak = _peak_kib(pid)
            if peak is not None:
                peaks[pid] = max(peak, peaks.get(pid, 0))
        time.sleep(0.02)
    out, err = proc.communicate()
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its workers
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"digest send failed ({proc.returncode}):\n{out}\n{err}")
    sent = int(re.search(r"Sent (\d+)", out).group(1))  # type: ignore[union-attr]
    workers_peak = max((v for k, v in peaks.items() if k != proc.pid), default=0)
    first, last = _marks(config.parent / "digest.db")
    return {
        "seconds": seconds,
        "sent": sent,
        "startup": first - launched,  # the command's start to its first recorded message
        "phase": sent / max(last - first, 1e-9),  # the rate between first and last mark
        "output": out.strip(),
        "cpu": cpu,
        "rss": {"self": peaks.get(proc.pid, 0), "worker": workers_peak},
    }


def _marks(db: Path) -> tuple[float, float]:
    """When the first and the last message of the send were recorded (Unix time)."""
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT min(sent_at), max(sent_at) FROM deliveries WHERE status = 'sent'"
        ).fetchone()
    conn.close()
    first, last = (datetime.fromisoformat(x).replace(tzinfo=UTC).timestamp() for x in row)
    return first, last


Cost = tuple[float, float, float]  # digest's CPU, smtp-sink's CPU, wall: a message


def per_message(result: dict[str, Any], sink_cpu: float) -> Cost:
    """(digest's CPU, smtp-sink's CPU, wall) a message of one send, in seconds."""
    sent = result["sent"]
    return result["cpu"] / sent, sink_cpu / sent, result["seconds"] / sent


def cpu_bound(costs: dict[str, list[Cost]], rsa: float, target: float) -> None:
    """Print the CPU a message costs, and the cores a signed send at `target` msg/s
    needs: each signed message costs the CPU measured, whoever runs it, so no schedule
    sends faster than the cores divided by that CPU."""
    cores = os.cpu_count() or 1
    plain = min(costs["plain"], key=lambda c: c[0] + c[1])
    signed = min(costs["signed"], key=lambda c: c[0] + c[1])
    us = 1e6
    used = (signed[0] + signed[1]) / signed[2]
    print(
        f"   CPU a message (least of the runs): unsigned digest {plain[0] * us:.0f} us + "
        f"smtp-sink {plain[1] * us:.0f} us; signed digest {signed[0] * us:.0f} us + "
        f"smtp-sink {signed[1] * us:.0f} us, of which one RSA-2048 signature "
        f"{rsa * us:.0f} us (timed alone); the signed send kept {used:.2f} of {cores} cores busy"
    )
    need = target * (signed[0] + signed[1])
    print(
        f"   at the DKIM target ({target:.0f} msg/s) a signed send needs {need:.2f} cores "
        f"of CPU; this machine has {cores}: the most its cores allow is "
        f"{cores / (signed[0] + signed[1]):.0f} msg/s"
    )


def reset(config: Path, pristine: Path) -> None:
    """Put the database back as it was before any send."""
    db = config.parent / "digest.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copyfile(pristine, db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=2, help="alternating runs of each")
    parser.add_argument("--memory", default="10000,100000", help="sizes for part 2 ('' skips)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args()
    sizes = [int(x) for x in args.memory.split(",") if x.strip()]
    sink, port = start_sink()
    tmp = Path(tempfile.mkdtemp(prefix="digest-bench-send-"))
    try:
        print(f"smtp-sink on 127.0.0.1:{port}; {args.workers} workers; {os.cpu_count()} cores")
        config, edition_id = make_project(tmp / "throughput", port, args.subscribers)
        app = App.from_config(config)
        data = app.preview(edition_id, email="reader1@example.net", now=NOW).message
        app.store.close()
        pristine = tmp / "pristine.db"
        shutil.copyfile(config.parent / "digest.db", pristine)
        signed_config = signed_copy(config, tmp / "signed")
        signed_pristine = tmp / "signed-pristine.db"
        shutil.copyfile(signed_config.parent / "digest.db", signed_pristine)
        env = dkim_env()
        rates, tops, ours, signed_rates, phases = [], [], [], [], []
        costs: dict[str, list[Cost]] = {"plain": [], "signed": []}
        print(f"\n1. throughput, {args.subscribers:,} subscribers, message {len(data):,} bytes")
        for _ in range(args.repeat):
            tops.append(ceiling(port, data, args.subscribers, args.workers))
            ours.append(ceiling(port, data, args.subscribers, args.workers, ours=True))
            reset(config, pristine)
            sink_cpu = cpu_seconds(sink.pid)
            result = run_send(config, edition_id, args.workers)
            assert result["sent"] == args.subscribers, result["output"]
            costs["plain"].append(per_message(result, cpu_seconds(sink.pid) - sink_cpu))
            rates.append(result["sent"] / result["seconds"])
            phases.append((result["phase"], result["startup"]))
            reset(signed_config, signed_pristine)
            sink_cpu = cpu_seconds(sink.pid)
            signed = run_send(signed_config, edition_id, args.workers, env)
            assert signed["sent"] == args.subscribers, signed["output"]
            costs["signed"].append(per_message(signed, cpu_seconds(sink.pid) - sink_cpu))
            signed_rates.append(signed["sent"] / signed["seconds"])
            print(
                f"   ceiling, pre-built bytes over {args.workers} connections: smtplib "
                f"{tops[-1]:5.0f} msg/s, digest's transport {ours[-1]:5.0f} msg/s | "
                f"digest send end to end {result['seconds']:4.1f} s {rates[-1]:5.0f} msg/s "
                f"[{result['output'].splitlines()[-1]}] | DKIM-signed (RSA 2048) "
                f"{signed['seconds']:4.1f} s {signed_rates[-1]:5.0f} msg/s | start-up to "
                f"the first recorded message {result['startup']:.2f} s, then "
                f"{result['phase']:5.0f} msg/s"
            )
        pairs = sorted(r / c for r, c in zip(rates, tops, strict=True))
        print(
            f"   best: digest send {max(rates):.0f} msg/s; ceiling (smtplib) {max(tops):.0f} "
            f"msg/s, ratio {max(rates) / max(tops):.2f} (target >= 0.75; per run "
            f"{', '.join(f'{x:.2f}' for x in pairs)}); ceiling (digest's transport) "
            f"{max(ours):.0f} msg/s, ratio {max(rates) / max(ours):.2f} (target >= 0.75; per "
            f"run {', '.join(f'{r / c:.2f}' for r, c in zip(rates, ours, strict=True))})"
        )
        phase = max(p for p, _ in phases)
        print(
            f"   of which: start-up {min(s for _, s in phases):.2f} s (best); while sending "
            f"{phase:.0f} msg/s, {phase / max(ours):.2f} of digest's transport's ceiling"
        )
        print(
            f"   DKIM-signed end to end {max(signed_rates):.0f} msg/s, "
            f"{max(signed_rates) / max(rates):.2f} of unsigned (target >= 0.6; per run "
            f"{', '.join(f'{a / b:.2f}' for a, b in zip(signed_rates, rates, strict=True))})"
        )
        cpu_bound(costs, rsa_sign_seconds(env), target=0.6 * max(rates))
        peaks: dict[int, dict[str, int]] = {}
        for size in sizes:
            config, edition_id = make_project(tmp / f"memory-{size}", port, size)
            measured = run_send(config, edition_id, args.workers)
            assert measured["sent"] == size, measured["output"]
            peaks[size] = measured["rss"]
            print(
                f"\n2. memory, {size:,} subscribers ({measured['seconds']:.1f} s, "
                f"{size / measured['seconds']:.0f} msg/s): peak RSS of `digest send` "
                f"{measured['rss']['self'] / 1024:.1f} MB, of a worker process "
                f"{measured['rss']['worker'] / 1024:.1f} MB"
            )
        if len(peaks) >= 2:
            small, large = min(peaks), max(peaks)
            for who, label in (("self", "digest send"), ("worker", "worker")):
                diff = peaks[large][who] - peaks[small][who]
                print(
                    f"   difference {small:,} -> {large:,} ({label}): {diff / 1024:+.1f} MB "
                    "(target < 20 MB)"
                )
    finally:
        sink.kill()
        sink.wait()
        if args.keep:
            print(f"projects kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
