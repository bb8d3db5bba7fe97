"""What a digest database file is, known without loading SQLAlchemy or Alembic.

The newest migration's revision (tests/test_migrations.py checks it against the
scripts), and the pragmas every SQLite connection sets: the store uses both, and so does
the unchanged collect that writes with plain sqlite3 (:mod:`digest.collect.unchanged`).
A leaf: it imports nothing.
"""

from __future__ import annotations

#: The newest migration's revision: an up-to-date database is recognised by its
#: ``alembic_version`` row alone, without loading Alembic (~0.4 s).
HEAD = "0008"

#: Set on every SQLite connection, in this order. A send commits every message or two:
#: a checkpoint (two fsyncs, taken by the committing writer while the others wait)
#: every 4,000 pages of WAL rather than SQLite's 1,000; commits are as durable as before.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA wal_autocheckpoint=4000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)
