"""`digest send` as its own process: it closes its database before it exits (the
objects it made are frozen for the interpreter's exit, so nothing may rely on the
exit's collections to close a connection)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from digest.app import App
from tests.test_send_support import (
    DIGEST,
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
