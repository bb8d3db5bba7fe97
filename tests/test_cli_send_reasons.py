"""What `digest send` prints when it stops: the reason exactly as the transport gave it.

The reason holds config names in brackets (`[transport] username`) and the SMTP
server's own words, which may hold anything; neither is console markup. A real
aiosmtpd server on loopback and the real command in a subprocess.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from digest.app import App
from tests.test_send_support import (
    DIGEST,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)


def _send(config: Path, edition: int) -> subprocess.CompletedProcess[str]:
    args = [*DIGEST, "send", str(edition), "--config", str(config)]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, env=_env())


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("DIGEST_SMTP_PASSWORD", None)
    return env


def test_the_stop_reason_keeps_its_bracketed_config_name(tmp_path: Path) -> None:
    """Implicit TLS to a relay that speaks plain SMTP: the send stops, naming the
    settings to check. (A username without its password, the earlier example, is now
    refused before the send starts: tests/test_send_login_check.py.)"""
    with smtp_server(FaultyHandler()) as port:
        config = small_project(tmp_path / "news", port, 'security = "tls"\n')
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 3)
        app.store.close()
        result = _send(config, edition)
    assert result.returncode == 1, result.stderr
    stopped = [line for line in result.stderr.splitlines() if line.startswith("Stopped:")]
    assert len(stopped) == 1, result.stderr
    assert "check [transport] security and port" in stopped[0]


def test_a_server_answer_that_looks_like_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    answer = "550 5.7.1 [/policy] sender [bold]not[/bold] allowed"
    handler = FaultyHandler()

    async def refuse_mail(*_: Any) -> str:
        return answer

    handler.handle_MAIL = refuse_mail  # type: ignore[method-assign]
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "retry_delay = 0.01\n")
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 3)
        app.store.close()
        result = _send(config, edition)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    stopped = [line for line in result.stderr.splitlines() if line.startswith("Stopped:")]
    assert len(stopped) == 1 and "[/policy] sender [bold]not[/bold] allowed" in stopped[0], (
        result.stderr
    )


def test_a_send_to_a_list_with_no_subscriber_says_so(tmp_path: Path) -> None:
    with smtp_server(FaultyHandler()) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)  # nobody imported yet: `digest init`, `digest build`, `send`
        app.store.close()
        result = _send(config, edition)
    assert result.returncode == 0, result.stderr
    assert "Sent 0," in result.stdout
    assert "warning: list 'daily' has no active subscriber; nobody got edition" in result.stderr, (
        result.stderr
    )
    assert "digest subscribers import" in result.stderr
