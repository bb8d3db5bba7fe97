"""`digest database copy` while `digest serve` runs on the source database: refused.

QA copied a SQLite project into PostgreSQL with three `digest serve` processes live: an
unsubscribe clicked on a still-running serve after the copy landed only in the old
database, so that reader was mailed again from the new one. Each serve process now
keeps a row fresh while it runs; the copy names it and refuses (`--force` copies
anyway). A real `digest serve` on 127.0.0.1, a real SQLite file, a real PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.store import Store
from tests.test_database_copy import _copy, _counts, _populate, _tables
from tests.test_qa_operator import read_until_quiet

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def target() -> Iterator[str]:
    from tests.databases import postgres_database

    with postgres_database() as url:
        yield url


def _serve(config: Path) -> subprocess.Popen[bytes]:
    """`digest serve` on a free port of 127.0.0.1, once it says it is serving."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    banner = read_until_quiet(proc)
    assert re.search(r"Serving .* on http://127\.0\.0\.1:\d+/", banner), banner
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=10)


def test_a_copy_is_refused_while_serve_runs_and_goes_ahead_once_it_stopped(
    tmp_path: Path, target: str
) -> None:
    config, _edition = _populate(tmp_path / "news")
    first, second = _serve(config), _serve(config)  # QA had three behind one address
    try:
        refused = _copy(config, target)
        message = " ".join(refused.output.split())
        assert refused.exit_code == 2, refused.output
        assert "digest serve" in message, message
        for proc in (first, second):
            assert f"pid {proc.pid} on {socket.gethostname()[:40]}" in message, message
        assert re.search(r"seen \d+ seconds? ago", message), message
        assert "--force" in message, message
        assert _tables(target) == []  # refused before the target is touched

        first.send_signal(signal.SIGINT)  # Ctrl+C: it says it stopped
        first.wait(timeout=10)
        still = _copy(config, target)
        message = " ".join(still.output.split())
        assert still.exit_code == 2, still.output
        assert f"pid {second.pid}" in message and f"pid {first.pid}" not in message, message
    finally:
        _stop(first)
        _stop(second)  # SIGTERM: its row stays, but its pid is gone from this machine
    store = Store(f"sqlite:///{config.parent / 'digest.db'}")
    rows = store.serving(now=datetime.now(UTC), gone=lambda _name: False)
    store.close()
    assert [s.pid for s in rows] == [second.pid]

    done = _copy(config, target)
    assert done.exit_code == 0, done.output
    assert _counts(target)["subscribers"] > 0


def test_force_copies_while_serve_runs(tmp_path: Path, target: str) -> None:
    config, _edition = _populate(tmp_path / "news")
    proc = _serve(config)
    try:
        from click.testing import CliRunner

        from digest.cli import main

        args = ["database", "copy", "--config", str(config), "--to", target, "--force"]
        result = CliRunner().invoke(main, args)
    finally:
        _stop(proc)
    assert result.exit_code == 0, result.output
    assert _counts(target)["subscribers"] > 0


def test_a_serve_of_another_machine_holds_the_copy_until_it_is_no_longer_seen(
    tmp_path: Path, target: str
) -> None:
    """Another machine's process cannot be looked up: seen lately, it holds the copy;
    not seen for longer than its row is kept fresh, it is gone (killed, or its machine)."""
    config, _edition = _populate(tmp_path / "news")
    store = Store(f"sqlite:///{config.parent / 'digest.db'}")
    now = datetime.now(UTC)
    store.mark_serving("web2.example.net:4242:abcd1234", now=now - timedelta(seconds=20))
    store.close()
    refused = _copy(config, target)
    message = " ".join(refused.output.split())
    assert refused.exit_code == 2, refused.output
    assert "pid 4242 on web2.example.net" in message, message

    store = Store(f"sqlite:///{config.parent / 'digest.db'}")
    store.mark_serving("web2.example.net:4242:abcd1234", now=now - timedelta(minutes=10))
    store.close()
    done = _copy(config, target)
    assert done.exit_code == 0, done.output
