"""Retention of the scheduler's records: old schedule_runs rows go with the daily prune.

`digest run` writes about 31 rows a day (a collect an hour, builds, sends, bounces,
the prune). Rows older than `keep_days` are deleted by `digest prune` and by the
scheduler's daily prune, except what a claim or a decision still reads: a run still
open (running, interrupted; a failed send, which the next tick resumes or gives up),
each list's latest run of each action (the send watermark that decides "missed" and
"done", and what `digest schedule` shows), and anything from the last seven days (the
slots a tick looks back at). On SQLite and PostgreSQL, with the real CLI and scheduler.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.codec import iso
from digest.schedule import Scheduler
from digest.store import Store
from tests.test_retention import NOW, OLD, _old_project

DAY = timedelta(days=1)


def _slot(at: datetime) -> str:
    key = iso(at)
    assert key is not None
    return key


def _history(store: Store) -> set[tuple[str, str, str]]:
    """A scheduler that ran for 20 days from OLD, and again lately: (slot, action,
    status) of the rows that must stay."""
    for n in range(20):
        at = OLD + n * DAY
        for action in ("collect", "build", "send", "prune"):
            assert store.record_run("daily", _slot(at), action, "done", "ok", now=at)
    # Open runs from long ago: a claim still held, a send stopped by a shutdown, a
    # send that failed (resumed within the grace window, else recorded missed).
    opened = {
        (_slot(OLD - DAY), "bounces", "running"),
        (_slot(OLD - 2 * DAY), "send", "interrupted"),
        (_slot(OLD - 3 * DAY), "send", "failed"),
    }
    for slot, action, status in opened:
        assert store.record_run("daily", slot, action, status, "host:1:abcd", now=OLD)
    # Lately: a collect and a send yesterday, a prune five days ago (inside the week a
    # tick looks back at, whatever keep_days is).
    recent = {
        (_slot(NOW - DAY), "collect", "done"),
        (_slot(NOW - DAY), "send", "done"),
        (_slot(NOW - 5 * DAY), "prune", "done"),
    }
    for slot, action, status in recent:
        assert store.record_run("daily", slot, action, status, "ok", now=NOW - DAY)
    # No build since OLD: the latest build, however old, is kept.
    latest_build = (_slot(OLD + 19 * DAY), "build", "done")
    return opened | recent | {latest_build}


def _rows(store: Store) -> set[tuple[str, str, str]]:
    return {(r.slot, r.action, r.status) for r in store.schedule_runs()}


def test_digest_prune_deletes_old_scheduler_runs_and_keeps_what_is_still_read(
    tmp_path: Path, db_url: str
) -> None:
    app = _old_project(tmp_path / "news", db_url)
    store = app.store
    kept = _history(store)
    everything = _rows(store)
    assert len(everything) == 20 * 4 + len(kept) - 1  # the latest build is one of the 80
    watermark = store.last_slot("daily", "send")
    at = ["--config", str(app.settings.path), "--at", iso(NOW) or ""]

    dry = CliRunner().invoke(main, ["prune", "--dry-run", "--json", *at])
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["runs"] == len(everything) - len(kept) == 79
    assert report["dry_run"] is True and report["emptied"] == 3
    assert _rows(store) == everything  # a dry run deletes nothing
    said = CliRunner().invoke(main, ["prune", "--dry-run", *at])
    assert "would delete 79 of the scheduler's records written before 2026-08-29T06:00:00Z" in (
        said.output
    ), said.output

    done = CliRunner().invoke(main, ["prune", *at])
    assert done.exit_code == 0, done.output
    assert "deleted 79 of the scheduler's records" in done.output, done.output
    assert _rows(store) == kept
    assert store.last_slot("daily", "send") == watermark  # what "missed" is counted from
    again = CliRunner().invoke(main, ["prune", "--json", *at])
    assert json.loads(again.output)["runs"] == 0
    # `digest schedule` still shows the latest runs.
    shown = CliRunner().invoke(main, ["schedule", "--json", *at])
    recent = json.loads(shown.output)[0]["recent"]
    assert [(r["action"], r["status"]) for r in recent][:2] == [("send", "done"), ("build", "done")]
    app.close()


def test_the_scheduler_s_daily_prune_deletes_them_too(tmp_path: Path, db_url: str) -> None:
    app = _old_project(tmp_path / "news", db_url)
    kept = _history(app.store)
    scheduler = Scheduler(app)
    noon = NOW + timedelta(hours=6)
    (prune,) = [o for o in scheduler.tick(noon) if o.action == "prune"]
    assert prune.status == "done"
    assert "deleted 79 of the scheduler's records" in prune.detail, prune.detail
    # Of the rows older than a week, the latest build and the claim still held stay;
    # the tick gave up on the open sends first (recorded missed, now).
    week = NOW - 7 * DAY
    old = {(r.slot, r.action, r.status) for r in app.store.schedule_runs() if r.at < week}
    held = (_slot(OLD - DAY), "bounces", "running")
    assert old == {(_slot(OLD + 19 * DAY), "build", "done"), held} < kept
    scheduler.close()
    app.close()


def test_keep_days_0_keeps_every_run_and_a_short_keep_days_keeps_a_week(tmp_path: Path) -> None:
    app = _old_project(tmp_path / "all", "sqlite:///digest.db")
    _history(app.store)
    everything = _rows(app.store)
    config = app.settings.path
    config.write_text(config.read_text() + "keep_days = 0\n")
    app.close()
    app = App.from_config(config)
    pruned = app.prune(now=NOW)
    assert pruned.runs == 0 and _rows(app.store) == everything
    # said as a sentence the CLI can print as it is ("Keep_days = 0" was a capitalised key)
    assert pruned.summary().startswith("nothing to prune ([database] keep_days = 0)")
    app.close()

    # keep_days = 3 (builds read back two days): a run four days old is kept all the
    # same, as a tick looks back a week; one eight days old goes.
    short = tmp_path / "short"
    app = _old_project(short, "sqlite:///digest.db")
    text = app.settings.path.read_text().replace(
        "max_age_hours = 72", "max_age_hours = 24\ncluster_window_hours = 24"
    )
    app.settings.path.write_text(text + "keep_days = 3\n")
    app.close()
    app = App.from_config(short / "digest.toml")
    assert app.settings.keep_days == 3
    for days in (4, 8):
        at = NOW - days * DAY
        app.store.record_run("daily", _slot(at), "collect", "done", "ok", now=at)
    app.store.record_run("daily", _slot(NOW), "collect", "done", "ok", now=NOW)
    pruned = app.prune(now=NOW)
    assert pruned.runs == 1
    assert {r.slot for r in app.store.schedule_runs()} == {_slot(NOW - 4 * DAY), _slot(NOW)}
    app.close()


def test_the_runs_kept_cover_the_week_a_tick_looks_back_at() -> None:
    from digest.retention import RUNS_KEPT
    from digest.schedule import LOOKBACK

    assert RUNS_KEPT >= LOOKBACK
