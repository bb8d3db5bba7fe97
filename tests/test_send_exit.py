"""`digest send` as its own process: it closes its database before it exits (the
objects it made are frozen for the interpreter's exit, so nothing may rely on the
exit's collections to close a connection)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from digest.app import App
from tests.test_send_support import (
    DIGEST,
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)


def test_send_closes_the_database_before_it_exits(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 40)
        app.store.close()
        args = [*DIGEST, "send", str(edition), "--workers", "2", "--config", str(config)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "Sent 40," in done.stdout
    # Every connection was closed (the last one folds SQLite's WAL into the database).
    assert not (config.parent / "digest.db-wal").exists()
    assert App.from_config(config).store.ledger(edition) == {"sent": 40}


def test_a_first_send_of_an_edition_built_days_ago_says_its_news_is_old(tmp_path: Path) -> None:
    """An edition approved and forgotten, sent days later: the operator is told how old
    its news is (it is still sent: an archive edition may be meant)."""
    from click.testing import CliRunner

    from digest.cli import main

    with smtp_server(FaultyHandler()) as port:
        config = small_project(tmp_path / "news", port)
        text = config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72")
        config.write_text(text)
        app = App.from_config(config)
        add_subscribers(app, 2)
        edition = build(app)  # for the fixed test time: long before today
        app.store.approve(edition, now=NOW)
        app.close()
        done = CliRunner().invoke(main, ["send", "--config", str(config), str(edition)])
    assert done.exit_code == 0, done.output
    assert f"Edition {edition} was built for {NOW:%Y-%m-%d %H:%M} UTC, " in done.output
    assert "days ago: its stories are older than [edition] max_age_hours = 72" in done.output
    assert "Sent 2" in done.output


def test_only_news_older_than_max_age_hours_is_old() -> None:
    from datetime import UTC, datetime, timedelta

    from digest.cli.send import _stale

    now = datetime.now(UTC)
    assert _stale(now - timedelta(hours=5), 72) is None
    assert _stale(now - timedelta(days=400), None) is None  # builds read any age
    note = _stale(now - timedelta(hours=30, minutes=5), 24)
    assert note is not None and "30 hours ago" in note
