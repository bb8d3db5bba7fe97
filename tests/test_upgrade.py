"""Upgrading a real installation: a database an earlier digest wrote, opened by this one.

Each test builds the old state the way that version left it: the migration chain run
up to that version's revision with Alembic, and rows as its code wrote them.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, update

from digest.app import App
from digest.deliver.run import send_edition
from digest.store import MIGRATIONS, Store
from digest.store import schema as t
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)


def migrate_to(url: str, revision: str) -> None:
    """An empty database brought to `revision`, as that digest's first command left it."""
    store = Store(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    store.close()


def gone_pid() -> int:
    """The id of a process of this machine that has ended."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_a_send_a_digest_without_send_leases_left_half_done_resumes_at_once(
    tmp_path: Path, db_url: str
) -> None:
    """digest up to revision 0004 named a send's claims `host:pid:index` and left them
    `claimed` when the send paused (a relay refusing) or was killed. After the upgrade
    the resumed send takes those of a process that is gone at once: everyone due gets
    the edition exactly once, nobody who had it gets it again. A claim of another
    machine's run is still waited for (its process cannot be seen)."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        migrate_to(db_url, "0004")
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 10)
        ids = sorted(s.id for s in app.store.subscribers("daily"))
        worker = f"{socket.gethostname()}:{gone_pid()}:0"
        old = {"edition_id": edition, "attempts": 1, "worker": worker, "claimed_at": NOW}
        rows = [{**old, "subscriber_id": i, "status": "sent", "sent_at": NOW} for i in ids[:4]]
        rows += [
            {**old, "subscriber_id": i, "status": "claimed", "sent_at": None} for i in ids[4:9]
        ]
        far = {**old, "worker": "far-away:4242:0", "status": "claimed", "sent_at": None}
        rows.append({**far, "subscriber_id": ids[9]})
        with app.store.engine.begin() as conn:
            conn.execute(insert(t.deliveries), rows)
            conn.execute(
                update(t.editions).where(t.editions.c.id == edition).values(status="paused")
            )
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 5 and summary.remaining == 1
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails[4:9])
    assert app.store.ledger(edition) == {"sent": 9, "claimed": 1}
