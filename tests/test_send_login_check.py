"""A `[transport] username` without $DIGEST_SMTP_PASSWORD is refused before a send starts.

It was noticed when the first batch opened the connection: the send had begun (the
edition `sending`, a batch claimed in the ledger) and stopped as paused mid-way. Now
`digest send`, the scheduler's send and `digest worker` refuse it up front, with an
error naming the variable and the configuration file; the ledger is untouched and the
edition keeps its status. Real SQLite files, a real SMTP server on loopback, the real
commands."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.conftest import Mailbox
from tests.test_schedule_run import SLOT_KEY, make_project, smtp
from tests.test_send_support import DIGEST, FaultyHandler, add_subscribers, build, small_project
from tests.test_send_support import smtp_server as run_smtp

PASSWORD_ENV = "DIGEST_SMTP_PASSWORD"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    env["COLUMNS"] = "250"
    return env


def _refusal(config: Path) -> str:
    return (
        f"{config}: [transport] username is 'brief' but ${PASSWORD_ENV} is not set in "
        "the environment"
    )


def test_digest_send_refuses_before_anything_is_claimed(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with run_smtp(handler) as port:
        config = small_project(tmp_path / "news", port, 'username = "brief"\n')
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 3)
        app.store.close()
        args = [*DIGEST, "send", str(edition), "--config", str(config)]
        result = subprocess.run(args, capture_output=True, text=True, timeout=120, env=_env())
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: {_refusal(config)}" in result.stderr, result.stderr
    assert "Stopped:" not in result.stderr and "Traceback" not in result.stderr
    assert handler.got == []
    app = App.from_config(config)
    assert app.store.ledger(edition) == {}
    assert app.store.edition_status(edition) == "draft"


def test_the_scheduler_s_send_fails_before_anything_is_claimed(
    tmp_path: Path, smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    config = make_project(tmp_path / "news", smtp(smtp_server) + '\nusername = "brief"')
    args = ["run", "--once", "--config", str(config), "--at", "2026-11-27T06:00:00Z"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if x.startswith(f"daily send {SLOT_KEY}"))
    assert "failed" in line and _refusal(config) in line, line
    app = App.from_config(config)
    [edition] = app.store.editions()
    assert app.store.ledger(edition.id) == {}
    assert edition.status == "draft"  # not paused: the next run sends it as it is
    assert smtp_server.messages == []


def test_digest_worker_refuses_to_start(tmp_path: Path) -> None:
    """Without the check the worker started, took a batch and paused the edition."""
    config = small_project(
        tmp_path / "news",
        2525,
        'username = "brief"\n',
        extra='[queue]\nbroker = "redis://127.0.0.1:6379/15"\n',
    )
    args = [*DIGEST, "worker", "--config", str(config), "--pool", "solo"]
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=30, env=_env())
    except subprocess.TimeoutExpired:
        pytest.fail("digest worker started without the SMTP password")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: {_refusal(config)}" in result.stderr, result.stderr


def test_digest_send_refuses_a_password_that_would_go_unencrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-for-the-wire")
    config = small_project(tmp_path / "news", 25, 'username = "brief"\n')
    config.write_text(config.read_text().replace('host = "127.0.0.1"', 'host = "relay.invalid"'))
    app = App.from_config(config)
    edition = build(app)
    add_subscribers(app, 3)
    result = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert f"{config}: [transport] username is set but security" in result.output
    assert "refusing to send the password unencrypted to relay.invalid" in result.output
    assert app.store.ledger(edition) == {} and app.store.edition_status(edition) == "draft"
