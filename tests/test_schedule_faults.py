"""A send the transport cannot make is a failure of `digest run --once`, retried.

Under cron or a systemd timer, `digest run --once` is the whole scheduler: its exit
status is all that tells the operator something went wrong. A relay that refuses the
login, or a password that is not set, stopped the send as "paused" and the command
exited 0, so the edition silently stayed unsent.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from tests.conftest import Mailbox
from tests.test_schedule_run import SLOT_KEY, SUBSCRIBERS, make_project, smtp


def test_a_send_the_transport_cannot_make_fails_run_once_and_the_next_run_sends_it(
    tmp_path: Path, smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
    good = smtp(smtp_server)
    config = make_project(tmp_path / "news", good + '\nusername = "news"')
    args = ["run", "--once", "--config", str(config), "--at"]
    failed = CliRunner().invoke(main, [*args, "2026-11-27T06:00:00Z"])
    assert failed.exit_code == 1, failed.output
    assert f"daily send {SLOT_KEY}: failed" in failed.output
    assert "DIGEST_SMTP_PASSWORD is not set" in failed.output
    assert smtp_server.messages == []
    # The operator fixes the transport; the next run within the grace window sends it.
    config.write_text(config.read_text().replace(good + '\nusername = "news"', good))
    resumed = CliRunner().invoke(main, [*args, "2026-11-27T06:10:00Z"])
    assert resumed.exit_code == 0, resumed.output
    assert f"daily send {SLOT_KEY}: done" in resumed.output
    received = Counter(r for m in smtp_server.messages for r in m.recipients)
    assert len(received) == SUBSCRIBERS and set(received.values()) == {1}
