"""The queued path's ledger queries, on SQLite and on the local PostgreSQL: exclusive
claims with a lease, renewal and release, id ranges, and what is left unfinished."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from digest.app import App
from digest.store import Store
from digest.store import schema as t
from tests.test_send_support import NOW, add_subscribers, build, small_project

LEASE = 600


def _project(tmp_path: Path, database: str, subscribers: int = 10) -> tuple[App, int, list[int]]:
    app = App.from_config(small_project(tmp_path / "news", 2525, database=database))
    edition = build(app)
    add_subscribers(app, subscribers)
    return app, edition, sorted(s.id for s in app.store.subscribers("daily"))


def _rows(app: App, edition: int) -> dict[int, tuple[str, str | None, int]]:
    d = t.deliveries
    with app.store.engine.connect() as conn:
        return {
            r.subscriber_id: (r.status, r.worker, r.attempts)
            for r in conn.execute(select(d).where(d.c.edition_id == edition))
        }


def test_a_live_claim_is_never_taken_and_a_dead_one_is_after_the_lease(
    tmp_path: Path, db_url: str
) -> None:
    app, edition, ids = _project(tmp_path, db_url)
    store = app.store
    assert store.claim_exclusive(edition, ids[:6], worker="a", now=NOW, lease=LEASE) == set(ids[:6])
    # b (a redelivered task, say) gets only what a does not hold.
    later = NOW + timedelta(seconds=LEASE - 1)
    assert store.claim_exclusive(edition, ids, worker="b", now=later, lease=LEASE) == set(ids[6:])
    store.mark(edition, {ids[0]: ("sent", None), ids[1]: ("failed", "451 later")}, now=NOW)
    # The failed row is free at once; a's other claims are not, until the lease is over.
    assert store.claim_exclusive(edition, ids[:6], worker="b", now=later, lease=LEASE) == {ids[1]}
    # a is alive: it renews its claims, so they stay its own past the first lease.
    assert store.renew_claims(edition, worker="a", ids=(0, ids[-1]), now=later) == 4
    assert store.held_elsewhere(edition, worker="b", ids=(0, ids[-1])) == (4, later)
    past_first = NOW + timedelta(seconds=LEASE + 1)
    mine = {ids[1], *ids[6:]}  # b takes its own rows again (a task delivered twice), not a's
    assert store.claim_exclusive(edition, ids, worker="b", now=past_first, lease=LEASE) == mine
    # a dies: a lease after its last renewal, its rows are taken over (never the sent one).
    dead = later + timedelta(seconds=LEASE + 1)
    assert store.claim_exclusive(edition, ids, worker="c", now=dead, lease=LEASE) == set(ids[2:6])
    rows = _rows(app, edition)
    assert rows[ids[0]] == ("sent", "a", 1)
    assert rows[ids[2]] == ("claimed", "c", 2)
    assert rows[ids[1]] == ("claimed", "b", 3)
    assert rows[ids[7]] == ("claimed", "b", 2)


def test_released_rows_are_free_at_once_and_own_rows_can_be_taken_again(
    tmp_path: Path, db_url: str
) -> None:
    app, edition, ids = _project(tmp_path, db_url)
    store = app.store
    store.claim_exclusive(edition, ids, worker="a", now=NOW, lease=LEASE)
    # a stopped (a pause) before handing over ids[5:]: it gives back only that range.
    assert store.release_claims(edition, worker="a", ids=(ids[4], ids[-1])) == 5
    assert store.held_elsewhere(edition, worker="b", ids=(0, ids[-1])) == (5, NOW)
    assert store.claim_exclusive(edition, ids, worker="b", now=NOW, lease=LEASE) == set(ids[5:])
    # The same worker (a task delivered again to the same process) takes its own rows.
    assert store.claim_exclusive(edition, ids, worker="a", now=NOW, lease=LEASE) == set(ids[:5])
    assert store.ledger(edition) == {"claimed": 10}


def _claim_all(
    store: Store,
    edition: int,
    ids: list[int],
    name: str,
    start: threading.Barrier,
    got: dict[str, set[int]],
    errors: list[BaseException],
) -> None:
    start.wait()
    step = 50 if name in "ab" else 70  # overlapping batches, in different orders
    order = ids if name in "ac" else ids[::-1]
    try:
        for i in range(0, len(ids), step):
            taken = store.claim_exclusive(
                edition, order[i : i + step], worker=name, now=NOW, lease=LEASE
            )
            got.setdefault(name, set()).update(taken)
    except BaseException as exc:  # a deadlock, say: the test fails with it
        errors.append(exc)


def test_concurrent_claims_never_share_a_row(tmp_path: Path, db_url: str) -> None:
    app, edition, ids = _project(tmp_path, db_url, subscribers=400)
    store = app.store
    for attempt in range(2):  # new rows (inserts), then rows given up (take-overs)
        got: dict[str, set[int]] = {}
        errors: list[BaseException] = []
        start = threading.Barrier(4)
        threads = [
            threading.Thread(target=_claim_all, args=(store, edition, ids, n, start, got, errors))
            for n in "abcd"
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, errors
        claimed = [sid for taken in got.values() for sid in taken]
        assert sorted(claimed) == sorted(ids), f"attempt {attempt}: a row claimed twice or never"
        store.mark(edition, {sid: ("failed", "451") for sid in ids}, now=NOW)


def test_a_row_being_written_elsewhere_is_skipped_not_waited_for(tmp_path: Path) -> None:
    from tests.databases import postgres_database

    with postgres_database() as url:
        app, edition, ids = _project(tmp_path, url)
        store = app.store
        store.claim_exclusive(edition, ids, worker="a", now=NOW, lease=LEASE)
        store.mark(edition, {sid: ("failed", "451") for sid in ids}, now=NOW)
        result: list[set[int]] = []
        with store.engine.connect() as other:
            other.execute(text("BEGIN"))
            other.execute(
                text(
                    "SELECT 1 FROM deliveries WHERE edition_id = :e AND subscriber_id = :s "
                    "FOR UPDATE"
                ),
                {"e": edition, "s": ids[3]},
            )
            worker = threading.Thread(
                target=lambda: result.append(
                    store.claim_exclusive(edition, ids, worker="b", now=NOW, lease=LEASE)
                ),
                daemon=True,
            )
            worker.start()
            worker.join(20)
            blocked = worker.is_alive()
            other.execute(text("ROLLBACK"))
            worker.join()
        store.close()
    assert not blocked, "the claim waited for a row another transaction had locked"
    assert result == [set(ids) - {ids[3]}]


def test_ranges_cut_the_due_subscribers_into_batches(tmp_path: Path, db_url: str) -> None:
    app, edition, ids = _project(tmp_path, db_url, subscribers=23)
    store = app.store
    store.claim(edition, ids[:8], worker="a", now=NOW)
    store.mark(edition, {sid: ("sent", None) for sid in ids[:5]}, now=NOW)
    store.mark(edition, {ids[5]: ("failed", "451 later")}, now=NOW)
    ranges = store.batch_ranges(edition, "daily", size=5)
    due = [s.id for s in store.due(edition, "daily", limit=100)]
    assert due == ids[5:]
    inside = [[sid for sid in due if lo < sid <= hi] for lo, hi in ranges]
    assert [len(x) for x in inside] == [5, 5, 5, 3]
    assert ranges[0][0] == 0 and all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert [sid for part in inside for sid in part] == due
    # Unfinished: neither failed (that waits for the next run) nor sent.
    assert store.unfinished_count(edition, "daily") == 17
    again = store.batch_ranges(edition, "daily", size=100, unfinished=True)
    assert again == [(0, ids[-1])]


@pytest.mark.parametrize("size", [1, 1000])
def test_ranges_of_an_edition_with_nobody_due_are_empty(tmp_path: Path, size: int) -> None:
    app, edition, ids = _project(tmp_path, "sqlite:///digest.db", subscribers=3)
    app.store.claim(edition, ids, worker="a", now=NOW)
    app.store.mark(edition, {sid: ("sent", None) for sid in ids}, now=NOW)
    assert app.store.batch_ranges(edition, "daily", size=size) == []
    assert app.store.unfinished_count(edition, "daily") == 0
