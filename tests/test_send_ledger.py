"""The ledger in the database: claim before hand-over, mark after, and what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from digest.app import App
from digest.store import schema as t
from tests.test_send_support import NOW, add_subscribers, build, small_project


def _project(
    tmp_path: Path, subscribers: int = 10, database: str = "sqlite:///digest.db"
) -> tuple[App, int, list[int]]:
    app = App.from_config(small_project(tmp_path / "news", 2525, database=database))
    edition = build(app)
    add_subscribers(app, subscribers)
    return app, edition, [s.id for s in app.store.subscribers("daily")]


def test_claim_takes_only_what_is_not_done_and_counts_attempts(tmp_path: Path, db_url: str) -> None:
    app, edition, ids = _project(tmp_path, database=db_url)
    store = app.store
    assert store.claim(edition, ids[:4], worker="a", now=NOW) == set(ids[:4])
    store.mark(edition, {ids[0]: ("sent", None), ids[1]: ("failed", "451 later")}, now=NOW)
    # A resumed run takes over the failed and the interrupted (claimed) rows, never the sent.
    assert store.claim(edition, ids[:6], worker="b", now=NOW) == set(ids[1:6])
    d = t.deliveries
    with store.engine.connect() as conn:
        rows = {
            r.subscriber_id: r for r in conn.execute(select(d).where(d.c.edition_id == edition))
        }
    assert rows[ids[0]].status == "sent" and rows[ids[0]].worker == "a"
    assert rows[ids[1]].attempts == 2 and rows[ids[1]].error is None
    assert rows[ids[2]].attempts == 2 and rows[ids[5]].attempts == 1
    assert store.ledger(edition) == {"sent": 1, "claimed": 5}


def test_due_leaves_out_sent_and_bounced_and_pages_by_id(tmp_path: Path, db_url: str) -> None:
    app, edition, ids = _project(tmp_path, 12, database=db_url)
    store = app.store
    store.claim(edition, ids[:5], worker="a", now=NOW)
    status = store.mark(
        edition,
        {ids[0]: ("sent", None), ids[1]: ("bounced", "550 no such user"), ids[2]: ("failed", "x")},
        now=NOW,
    )
    assert status == "draft"  # mark reports the edition's status (pause/cancel reach workers)
    due = [s.id for s in store.due(edition, "daily", limit=100)]
    assert due == ids[2:]  # failed and claimed rows are due again
    assert store.due_count(edition, "daily") == 10
    first = store.due(edition, "daily", limit=4)
    second = store.due(edition, "daily", after_id=first[-1].id, limit=100)
    assert [s.id for s in first + second] == due
    halves = [
        [s.id for s in store.due(edition, "daily", limit=100, shard=(i, 2))] for i in range(2)
    ]
    assert sorted(halves[0] + halves[1]) == due and not set(halves[0]) & set(halves[1])
    bounced = store.subscriber_by_id(ids[1])
    assert bounced is not None and bounced.status == "bounced"


def test_a_retry_takes_each_unsendable_row_once_and_never_a_sent_one(
    tmp_path: Path, db_url: str
) -> None:
    """`--retry-unsendable` (a run begun at `began`): the rows recorded unsendable before
    are due and claimable again, by either kind of claim; once this run has marked one
    again (claimed after `began`), no claim of the same run takes it a second time (a
    redelivered or re-enqueued batch), and a sent or bounced row is never taken."""
    app, edition, ids = _project(tmp_path, 6, database=db_url)
    store = app.store
    store.claim(edition, ids, worker="a", now=NOW)
    unsendable = ("unsendable", "x: not sent: the relay r:25 does not offer SMTPUTF8")
    store.mark(
        edition,
        {
            ids[0]: ("sent", None),
            ids[1]: ("bounced", "550"),
            ids[2]: unsendable,
            ids[3]: unsendable,
            ids[4]: unsendable,
            ids[5]: ("sent", None),
        },
        now=NOW,
    )
    assert store.due_count(edition, "daily") == 0  # a plain run leaves them alone
    assert store.claim(edition, ids, worker="plain", now=NOW + timedelta(minutes=1)) == set()
    began = NOW + timedelta(hours=1)
    due = [s.id for s in store.due(edition, "daily", limit=100, retry_before=began)]
    assert due == ids[2:5] and store.due_count(edition, "daily", retry_before=began) == 3
    later = began + timedelta(seconds=1)
    assert store.claim(edition, ids[:3], worker="b", now=later, retry_before=began) == {ids[2]}
    taken = store.claim_exclusive(
        edition, ids[3:], worker="c", now=later, lease=300, retry_before=began
    )
    assert taken == {ids[3], ids[4]}
    store.mark(edition, {ids[2]: unsendable, ids[3]: unsendable, ids[4]: ("sent", None)}, now=later)
    # The same run again (a batch delivered twice): nothing is taken a second time.
    again = later + timedelta(seconds=1)
    assert store.claim(edition, ids, worker="d", now=again, retry_before=began) == set()
    assert (
        store.claim_exclusive(edition, ids, worker="e", now=again, lease=300, retry_before=began)
        == set()
    )
    assert store.due_count(edition, "daily", retry_before=began) == 0
    assert store.unfinished_count(edition, "daily", retry_before=began) == 0
    assert store.ledger(edition) == {"sent": 3, "bounced": 1, "unsendable": 2}
    assert store.ledger_since(edition, began) == {"unsendable": 2, "sent": 1}
    count, listed = store.unsent(edition, limit=1)
    assert count == 2 and [d.subscriber_id for d in listed] == [ids[2]]
    assert listed[0].attempts == 2 and listed[0].error == unsendable[1]
    # A later retry run takes the two left, once more.
    retry = again + timedelta(hours=1)
    assert [s.id for s in store.due(edition, "daily", limit=9, retry_before=retry)] == ids[2:4]


def test_the_due_query_walks_an_index_not_the_whole_list(tmp_path: Path) -> None:
    """Each batch must cost the same at 100 or 100,000 subscribers: no sort of the whole
    list and no scan of the ledger per batch."""
    app, edition, _ids = _project(tmp_path, 50)
    store = app.store
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "FROM subscribers" in statement and "LIMIT" in statement:
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", capture)
    store.due(edition, "daily", after_id=10, limit=5, shard=(1, 2))
    event.remove(store.engine, "before_cursor_execute", capture)
    ((statement, params),) = seen
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        plan = " | ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params))
    assert "USING INDEX ix_subscribers_list_status_id" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    assert "SCAN deliveries" not in plan, plan


def test_a_due_reader_pages_like_due_and_sees_each_batchs_marks(
    tmp_path: Path, db_url: str
) -> None:
    """A worker's reader (its statement built once, bound per batch) gives what `due`
    gives, sections and formats included, and sees rows marked since its last batch."""
    app, edition, ids = _project(tmp_path, 6, database=db_url)
    add_subscribers(app, 2, start=100, sections=["Culture", "Science"], format="text")
    ids = [s.id for s in app.store.subscribers("daily")]
    store = app.store
    reader = store.due_reader(edition, "daily", shard=(0, 1))
    first = reader(0, 3)
    assert first == store.due(edition, "daily", limit=3)
    store.claim(edition, ids, worker="a", now=NOW)
    store.mark(edition, {ids[3]: ("sent", None), ids[4]: ("bounced", "550 no")}, now=NOW)
    rest = reader(first[-1].id, 100)
    assert [s.id for s in rest] == [ids[5], ids[6], ids[7]]
    assert rest == store.due(edition, "daily", after_id=first[-1].id, limit=100)
    assert rest[1].sections == ("Culture", "Science") and rest[1].format == "text"
    assert first[0].sections == () and first[0].format == "html"
    assert reader(ids[-1], 100) == []


def test_a_workers_claim_takes_its_turn_at_the_ledgers_file_lock(tmp_path: Path) -> None:
    """On SQLite a worker's claims take the same file lock as the marks: a claim never
    meets another worker's mark in SQLite's busy handler (a millisecond's sleep)."""
    import threading

    from digest.deliver.wiring import StoreLedger

    app, edition, ids = _project(tmp_path, 4)
    store = app.store
    ledger = StoreLedger(store, store.edition(edition), name="run/0", owner="run")
    other = store.ledger_writer(edition)  # another worker's writer, holding its turn
    claimed: list[set[int]] = []
    with other.turn():
        thread = threading.Thread(target=lambda: claimed.append(ledger.claim(ids, NOW)))
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and not claimed  # waiting for the turn
        assert store.ledger(edition) == {}
    thread.join(5)
    assert claimed == [set(ids)]
    ledger.close()
    other.close()


def test_sqlite_checkpoints_every_4000_pages_and_stays_durable_as_before(tmp_path: Path) -> None:
    """A send commits every message or two: SQLite checkpoints its WAL (two fsyncs, in
    the committing writer) every 4,000 pages, not 1,000; WAL with synchronous=NORMAL
    as before."""
    app, _, _ = _project(tmp_path, 1)
    with app.store.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("wal_autocheckpoint", "journal_mode", "synchronous")
        }
    assert pragma == {"wal_autocheckpoint": 4000, "journal_mode": "wal", "synchronous": 1}


def _journals(app: App) -> list[Path]:
    folder = Path(str(app.store.engine.url.database) + "-sent")
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_sqlite_ledger_journals_each_accepted_message_until_it_is_marked(
    tmp_path: Path,
) -> None:
    """The journal holds exactly the messages the server took that the database does not
    have yet: emptied by each mark, gone at a clean close."""
    from digest.deliver.wiring import StoreLedger

    app, edition, ids = _project(tmp_path, 4)
    ledger = StoreLedger(app.store, app.store.edition(edition), name="run/0", owner="run")
    assert ledger.journaled
    assert ledger.claim(ids, NOW) == set(ids)
    ledger.sent(ids[0])
    ledger.sent(ids[1])
    [journal] = _journals(app)
    assert journal.read_text().split() == [str(ids[0]), str(ids[1])]
    assert journal.stat().st_mode & 0o777 == 0o600
    ledger.mark({ids[0]: ("sent", None), ids[1]: ("sent", None)}, NOW)
    assert journal.read_text() == ""
    ledger.sent(ids[2])
    assert journal.read_text().split() == [str(ids[2])]
    ledger.mark({ids[2]: ("sent", None)}, NOW)
    ledger.close()
    assert not journal.parent.exists()  # nothing left beside the database
    assert app.store.ledger(edition) == {"sent": 3, "claimed": 1}


def test_a_dead_workers_journal_is_applied_before_its_rows_are_claimed_again(
    tmp_path: Path,
) -> None:
    """A worker killed between the server's answer and its next mark left its messages
    in the journal only: the next claim records them as sent (so nobody gets them
    twice) and removes the journal; a live worker's journal is applied but kept."""
    import subprocess
    import sys

    from digest.deliver.wiring import StoreLedger

    app, edition, ids = _project(tmp_path, 6)
    store = app.store
    dead = StoreLedger(store, store.edition(edition), name="run/0", owner="run")
    assert dead.claim(ids[:3], NOW) == set(ids[:3])
    dead.sent(ids[0])
    dead.sent(ids[1])
    live = StoreLedger(store, store.edition(edition), name="run/1", owner="run")
    assert live.claim([ids[5]], NOW) == {ids[5]}
    live.sent(ids[5])  # a live worker's message, not marked yet
    journal = next(j for j in _journals(app) if j.read_text().split() == [str(ids[0]), str(ids[1])])
    # The same file as a process that is gone would have left it: its pid is a dead one.
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    edition_id, _, rest = journal.name.split(".", 2)
    moved = journal.with_name(f"{edition_id}.{gone}.{rest}")
    journal.rename(moved)
    with moved.open("ab") as fh:  # a line still being written (no newline) is not read
        fh.write(str(ids[2]).encode())
    assert len(_journals(app)) == 2

    later = datetime.now(UTC) + timedelta(hours=1)  # the dead worker's lease is over
    taker = StoreLedger(store, store.edition(edition), name="run2/0", owner="run2")
    assert taker.claim(ids, later) == set(ids[2:5])  # not what was sent
    assert store.ledger(edition) == {"sent": 3, "claimed": 3}
    assert not moved.exists() and len(_journals(app)) == 1  # the live one stays
    for ledger in (dead, live, taker):
        ledger.close()


def test_a_claim_records_a_live_workers_journal_only_where_it_takes_rows(
    tmp_path: Path,
) -> None:
    """Another live worker's journaled messages are recorded by a claim only among the
    rows it claims (so it never takes one of them); the rest are that worker's own to
    mark, and are not written twice by every other worker's claims."""
    from digest.deliver.wiring import StoreLedger

    app, edition, ids = _project(tmp_path, 6)
    store = app.store
    live = StoreLedger(store, store.edition(edition), name="run/1", owner="run")
    assert live.claim(ids[:2], NOW) == set(ids[:2])
    live.sent(ids[0])
    live.sent(ids[1])  # both accepted, neither marked yet
    later = datetime.now(UTC) + timedelta(hours=1)  # its lease is over: rows may be taken
    other = StoreLedger(store, store.edition(edition), name="run2/0", owner="run2")
    assert other.claim(ids[3:], later) == set(ids[3:])
    assert store.ledger(edition) == {"claimed": 5}  # nothing of the live one's written
    assert other.claim([ids[1], ids[2]], later) == {ids[2]}  # its sent one is not taken
    assert store.ledger(edition) == {"sent": 1, "claimed": 5}
    live.mark({ids[0]: ("sent", None), ids[1]: ("sent", None)}, later)
    assert store.ledger(edition) == {"sent": 2, "claimed": 4}
    for ledger in (live, other):
        ledger.close()


def test_a_journal_that_cannot_be_written_stops_the_send_naming_the_file(
    tmp_path: Path,
) -> None:
    import pytest

    from digest.deliver.wiring import StoreLedger
    from digest.errors import StoreError

    app, edition, ids = _project(tmp_path, 2)
    ledger = StoreLedger(app.store, app.store.edition(edition), name="run/0", owner="run")
    folder = Path(f"{app.store.engine.url.database}-sent")
    folder.write_text("not a folder")  # the journal cannot be made there
    with pytest.raises(StoreError, match=r"digest\.db-sent/.*cannot record a sent message"):
        ledger.sent(ids[0])
    ledger.close()
