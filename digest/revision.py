"""What a digest database file is, known without loading SQLAlchemy or Alembic.

The newest migration's revision (tests/test_migrations.py checks it against the
scripts), and the pragmas every SQLite connection sets: the store uses both, and so does
the unchanged collect that writes with plain sqlite3 (:mod:`digest.collect.unchanged`).
A leaf: it imports nothing of digest's.
"""

from __future__ import annotations

from pathlib import Path

#: The newest migration's revision: an up-to-date database is recognised by its
#: ``alembic_version`` row alone, without loading Alembic (~0.4 s).
HEAD = "0019"

#: How long a SQLite connection waits for a lock another holds (milliseconds).
SQLITE_BUSY_MS = 30000
#: The write-ahead log's size after a checkpoint (bytes): a checkpoint reuses the -wal
#: file from its start and never shrank it, so it stayed at its largest (about 16 MB,
#: 4,000 pages) beside a database of one or two; the first commit after the checkpoint
#: now cuts it back to this.
SQLITE_WAL_LIMIT = 1024 * 1024

#: Set on every SQLite connection, in this order. A send commits every message or two:
#: a checkpoint (two fsyncs, taken by the committing writer while the others wait)
#: every 4,000 pages of WAL rather than SQLite's 1,000; commits are as durable as before.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA wal_autocheckpoint=4000",
    f"PRAGMA journal_size_limit={SQLITE_WAL_LIMIT}",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={SQLITE_BUSY_MS}",
)


def sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///FILE`` URL (no driver, no query, no %-escape,
    which SQLAlchemy would decode); else None."""
    if not url.startswith("sqlite:///") or "?" in url or "%" in url:
        return None
    name = url.removeprefix("sqlite:///")
    return Path(name) if name and name != ":memory:" else None
