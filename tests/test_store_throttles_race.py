"""A throttle's window renewed by one request while another waits on its row
(digest.store._throttles): the waiting request counts against the new window instead of
being refused as if the window were full. On PostgreSQL (READ COMMITTED) the second
request's renewal finds the row renewed already and matches nothing; it then saw the row
and answered "full" with 1 attempt of 5 counted: a reader got the form's 429 page.
SQLite serialises its writers, so it never saw this; the same check runs on both."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from digest.store import Store
from digest.store import schema as t
from digest.store._throttles import _digest

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
WINDOW = timedelta(hours=1)
SCOPE, KEY = "subscribe:inbox", "ann@example.org"


def _waiting_on_a_lock(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar()
        )


def test_a_request_waiting_on_another_s_renewal_counts_in_the_new_window(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    old = NOW - WINDOW * 2
    assert store.reserve(SCOPE, KEY, limit=5, window=WINDOW, now=old)  # an old window
    th = t.throttles
    renewal = store.engine.connect()
    answer: list[bool] = []
    try:
        # Another request renews the window and holds its row until it commits.
        tx = renewal.begin()
        renewal.execute(
            sa.update(th)
            .where(th.c.scope == SCOPE, th.c.key == _digest(KEY))
            .values(window_start=NOW, count=1)
        )
        waiting = threading.Thread(
            target=lambda: answer.append(store.reserve(SCOPE, KEY, limit=5, window=WINDOW, now=NOW))
        )
        waiting.start()
        if store.engine.dialect.name == "postgresql":
            deadline = time.monotonic() + 10
            while not _waiting_on_a_lock(store.engine) and time.monotonic() < deadline:
                time.sleep(0.01)
        else:
            time.sleep(0.2)  # SQLite: the writer waits on the database's write lock
        tx.commit()
        waiting.join(timeout=30)
    finally:
        renewal.close()
    assert answer == [True]  # 1 of 5 counted: not full
    assert store.attempts(SCOPE, KEY, window=WINDOW, now=NOW) == 2
    store.close()


def test_a_full_window_still_refuses(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    for _ in range(3):
        assert store.reserve(SCOPE, KEY, limit=3, window=WINDOW, now=NOW)
    assert not store.reserve(SCOPE, KEY, limit=3, window=WINDOW, now=NOW)
    assert store.reserve(SCOPE, KEY, limit=3, window=WINDOW, now=NOW + WINDOW)  # a new one
    store.close()
