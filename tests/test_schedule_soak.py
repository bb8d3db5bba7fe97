"""What benchmarks/soak.py (a month of `digest run` in one process) found, shrunk to
seconds: a feed that is down for hours, as the operator reads the scheduler's log.

Real parts: a loopback HTTP feed server, a SQLite file, the Scheduler on a fake clock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.app import App
from digest.schedule import Scheduler
from tests.conftest import write_project
from tests.feedserver import sample_feed, serve_feeds

START = datetime(2026, 11, 27, 0, 10, tzinfo=UTC)  # hourly collects, no slot before 05:00


def _project(folder: Path, up: str, down: str) -> Path:
    sources = (
        f'[[sources]]\nname = "Up"\nurl = "{up}"\n\n[[sources]]\nname = "Down"\nurl = "{down}"\n'
    )
    return write_project(folder, sources=sources)


def _scheduler_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("digest")]


def test_a_feed_down_for_hours_is_warned_about_once_and_its_recovery_noted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with serve_feeds({"/up.xml": sample_feed(1)}) as server:
        config = _project(tmp_path / "news", server.url("/up.xml"), server.url("/down.xml"))
        app = App.from_config(config)
        scheduler = Scheduler(app)
        caplog.set_level(logging.INFO, logger="digest")
        for hour in range(4):  # four hourly collects with /down.xml answering 404
            scheduler.tick(START + timedelta(hours=hour))
        server.feeds["/down.xml"] = sample_feed(2)  # back
        scheduler.tick(START + timedelta(hours=4))
        scheduler.tick(START + timedelta(hours=5))
        scheduler.close()

    lines = _scheduler_lines(caplog)
    warnings = [r.getMessage() for r in lines if r.levelno >= logging.WARNING]
    # One warning when the source starts failing, naming it once, with the error.
    assert len(warnings) == 1, warnings
    assert "Down: HTTP 404" in warnings[0] and "Down: Down:" not in warnings[0]
    texts = [r.getMessage() for r in lines]
    assert not any("Down: Down:" in t for t in texts), texts
    # The first collect's line carries the error too; later ones name the source
    # without repeating it (it was logged every hour); its recovery is noted once.
    assert sum("HTTP 404" in t for t in texts) == 2, texts
    assert sum("still failing since" in t for t in texts) == 3
    recovered = [t for t in texts if "collected again" in t]
    assert len(recovered) == 1 and "Down" in recovered[0]
    collects = app.store.schedule_runs("daily", action="collect")
    assert len(collects) == 6 and all(r.status == "done" for r in collects)


def test_a_feed_url_with_a_password_or_key_is_not_logged_with_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with serve_feeds({"/up.xml": sample_feed(1)}) as server:
        down = server.url("/down.xml?api_key=s3cr3t-key&page=2").replace(
            "http://", "http://reader:hunter2pass@"
        )
        config = _project(tmp_path / "news", server.url("/up.xml"), down)
        app = App.from_config(config)
        scheduler = Scheduler(app)
        caplog.set_level(logging.INFO, logger="digest")
        scheduler.tick(START)
        scheduler.close()

    texts = [r.getMessage() for r in _scheduler_lines(caplog)]
    assert any("HTTP 404" in t for t in texts), texts
    stored = [r.detail or "" for r in app.store.schedule_runs("daily", action="collect")]
    for text in texts + stored:
        assert "hunter2pass" not in text and "s3cr3t-key" not in text, text
    assert any("reader:***@" in t and "api_key=***" in t and "page=2" in t for t in texts)


def test_shown_url_leaves_plain_urls_and_paths_alone() -> None:
    from digest.collect.hosts import shown_url

    assert shown_url("https://example.org/feed.xml?page=2") == "https://example.org/feed.xml?page=2"
    assert shown_url("sources/feeds/a.rss") == "sources/feeds/a.rss"
    assert shown_url("https://u:p@example.org/f?token=t") == "https://u:***@example.org/f?token=***"
