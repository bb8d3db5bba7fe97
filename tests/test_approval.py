"""`approval = "required"`: only an edition an editor approved goes out at its slot."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.schedule import Scheduler
from tests.conftest import Mailbox
from tests.test_schedule_run import SLOT, SLOT_KEY, SUBSCRIBERS, make_project, runs, smtp

REQUIRED = 'approval = "required"\nbuild_ahead_minutes = 120'


def _cli(config: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, [*args, "--config", str(config)])
    return res.exit_code, res.output


def _editions(config: Path) -> list[dict[str, object]]:
    code, out = _cli(config, "editions", "--json")
    assert code == 0, out
    result: list[dict[str, object]] = json.loads(out)
    return result


def test_without_approval_nothing_is_sent_and_the_reason_is_recorded(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), keys=REQUIRED)
    scheduler = Scheduler(App.from_config(config))
    scheduler.tick(SLOT - timedelta(hours=2))  # built two hours ahead, for the editor
    (draft,) = _editions(config)
    assert draft["status"] == "draft" and draft["slot"] == SLOT_KEY

    done = scheduler.tick(SLOT)  # nobody approved it
    assert smtp_server.messages == []
    (send,) = [o for o in done if o.action == "send"]
    assert send.status == "skipped"
    expected = f"approval required: edition {draft['id']} was not approved by {SLOT_KEY}"
    assert send.detail.startswith(expected)
    status, detail = runs(App.from_config(config))[SLOT_KEY]
    assert status == "skipped" and (detail or "").startswith(expected)
    assert _editions(config)[0]["status"] == "skipped"
    # Reported by `digest schedule` too.
    code, out = _cli(config, "schedule", "--json", "--at", "2026-11-27T06:01:00Z")
    assert code == 0, out
    recent = json.loads(out)[0]["recent"]
    assert any(r["action"] == "send" and r["status"] == "skipped" for r in recent)
    # Approving after the slot sends nothing by itself.
    code, out = _cli(config, "approve", str(draft["id"]))
    assert code == 2 and "skipped" in out
    scheduler.tick(SLOT + timedelta(minutes=5))
    assert smtp_server.messages == []


def test_an_approved_edition_goes_out_at_its_slot(tmp_path: Path, smtp_server: Mailbox) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), keys=REQUIRED)
    scheduler = Scheduler(App.from_config(config))
    scheduler.tick(SLOT - timedelta(hours=2))
    (draft,) = _editions(config)
    code, out = _cli(config, "approve", str(draft["id"]))
    assert code == 0 and f"Approved edition {draft['id']}" in out, out
    assert _editions(config)[0]["approved_at"] is not None

    assert [o for o in scheduler.tick(SLOT - timedelta(minutes=1)) if o.action == "send"] == []
    assert smtp_server.messages == []
    (send,) = [o for o in scheduler.tick(SLOT) if o.action == "send"]
    assert (send.status, send.sent) == ("done", SUBSCRIBERS)
    assert len(smtp_server.messages) == SUBSCRIBERS
    assert _editions(config)[0]["status"] == "sent"
    # A sent edition cannot be approved or unapproved again.
    assert _cli(config, "unapprove", str(draft["id"]))[0] == 2


def test_unapprove_takes_the_approval_back(tmp_path: Path, smtp_server: Mailbox) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server), keys=REQUIRED)
    scheduler = Scheduler(App.from_config(config))
    scheduler.tick(SLOT - timedelta(hours=2))
    (draft,) = _editions(config)
    assert _cli(config, "approve", str(draft["id"]))[0] == 0
    code, out = _cli(config, "unapprove", str(draft["id"]))
    assert code == 0 and "draft again" in out
    assert _editions(config)[0]["approved_at"] is None
    (send,) = [o for o in scheduler.tick(SLOT) if o.action == "send"]
    assert send.status == "skipped" and "approval required" in send.detail
    assert smtp_server.messages == []
    assert _cli(config, "approve", "999")[0] == 2  # no such edition: a clear error
