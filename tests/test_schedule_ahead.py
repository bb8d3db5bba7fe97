"""Editions built ahead for slots closer together than `build_ahead_minutes`: each
story goes to a list once (DESIGN invariant 2).

Slots every 30 minutes, editions built 60 minutes ahead: at one tick the scheduler
builds the next two slots' editions, before either has gone out. Each must take its
stories from what the other has not taken, or every reader gets the same stories twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from digest.app import App
from digest.schedule import Scheduler
from digest.web.desk_edition import rebuild
from tests.conftest import Mailbox
from tests.test_schedule_run import SLOT, make_project, runs, smtp


def _carried(app: App) -> Counter[str]:
    """How many of the list's editions (not skipped or cancelled) carry each article."""
    counts: Counter[str] = Counter()
    for info in app.store.editions("daily"):
        if info.status in ("skipped", "cancelled"):
            continue
        counts.update({k for s in app.store.edition(info.id).stories for k in s.keys})
    return counts


def test_editions_built_ahead_together_share_no_story(tmp_path: Path, smtp_server: Mailbox) -> None:
    config = make_project(
        tmp_path / "news",
        smtp(smtp_server),
        keys='schedule = "*/30 * * * *"\nbuild_ahead_minutes = 60\ngrace_minutes = 10',
        edition="min_stories = 1",
    )
    app = App.from_config(config)
    scheduler = Scheduler(app)
    scheduler.tick(SLOT - timedelta(minutes=79))  # 04:41: builds 05:00 and 05:30 ahead
    drafts = {e.slot: e.stories for e in app.store.editions("daily") if e.status == "draft"}
    assert sorted(drafts) == ["2026-11-27T05:00:00Z", "2026-11-27T05:30:00Z"]
    assert all(drafts.values())  # the second takes what the first left
    # ... and says why it left the rest: nothing has been sent yet
    second = " ".join((runs(app, "build")["2026-11-27T05:30:00Z"][1] or "").split())
    assert "0 already sent" in second and "waiting in another edition" in second
    assert [key for key, n in _carried(app).items() if n > 1] == []
    # An editor ranks the first again on the desk: it keeps its own stories.
    first = app.store.edition_for_slot("daily", "2026-11-27T05:00:00Z")
    assert first is not None
    before = [s.key for s in app.store.edition(first.id).stories]
    rebuilt = rebuild(app, first.id, now=SLOT - timedelta(minutes=75))
    assert [s.key for s in rebuilt.stories] == before
    for minutes in (-60, -30, 0):  # both go out; 06:00 finds nothing new
        scheduler.tick(SLOT + timedelta(minutes=minutes))
    scheduler.close()
    sent = sorted(e.slot for e in app.store.editions("daily") if e.status == "sent")
    assert sent == ["2026-11-27T05:00:00Z", "2026-11-27T05:30:00Z"]
    assert [key for key, n in _carried(app).items() if n > 1] == []
    build = runs(app, "build")["2026-11-27T06:00:00Z"]
    assert build[0] == "skipped" and "already sent" in (build[1] or "")
