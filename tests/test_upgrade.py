"""Upgrading a real installation: a database an earlier digest wrote, opened by this one.

Each test builds the old state the way that version left it: the migration chain run
up to that version's revision with Alembic, and rows as its code wrote them.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from click.testing import CliRunner
from sqlalchemy import insert, select, text, update

from digest.app import App
from digest.cli import main
from digest.deliver.run import send_edition
from digest.keys import new_key
from digest.store import MIGRATIONS, Store
from digest.store import schema as t
from digest.web import create_app
from tests.conftest import write_project
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

#: The subscribers table as digest before revision 0009 wrote it (no `email_key`).
OLD_SUBSCRIBERS = sa.Table(
    "subscribers",
    sa.MetaData(),
    *(
        sa.Column(c.name, c.type, primary_key=c.primary_key)
        for c in t.subscribers.c
        if c.name != "email_key"
    ),
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


@contextmanager
def articles_as_today(url: str) -> Iterator[None]:
    """A database at an older revision, its articles table holding for the block the
    columns today's store reads and writes and that revision lacks: an edition "that
    digest" built is built by today's code. The columns are dropped again after it,
    with what they held, so the upgrade finds the table as that revision left it."""
    engine = sa.create_engine(url)
    have = {c["name"] for c in sa.inspect(engine).get_columns("articles")}
    later = [c for c in t.articles.columns if c.name not in have]
    with engine.begin() as conn:
        for c in later:
            conn.execute(
                text(f"ALTER TABLE articles ADD COLUMN {c.name} {c.type.compile(engine.dialect)}")
            )
    try:
        yield
    finally:
        with engine.begin() as conn:
            for c in later:
                conn.execute(text(f"ALTER TABLE articles DROP COLUMN {c.name}"))
        engine.dispose()


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
        # The key the old digest made and signed those copies with (the database does not
        # record it: revision 0015 does, for the key a digest signs with after the upgrade).
        (config.parent / ".digest-secret").write_text(new_key() + "\n")
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
        with app.store.engine.begin() as conn:  # the far claim, as `digest send` sees it now
            held = update(t.deliveries).where(t.deliveries.c.status == "claimed")
            conn.execute(held.values(claimed_at=datetime.now(UTC)))
        again = CliRunner().invoke(main, ["send", str(edition), "--config", str(config)])
    assert summary.sent == 5 and summary.remaining == 1
    assert again.exit_code == 1
    assert "1 still due (1 claimed by another process, which may still be sending" in " ".join(
        again.output.split()
    )
    assert sorted(handler.per_recipient().items()) == sorted((e, 1) for e in emails[4:9])
    assert app.store.ledger(edition) == {"sent": 9, "claimed": 1}


#: What digest at revision 0001 (commit 081780a) wrote and mailed: its key file, and the
#: links in its message to subscriber 19 (an outbox file of a real send with that key).
KEY_0001 = "HvILSxTFNYCSnJO9k21XOjKvr-1uyKSyT_v5EecMxpA"
UNSUBSCRIBE_0001 = "/u/MTk.BKUNNZvP1-SdIeiD7iS9Ht8tcHg"
PREFERENCES_0001 = "/p/MTk._QREqWrchdI2rMCXUs4dMjvxKWo"


def test_unsubscribe_and_preferences_links_mailed_by_the_oldest_digest_still_work(
    tmp_path: Path, db_url: str
) -> None:
    """The oldest digest kept its key in `.digest-secret` (one line) and signed links with
    it: after the upgrade the links in its mail still open their pages, the one-click
    unsubscribe still unsubscribes, and the consent history keeps the import before it."""
    config = write_project(tmp_path / "news", database=db_url)
    (config.parent / ".digest-secret").write_text(KEY_0001 + "\n")
    migrate_to(db_url, "0001")
    imported = datetime(2026, 11, 20, 9, tzinfo=UTC)
    store = Store(db_url)
    with store.engine.begin() as conn:
        lst = conn.execute(insert(t.lists).values(name="daily")).inserted_primary_key[0]
        person = {"list_id": lst, "name": "Ingrid Lund", "sections": [], "timezone": None}
        conn.execute(
            insert(OLD_SUBSCRIBERS),
            [
                {
                    **person,
                    "id": i,
                    "email": f"reader{i}@example.net",
                    "status": "active",
                    "format": "html",
                    "paused": False,
                    "created_at": imported,
                    "updated_at": imported,
                }
                for i in (18, 19)
            ],
        )
        conn.execute(
            insert(t.subscriber_events).values(
                subscriber_id=19, status="active", origin="import:daily.csv", at=imported
            )
        )
    store.close()
    app = App.from_config(config)
    web = create_app(app, clock=lambda: datetime.now(UTC)).test_client()
    base = "https://brief.example.org"
    assert web.get(PREFERENCES_0001, base_url=base).status_code == 200
    assert web.get(UNSUBSCRIBE_0001, base_url=base).status_code == 200
    assert web.get(UNSUBSCRIBE_0001[:-1] + "x", base_url=base).status_code == 404
    done = web.post(UNSUBSCRIBE_0001, data={"List-Unsubscribe": "One-Click"}, base_url=base)
    assert done.status_code == 200
    assert {s.id: s.status for s in app.store.subscribers("daily")} == {
        18: "active",
        19: "unsubscribed",
    }
    history = [(e.status, e.origin, e.at) for e in app.store.events(19)]
    assert history[0] == ("active", "import:daily.csv", imported)
    assert [h[:2] for h in history[1:]] == [("unsubscribed", "web:unsubscribe")]
    app.store.close()


def test_a_database_a_newer_digest_migrated_is_refused_with_nothing_changed(
    tmp_path: Path, db_url: str
) -> None:
    """Going back to this digest after a newer one migrated the database: every command
    says what is wrong and writes nothing (not even a collect's fetch times)."""
    config = write_project(tmp_path / "news", database=db_url)
    app = App.from_config(config)
    app.collect(now=NOW)
    app.store.close()
    store = Store(db_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0042'"))

    def dump() -> str:
        with store.engine.connect() as conn:
            tables = {
                name: [list(r) for r in conn.execute(select(table)).all()]
                for name, table in t.metadata.tables.items()
            }
            tables["alembic_version"] = [
                list(r) for r in conn.execute(text("SELECT * FROM alembic_version"))
            ]
        return json.dumps(tables, default=str, sort_keys=True)

    before = dump()
    for command_line in (["editions"], ["collect"], ["send", "1"], ["run", "--once"]):
        done = CliRunner().invoke(main, [*command_line, "--config", str(config)])
        assert done.exit_code == 2, (command_line, done.output)
        assert "the schema is not one this digest knows" in done.output
        assert "'0042'" in done.output and "newer version" in done.output
    assert dump() == before
    store.close()
