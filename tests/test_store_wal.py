"""SQLite's write-ahead log (`digest.db-wal`) stays small beside the database.

SQLite checkpoints every 4,000 pages (digest.revision), and a checkpoint reuses the
-wal file from its start without shrinking it: a scheduler running for weeks kept a
16 MB file beside a database of one or two. Now the file is cut back to
`journal_size_limit` after each checkpoint, and truncated to nothing after the daily
prune. A reader holding a snapshot during the prune keeps reading and does not hold
the prune up for long; nothing written is lost. Real SQLite files, the real scheduler.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from digest.app import App
from digest.records import Article, SourceReport
from digest.schedule import Scheduler
from digest.store import Store
from tests.test_retention import NOW, _old_project

MB = 1024 * 1024
BODY = "<p>The harbour board met on Thursday and agreed the plan, again.</p>" * 60  # 4 KB


def _wal(app: App) -> int:
    wal = Path(f"{app.store.engine.url.database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _collected(store: Store, batch: int, at: datetime) -> None:
    """A collect's worth of new articles (`batch` of them, about 5 KB each)."""
    articles = tuple(
        Article(
            key=f"wire-{at.timestamp():.0f}-{n}",
            source="Wire",
            title=f"Harbour story {n} of {at:%d %B %H:%M}",
            url=f"https://wire.example.org/{at.timestamp():.0f}/{n}",
            summary="The standfirst.",
            text=BODY,
            html=BODY,
            published=at - timedelta(hours=1),
        )
        for n in range(batch)
    )
    store.record(SourceReport("Wire", articles), location="wire.xml", now=at)


def test_after_a_checkpoint_the_write_ahead_log_is_cut_back(tmp_path: Path) -> None:
    app = _old_project(tmp_path / "news", "sqlite:///digest.db")
    sizes = []
    at = NOW - timedelta(days=3)
    for hour in range(60):  # collects of about 0.6 MB each: past a checkpoint (16 MB)
        _collected(app.store, 100, at + timedelta(hours=hour))
        sizes.append(_wal(app))
    peak = sizes.index(max(sizes))
    step = max(b - a for a, b in itertools.pairwise(sizes))  # one collect's pages
    # Filled up to its checkpoint: 4,000 frames (a page and a 24-byte header each) after
    # the log's 32-byte header, and the collect that passed them.
    assert 12 * MB < max(sizes) <= 32 + 4000 * (4096 + 24) + step
    assert peak < len(sizes) - 1, f"the log never shrank: {sizes[-1] / MB:.1f} MB at the end"
    assert sizes[peak + 1] <= 1 * MB + step, [round(s / MB, 1) for s in sizes]
    app.close()


def test_the_daily_prune_leaves_the_write_ahead_log_empty(tmp_path: Path) -> None:
    app = _old_project(tmp_path / "news", "sqlite:///digest.db")
    for hour in range(10):
        _collected(app.store, 100, NOW - timedelta(days=100, hours=hour))
    assert _wal(app) > 4 * MB
    scheduler = Scheduler(app)
    outcomes = scheduler.tick(NOW + timedelta(hours=6))
    assert [o.status for o in outcomes if o.action == "prune"] == ["done"]
    # Emptied to nothing, then the prune's own record written (a page or three).
    assert _wal(app) <= 64 * 1024, _wal(app)
    scheduler.close()
    # Nothing was lost: another connection reads every article, emptied or not.
    other = Store(str(app.store.engine.url))
    assert len(other.articles()) == 3 + 10 * 100
    other.close()
    app.close()


def test_a_reader_holding_a_snapshot_neither_fails_nor_holds_the_prune_up(tmp_path: Path) -> None:
    app = _old_project(tmp_path / "news", "sqlite:///digest.db")
    for hour in range(10):
        _collected(app.store, 100, NOW - timedelta(days=100, hours=hour))
    path = str(app.store.engine.url.database)
    reading = threading.Event()
    done = threading.Event()
    seen: list[int] = []

    def read() -> None:
        """A long read in another process (a backup, a slow page): one snapshot."""
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN")
        count = "SELECT count(*) FROM articles WHERE text != ''"
        seen.append(conn.execute(count).fetchone()[0])
        reading.set()
        done.wait(30)  # its snapshot held across the prune
        seen.append(conn.execute(count).fetchone()[0])
        conn.execute("COMMIT")
        conn.close()

    reader = threading.Thread(target=read)
    reader.start()
    assert reading.wait(10)
    began = time.monotonic()
    pruned = app.prune(now=NOW)
    took = time.monotonic() - began
    done.set()
    reader.join()
    assert pruned.emptied == 3 + 1000
    assert took < 10, f"the prune waited {took:.1f} s for a reader"
    assert seen == [1003, 1003]  # the reader's snapshot, unchanged to its end
    desk = Store(str(app.store.engine.url))  # a new reader sees the prune
    assert [a.key for a in desk.articles() if a.text] == []
    desk.close()
    # Once the reader is gone, the next prune empties the log.
    app.prune(now=NOW)
    assert _wal(app) == 0
    app.close()
