"""Message-IDs: the same for a copy made again, never the same as anyone else's.

A receiver (Gmail) hides a message whose Message-ID it already has. So a copy resent
after a crash must repeat its ID (the duplicate is dropped), while another installation,
a recreated database, another `digest demo` run or another desk test must not.
Real parts: SQLite files (and PostgreSQL where the store is the point), an SMTP server
on loopback.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import insert, select, update

from digest.app import App
from digest.cli import main
from digest.codec import edition_to_dict
from digest.deliver.run import send_edition
from digest.message import message_id
from digest.records import Edition
from digest.store import MIGRATIONS, Store
from digest.store import schema as t
from digest.web.desk_edition import send_test
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)
from tests.test_upgrade import OLD_SUBSCRIBERS

_ID = re.compile(rb"^Message-ID: (<[^>\r\n]*>)\r?$", re.M | re.I)
#: RFC 5322 msg-id with a dot-atom on both sides, as digest writes it.
_DOT_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_MSG_ID = re.compile(rf"<{_DOT_ATOM}@{_DOT_ATOM}>")


def _id(data: bytes) -> str:
    found = _ID.search(data.split(b"\r\n\r\n", 1)[0])
    assert found, data[:400]
    return found[1].decode("ascii")


def _send_all(config: Path, subscribers: int) -> dict[str, str]:
    """Build edition 1 of a fresh database, send it; recipient -> Message-ID."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config.write_text(re.sub(r"port = \d+", f"port = {port}", config.read_text()))
        app = App.from_config(config)
        edition = build(app)
        assert edition == 1  # every fresh database starts again at edition 1
        add_subscribers(app, subscribers)
        summary = send_edition(app, edition, clock=lambda: NOW)
        app.store.close()
    assert summary.sent == subscribers
    return {g.recipient: _id(g.data) for g in handler.got}


def test_installations_and_recreated_databases_never_share_a_message_id(
    tmp_path: Path,
) -> None:
    first = _send_all(small_project(tmp_path / "one", 1), 3)
    other = _send_all(small_project(tmp_path / "two", 1), 3)  # another installation
    database = tmp_path / "one" / "digest.db"
    for path in database.parent.glob("digest.db*"):
        path.unlink()  # the same project, its database made again
    again = _send_all(tmp_path / "one" / "digest.toml", 3)
    assert first.keys() == other.keys() == again.keys()  # the same readers, same ids
    ids = [*first.values(), *other.values(), *again.values()]
    assert len(set(ids)) == len(ids) == 9, ids
    for value in ids:
        assert _MSG_ID.fullmatch(value) and len(value) < 60, value
        assert "reader" not in value and "secret" not in value  # no address, no key
        assert value.startswith("<digest.1.") and value.endswith("@example.org>")


def test_a_copy_sent_again_after_a_crash_keeps_its_message_id(tmp_path: Path, db_url: str) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        emails = add_subscribers(app, 3)
        send_edition(app, edition, clock=lambda: NOW)
        first = {g.recipient: _id(g.data) for g in handler.got}
        # A run killed after handing reader1's copy over, before it recorded it: the
        # row is left claimed (no journal), the edition sending, the run's lease held
        # until it runs out.
        d, s = t.deliveries, t.subscribers
        with app.store.engine.begin() as conn:
            sub = conn.execute(select(s.c.id).where(s.c.email == emails[1])).scalar_one()
            row = (d.c.edition_id == edition) & (d.c.subscriber_id == sub)
            worker = conn.execute(select(d.c.worker).where(row)).scalar_one()
            conn.execute(update(d).where(row).values(status="claimed", sent_at=None))
            conn.execute(update(t.editions).values(status="sending"))
            conn.execute(
                insert(t.send_leases).values(
                    edition_id=edition,
                    owner=worker.rpartition("/")[0],
                    host="gone",
                    pid=1,
                    since=NOW - timedelta(hours=2),
                    until=NOW - timedelta(hours=1),
                )
            )
        app.store.close()
        resumed = App.from_config(config)  # another process: only the database is shared
        summary = send_edition(resumed, edition, clock=lambda: NOW)
        resumed.store.close()
    assert summary.sent == 1
    (second,) = handler.got[3:]
    assert second.recipient == emails[1]
    assert _id(second.data) == first[emails[1]]  # the receiver drops it as a duplicate
    assert len(set(first.values())) == 3


def test_every_desk_test_send_has_a_message_id_of_its_own(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        (reader,) = add_subscribers(app, 1)
        send_test(app, edition, "me@example.org", as_subscriber=None, now=NOW)
        send_test(app, edition, "me@example.org", as_subscriber=reader, now=NOW)
        send_test(app, edition, "me@example.org", as_subscriber=None, now=NOW)
        send_edition(app, edition, clock=lambda: NOW)
    tests = [_id(g.data) for g in handler.got if g.recipient == "me@example.org"]
    (real,) = [_id(g.data) for g in handler.got if g.recipient == reader]
    assert len(tests) == 3 and len({*tests, real}) == 4, (tests, real)
    assert all(_MSG_ID.fullmatch(i) for i in tests)


def test_two_demo_runs_send_different_message_ids(tmp_path: Path) -> None:
    ids: list[set[str]] = []
    for out in (tmp_path / "a", tmp_path / "b"):
        result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        ids.append({_id(f.read_bytes()) for f in (out / "outbox").glob("*.eml")})
    assert len(ids[0]) == len(ids[1]) == 36
    assert not ids[0] & ids[1]


def test_the_migration_gives_unsent_editions_a_nonce_and_keeps_sent_ones_ids(
    db_url: str,
) -> None:
    """Editions stored before 0007: one no message went out for gets a nonce; one with
    ledger rows keeps the old Message-ID, so its resumed send repeats the IDs."""
    from alembic import command
    from alembic.config import Config

    store = Store(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    payload = edition_to_dict(Edition("daily", NOW, (), ()))
    with store.engine.begin() as conn:
        lst = conn.execute(insert(t.lists).values(name="daily")).inserted_primary_key[0]
        row = {"list_id": lst, "built_for": NOW, "payload": payload, "overrides": {}}
        sent = conn.execute(insert(t.editions).values(status="paused", created_at=NOW, **row))
        draft = conn.execute(insert(t.editions).values(status="draft", created_at=NOW, **row))
        sub = conn.execute(
            insert(OLD_SUBSCRIBERS).values(
                list_id=lst,
                email="a@example.net",
                name="A",
                status="active",
                sections=[],
                format="html",
                paused=False,
                created_at=NOW,
                updated_at=NOW,
            )
        ).inserted_primary_key[0]
        sent_id, draft_id = sent.inserted_primary_key[0], draft.inserted_primary_key[0]
        conn.execute(
            insert(t.deliveries).values(
                edition_id=sent_id, subscriber_id=sub, status="sent", attempts=1
            )
        )
    store.migrate()
    old, new = store.edition(sent_id), store.edition(draft_id)
    store.close()
    assert old.nonce is None
    assert (
        message_id(sent_id, sub, "example.org", old.nonce)
        == f"<digest.{sent_id}.{sub}@example.org>"
    )
    assert new.nonce is not None and re.fullmatch(r"[0-9a-f]{16}", new.nonce)
