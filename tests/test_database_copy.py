"""`digest database copy --to URL`: a project moves from its SQLite file to PostgreSQL
with everything it stored, or nothing at all.

Pointing `[database] url` at a new PostgreSQL database started it empty: every
subscriber's status and choices, the erased addresses, the ledger that keeps a send
exactly-once, the editions, pictures and editors were left behind, so the first send
from PostgreSQL mailed everyone again, unsubscribed people included. A real SQLite
project (sent through a real SMTP server on loopback) is copied into a real PostgreSQL
database, and the real send path runs on the copy.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, insert, inspect, select, text

from digest.app import App
from digest.cli import main
from digest.deliver.run import send_edition
from digest.imagebytes import Picture
from digest.store import Store
from digest.store import schema as t
from tests.databases import postgres_database
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)

IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # bytes, not text: kept exactly
STATUSES = ("unsubscribed", "bounced", "complained", "pending")


@pytest.fixture
def target() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def _populate(folder: Path) -> tuple[Path, int]:
    """A SQLite project with an edition sent to four readers through a real SMTP
    server, subscribers in every other status, an erased address (the newest
    subscriber: its id is never to be given again), a hosted picture and an editor."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(folder, port, "retry_delay = 0.01\n")
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 4)  # reader0..3, active
        for n, status in enumerate(STATUSES):
            add_subscribers(app, 1, start=10 + n, status=status)
        summary = send_edition(app, edition, clock=lambda: NOW)
    assert summary.sent == 4 and handler.per_recipient()["reader0@example.net"] == 1
    add_subscribers(app, 1, start=99)  # reader99: the highest id, then erased
    assert app.store.forget("reader99@example.net", now=NOW) == 1
    sha = hashlib.sha256(IMAGE).hexdigest()
    picture = Picture("image/png", "png", 640, 480)
    app.store.keep_image(sha, picture, IMAGE, source_url="https://example.org/a.png", now=NOW)
    assert app.store.add_editor("editor@example.org", "correct horse battery", now=NOW)
    app.close()
    return config, edition


def _copy(config: Path, url: str) -> Result:
    return CliRunner().invoke(main, ["database", "copy", "--config", str(config), "--to", url])


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return {
                table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for table in t.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _tables(url: str) -> list[str]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _sqlite(config: Path) -> sqlite3.Connection:
    return sqlite3.connect(config.parent / "digest.db")


def test_the_copy_keeps_who_was_sent_what_and_who_left(
    tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server whose sessions are not in UTC: SQLite's times (naive, UTC) keep their instant.
    monkeypatch.setenv("PGTZ", "America/New_York")
    config, edition = _populate(tmp_path / "news")
    source = _counts(f"sqlite:///{config.parent / 'digest.db'}")
    result = _copy(config, target)
    assert result.exit_code == 0, result.output
    assert _counts(target) == source
    out = " ".join(result.output.split())
    assert "deliveries" in out and "Next: edit [database] url" in out, result.output
    # The key that signed the links in mail already sent is not in the database: the
    # operator is told where it is, for every machine that will run on the copy.
    key = config.parent / ".digest-secret"
    assert f"not in the database: {key}" in out, result.output
    assert "digest keys status" in out, result.output

    handler = FaultyHandler()
    with smtp_server(handler) as port:
        moved = small_project(tmp_path / "news", port, "retry_delay = 0.01\n", database=target)
        app = App.from_config(moved)
        store = app.store
        # The erased address stays erased: nothing re-adds it.
        assert store.is_suppressed("reader99@example.net")
        assert store.erased(["reader99@example.net"]) == {"reader99@example.net"}
        # Everyone keeps their status; those who left are never owed mail.
        statuses = {s.email: s.status for s in store.subscribers("daily")}
        for n, status in enumerate(STATUSES):
            assert statuses[f"reader{10 + n}@example.net"] == status
        assert store.ledger(edition) == {"sent": 4}
        with store.engine.connect() as conn:
            when = select(t.deliveries.c.sent_at, t.subscribers.c.created_at).join(
                t.subscribers, t.subscribers.c.id == t.deliveries.c.subscriber_id
            )
            assert {at for row in conn.execute(when) for at in row} == {NOW}
        assert store.due(edition, "daily") == []
        # A new subscriber gets a new id: after the highest ever given, the erased one's too.
        (late,) = add_subscribers(app, 1, start=500)
        added = store.subscriber("daily", late)
        assert added is not None and added.id > 9
        # The real send from PostgreSQL mails the newcomer only: nobody gets it twice.
        summary = send_edition(app, edition, clock=lambda: NOW)
        app.close()
    assert summary.sent == 1
    assert [g.recipient for g in handler.got] == [late]
    image = Store(target).hosted_image(hashlib.sha256(IMAGE).hexdigest())
    assert image is not None and image.body == IMAGE
    assert Store(target).check_editor("editor@example.org", "correct horse battery")


def test_a_target_that_holds_rows_is_refused_and_left_as_it_was(
    tmp_path: Path, target: str
) -> None:
    config, _ = _populate(tmp_path / "news")
    other = Store(target)
    other.migrate()
    assert other.add_editor("someone@example.org", "another long password", now=NOW)
    other.close()
    before = _counts(target)
    result = _copy(config, target)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "table editors already holds rows" in message, message
    assert "Traceback" not in result.output
    assert _counts(target) == before


def test_a_copy_that_fails_on_a_row_leaves_the_target_empty(tmp_path: Path, target: str) -> None:
    """A ledger row whose subscriber is gone (SQLite kept it: its foreign keys were off
    when it was written): PostgreSQL refuses it, after every table before it went in."""
    config, edition = _populate(tmp_path / "news")
    with _sqlite(config) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute(
            "INSERT INTO deliveries (edition_id, subscriber_id, status, attempts) "
            "VALUES (?, 9999, 'sent', 1)",
            (edition,),
        )
    result = _copy(config, target)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "deliveries" in message and "nothing was copied" in message, message
    assert "Traceback" not in result.output
    assert set(_counts(target).values()) == {0}
    # The database is usable: once the row is put right, the copy goes through.
    with _sqlite(config) as db:
        db.execute("DELETE FROM deliveries WHERE subscriber_id = 9999")
    assert _copy(config, target).exit_code == 0


def test_a_send_in_progress_is_waited_for(tmp_path: Path, target: str) -> None:
    config, edition = _populate(tmp_path / "news")
    store = Store(f"sqlite:///{config.parent / 'digest.db'}")
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(
            insert(t.send_leases).values(
                edition_id=edition,
                owner="elsewhere:4242:abcd",
                host="elsewhere",
                pid=4242,
                since=now,
                until=now + timedelta(seconds=60),
            )
        )
    store.close()
    result = _copy(config, target)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"edition {edition} is being sent" in message, message
    assert "digest pause" in message
    assert _tables(target) == []  # not even migrated: the source is refused first


def test_a_source_behind_this_digest_is_migrated_first(tmp_path: Path, target: str) -> None:
    config, _ = _populate(tmp_path / "news")
    with _sqlite(config) as db:
        db.execute("UPDATE alembic_version SET version_num = '0012'")
    result = _copy(config, target)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "revision 0012" in message and "migrates it" in message, message


def test_a_password_is_never_printed(tmp_path: Path, target: str) -> None:
    config, _ = _populate(tmp_path / "news")
    secret = target.replace("postgres@", "postgres:hunter2secret@")  # trust: not checked
    result = _copy(config, secret)
    assert result.exit_code == 0, result.output
    assert "hunter2secret" not in result.output and "***" in result.output
    missing = secret.rsplit("/", 1)[0] + "/digest_no_such_database"
    result = _copy(config, missing)
    assert result.exit_code == 2, result.output
    assert "hunter2secret" not in result.output and "digest_no_such_database" in result.output


def test_a_sqlite_target_keeps_the_ids_never_to_be_given_again(tmp_path: Path) -> None:
    config, _ = _populate(tmp_path / "news")
    copy = tmp_path / "copy.db"
    result = _copy(config, f"sqlite:///{copy}")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(copy) as db:
        (seq,) = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'subscribers'").fetchone()
        assert seq == 9  # reader99, erased: its id stays taken
    store = Store(f"sqlite:///{copy}")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM suppressions")).scalar_one() >= 1
    store.close()


def test_workers_holding_claims_are_waited_for(tmp_path: Path, target: str) -> None:
    config, edition = _populate(tmp_path / "news")
    from datetime import UTC, datetime

    with _sqlite(config) as db:
        db.execute(
            "INSERT INTO deliveries (edition_id, subscriber_id, status, attempts, worker, "
            "claimed_at) VALUES (?, 5, 'claimed', 1, 'digest@host/1', ?)",
            (edition, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")),
        )
    result = _copy(config, target)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"edition {edition} is being sent (workers claimed 1 messages" in message, message
    assert "[queue] lease = 600 seconds" in message
    assert _tables(target) == []


def test_what_a_killed_send_journaled_is_copied_as_sent(tmp_path: Path, target: str) -> None:
    """A send killed between the server's answer and the ledger's write left the message
    in its journal beside the SQLite file; the next send records it before claiming.
    The copy does so first, or PostgreSQL would owe that reader the edition again."""
    config, edition = _populate(tmp_path / "news")
    app = App.from_config(config)
    (email,) = add_subscribers(app, 1, start=50)
    reader = app.store.subscriber("daily", email)
    assert reader is not None
    assert app.store.claim(edition, [reader.id], worker="gone/0", now=NOW) == {reader.id}
    app.close()
    dead = subprocess.Popen(["true"])
    dead.wait()
    journal = config.parent / "digest.db-sent"
    journal.mkdir()
    (journal / f"{edition}.{dead.pid}.0badcafe").write_text(f"{reader.id}\n")
    result = _copy(config, target)
    assert result.exit_code == 0, result.output
    assert "1 messages a stopped send had sent" in " ".join(result.output.split())
    store = Store(target)
    assert store.ledger(edition) == {"sent": 5}
    assert store.due(edition, "daily") == []
    store.close()


def test_a_postgresql_database_copies_too(tmp_path: Path, target: str) -> None:
    """PostgreSQL to PostgreSQL (another server): the ids its sequence gave go along."""
    config, _ = _populate(tmp_path / "news")
    assert _copy(config, target).exit_code == 0
    moved = small_project(tmp_path / "news", 25, database=target)
    with postgres_database() as second:
        result = _copy(moved, second)
        assert result.exit_code == 0, result.output
        assert _counts(second) == _counts(target)
        store = Store(second)
        with store.engine.begin() as conn:
            added = conn.execute(
                insert(t.subscribers).values(
                    list_id=1,
                    email="new@example.net",
                    status="active",
                    created_at=NOW,
                    updated_at=NOW,
                )
            ).inserted_primary_key
        store.close()
    assert added is not None and added[0] == 10  # after reader99's 9, erased


@pytest.mark.parametrize("paused", [False, True])
def test_a_killed_send_is_copied_and_finished_from_the_copy(
    tmp_path: Path, target: str, paused: bool
) -> None:
    """The laptop's `digest send` was killed (SIGKILL) part way. Its process is gone, so
    nothing can send after the copy: the copy goes ahead at once (after `digest pause`,
    which its refusal advised, or without), rather than refusing for `[queue] lease`
    seconds as if workers held the rows. `digest send` from the copy finishes the
    edition: every reader has it exactly once."""
    from tests.test_send_killed_cancelled import DELIVERED, READERS, killed_send

    with killed_send(tmp_path / "news") as killed:
        killed.app.close()
        if paused:
            result = CliRunner().invoke(
                main, ["pause", str(killed.edition), "--config", str(killed.config)]
            )
            assert result.exit_code == 0, result.output
        result = _copy(killed.config, target)
        assert result.exit_code == 0, result.output
        assert Store(target).ledger(killed.edition)["sent"] == DELIVERED
        port = int(killed.config.read_text().split("port = ")[1].split()[0])
        moved = small_project(tmp_path / "news", port, "retry_delay = 0.01\n", database=target)
        sent = CliRunner().invoke(main, ["send", str(killed.edition), "--config", str(moved)])
        assert sent.exit_code == 0, sent.output
        per_reader = killed.handler.per_recipient()
    assert len(per_reader) == READERS and set(per_reader.values()) == {1}, per_reader


def test_a_url_switched_before_the_copy_is_told_how_to_go_on(tmp_path: Path, target: str) -> None:
    """The operator set [database] url to the new database first (the guide's first
    block shows it) and ran a command there, which migrated it and stored the sources.
    The copy reads the database the url names, so it is refused: the message says to
    point the url back at the SQLite file while copying, and then that the new database
    already holds rows and must be made again, naming how."""
    _populate(tmp_path / "news")
    switched = small_project(tmp_path / "news", 25, database=target)
    assert CliRunner().invoke(main, ["collect", "--config", str(switched)]).exit_code == 0
    result = _copy(switched, target)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "[database] url" in message and "sqlite:///" in message, message
    back = small_project(tmp_path / "news", 25)
    result = _copy(back, target)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "already holds rows" in message and "dropdb" in message, message


@pytest.mark.parametrize("older", [False, True])
def test_claims_of_a_worker_process_gone_from_this_machine_do_not_hold_the_copy(
    tmp_path: Path, target: str, older: bool
) -> None:
    """A `digest worker` of this machine killed with its claims: its process is gone,
    so they are no send in progress; another machine's worker's are waited for. The
    claim names the machine first, whatever the worker's --name (an older worker's
    claim, `node@host:pid`, is read as before)."""
    import socket
    from datetime import UTC, datetime

    from digest.deliver.lease import worker_holder

    config, edition = _populate(tmp_path / "news")
    dead = subprocess.Popen(["true"])
    dead.wait()
    here = socket.gethostname()
    holder = f"w1@{here}:{dead.pid}" if older else worker_holder("w1@qa9", dead.pid)
    claimed = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with _sqlite(config) as db:
        db.execute(
            "INSERT INTO deliveries (edition_id, subscriber_id, status, attempts, worker, "
            "claimed_at) VALUES (?, 5, 'claimed', 1, ?, ?)",
            (edition, holder, claimed),
        )
    result = _copy(config, target)
    assert result.exit_code == 0, result.output
    assert Store(target).ledger(edition) == {"sent": 4, "claimed": 1}


def test_a_postgresql_copy_has_the_statistics_its_query_plans_need(
    tmp_path: Path, target: str
) -> None:
    """The copy is a bulk load into tables PostgreSQL has never analysed, and autovacuum
    analyses them only later: until then the planner guesses their sizes, and looking
    an article up by its link (the re-issue check of every collect, the desk's add by
    link) passed over the link index for a scan. The copy analyses what it wrote."""
    config, _edition = _populate(tmp_path / "news")
    assert _copy(config, target).exit_code == 0
    engine = create_engine(target.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            tuples = dict(
                conn.execute(
                    text(
                        "SELECT relname, reltuples FROM pg_class "
                        "WHERE relname IN ('articles', 'subscribers', 'deliveries')"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    # -1: never analysed (PostgreSQL 14 and later); else the rows it counted
    assert tuples and all(count >= 1 for count in tuples.values()), tuples
