"""Storage: the one place that reads and writes the database (SQLite or PostgreSQL).

Takes and returns the immutable records of :mod:`digest.records`; callers never see
rows or sessions. Schema changes go through the Alembic migrations beside this file.
Transactions are short; nothing here renders, fetches or sends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from digest.errors import StoreError
from digest.store._base import email_hash, utc
from digest.store._bounces import BounceRecord, BouncesMixin, BounceStats
from digest.store._editions import EditionsMixin
from digest.store._editors import EditorsMixin
from digest.store._ledger import LedgerMixin
from digest.store._queue import QueueMixin
from digest.store._schedule import ScheduleMixin
from digest.store._sources import SourceHealth, SourcesMixin
from digest.store._subscribers import SubscribersMixin

MIGRATIONS = Path(__file__).with_name("migrations")


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


class Store(
    SourcesMixin,
    EditionsMixin,
    SubscribersMixin,
    QueueMixin,
    LedgerMixin,
    ScheduleMixin,
    EditorsMixin,
    BouncesMixin,
):
    """The database behind one newsletter project."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)

    def close(self) -> None:
        self.engine.dispose()

    # -- schema -------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise StoreError(f"{self.url}: cannot open the database ({exc.orig})") from None


__all__ = ["BounceRecord", "BounceStats", "SourceHealth", "Store", "email_hash", "utc"]
