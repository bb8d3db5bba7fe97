"""An edition below `[edition] min_stories` is never sent: not by `digest send`, not
approved at the desk or by `digest approve`, and not by the scheduler (which records
the slot as skipped, with the reason).

The reported failure: `digest init`, `collect`, `build` on the sample project today,
the edition sent, a second `build` stored "Draft edition 2" with 0 stories, and
`digest send 2` sent 36 empty emails with exit status 0.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from digest.app import App
from digest.codec import iso
from digest.schedule import Scheduler
from tests.conftest import Mailbox
from tests.test_desk import add_editor, editor_client, post, running
from tests.test_gate_build import AT, AT_ISO, cli, editions, sample
from tests.test_schedule_run import SLOT, SLOT_KEY, SUBSCRIBERS, make_project, runs, smtp


def subscribed(config: Path) -> Path:
    csv = str(config.parent / "subscribers" / "daily.csv")
    res = cli(config, "subscribers", "import", csv, "--list", "daily")
    assert res.exit_code == 0, res.output
    return config.parent / "outbox"


def sent(outbox: Path) -> int:
    return len(list(outbox.glob("*.eml"))) if outbox.is_dir() else 0


def test_the_reported_empty_edition_is_refused_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = sample(tmp_path / "news")
    outbox = subscribed(config)
    assert cli(config, "collect").exit_code == 0
    first = cli(config, "build", "--at", AT_ISO)
    assert first.exit_code == 0, first.output
    res = cli(config, "send", "1")
    assert res.exit_code == 0, res.output
    assert sent(outbox) == SUBSCRIBERS

    second = cli(config, "build", "--at", AT_ISO)
    assert second.exit_code != 0  # was 0, with "Draft edition 2" of 0 stories
    assert "No edition: 0 stories" in second.output and "1 already sent" in second.output
    assert [e["id"] for e in editions(config)] == [1]
    res = cli(config, "send", "2")
    assert res.exit_code != 0  # was 0, with 36 empty emails
    assert "no edition 2" in res.output
    assert sent(outbox) == SUBSCRIBERS


def _stored_edition(config: Path, stories: int) -> int:
    """An edition with `stories` stories, as an earlier digest (or the desk) left it."""
    app = App.from_config(config)
    app.collect(now=AT)
    built = app.draft(now=AT)
    assert built.edition is not None and len(built.edition.stories) >= stories
    edition = replace(built.edition, leads=built.edition.stories[:stories], teasers=())
    assert app.store.save_curation(edition, {})
    assert edition.id is not None
    return edition.id


@pytest.mark.parametrize("min_stories", [0, 1])
def test_send_refuses_an_edition_without_stories_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, min_stories: int
) -> None:
    monkeypatch.chdir(tmp_path)
    config = sample(tmp_path / "news", edition=f"min_stories = {min_stories}")
    outbox = subscribed(config)
    eid = _stored_edition(config, 0)
    res = cli(config, "send", str(eid))
    assert res.exit_code != 0
    assert f"edition {eid}" in res.output and "no stories" in res.output
    assert sent(outbox) == 0
    store = App.from_config(config).store
    assert store.ledger(eid) == {}
    assert store.edition_status(eid) == "draft"
    dry = cli(config, "send", str(eid), "--dry-run")
    assert dry.exit_code != 0 and "no stories" in dry.output


def test_send_and_approve_refuse_an_edition_below_min_stories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = sample(tmp_path / "news", fresh=2, edition="min_stories = 3")
    outbox = subscribed(config)
    assert cli(config, "build", "--at", AT_ISO).exit_code == 1  # stored, with a warning
    res = cli(config, "send", "1")
    assert res.exit_code != 0
    assert re.search(r"edition 1: only 2 new stories \(edition\.min_stories = 3\)", res.output)
    assert sent(outbox) == 0 and App.from_config(config).store.ledger(1) == {}
    res = cli(config, "approve", "1")
    assert res.exit_code != 0 and "min_stories = 3" in res.output
    assert editions(config)[0]["status"] == "draft"

    add_editor(config)
    with running(config, clock=lambda: AT) as base, editor_client(base) as c:
        r = post(c, 1, "status", action="approve")
        page = c.get(r.headers["location"]).text
    assert "min_stories = 3" in page
    assert editions(config)[0]["status"] == "draft"


# -- the scheduler ------------------------------------------------------------------------
def test_the_scheduler_skips_a_slot_with_no_story_and_says_why(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server))
    config.write_text(config.read_text().replace("max_age_hours = 100000", "max_age_hours = 48"))
    app = App.from_config(config)
    week_later = SLOT + timedelta(days=7)  # the sample's articles are from the week before
    key = iso(week_later)
    done = Scheduler(app).tick(week_later)
    assert smtp_server.messages == []
    assert app.store.editions("daily") == []  # no empty "Draft edition" stored
    build_status, build_detail = runs(app, "build")[key]
    assert build_status == "skipped"
    assert "No edition: 0 stories" in (build_detail or "")
    assert "too old (max_age_hours = 48)" in (build_detail or "")
    send = next(o for o in done if o.action == "send")
    assert send.status == "skipped" and "too old" in send.detail
    assert runs(app)[key][0] == "skipped"


def test_the_scheduler_skips_an_edition_emptied_after_it_was_built(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    config = make_project(tmp_path / "news", smtp(smtp_server))
    app = App.from_config(config)
    scheduler = Scheduler(app)
    scheduler.tick(SLOT - timedelta(minutes=30))  # built ahead
    (info,) = app.store.editions("daily")
    edition = app.store.edition(info.id)
    assert app.store.save_curation(replace(edition, leads=(), teasers=()), {})  # all dropped
    done = scheduler.tick(SLOT)
    assert smtp_server.messages == []
    send = next(o for o in done if o.action == "send")
    assert send.status == "skipped" and f"edition {info.id}" in send.detail
    assert "no stories" in send.detail
    assert runs(app)[SLOT_KEY] == ("skipped", send.detail)
    assert app.store.ledger(info.id) == {}
