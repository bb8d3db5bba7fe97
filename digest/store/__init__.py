"""Storage: the one place that reads and writes the database (SQLite or PostgreSQL).

Takes and returns the immutable records of :mod:`digest.records`; callers never see
rows or sessions. Schema changes go through the Alembic migrations beside this file.
Transactions are short; nothing here renders, fetches or sends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from digest.errors import StoreError, StoreUnavailable
from digest.revision import HEAD, SQLITE_PRAGMAS
from digest.store._base import email_hash, utc
from digest.store._bounces import BounceRecord, BouncesMixin, BounceStats
from digest.store._carried import CarriedMixin
from digest.store._confirmations import Claim, ConfirmationsMixin, SentNote
from digest.store._desk_forms import DeskFormsMixin
from digest.store._editions import EditionsMixin
from digest.store._editors import EditorsMixin
from digest.store._faults import detail, display, fault, watch
from digest.store._images import ImagesMixin, StoredImage
from digest.store._keyprints import Admission, KeyprintsMixin, KeyRole
from digest.store._leases import LeaseMixin
from digest.store._ledger import LedgerMixin
from digest.store._queue import QueueMixin
from digest.store._retention import RetentionMixin
from digest.store._roster import RosterMixin
from digest.store._schedule import ScheduleMixin
from digest.store._serving import ServingMixin
from digest.store._sources import SourceHealth, SourcesMixin
from digest.store._subscribers import OWN_CHOICE, SubscribersMixin
from digest.store._welcomes import WelcomesMixin

MIGRATIONS = Path(__file__).with_name("migrations")
#: The PostgreSQL advisory lock that first runs take around the migration.
MIGRATION_LOCK = 0x64696765  # "dige"


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


class Store(
    SourcesMixin,
    EditionsMixin,
    CarriedMixin,
    SubscribersMixin,
    ConfirmationsMixin,
    WelcomesMixin,
    RosterMixin,
    QueueMixin,
    LedgerMixin,
    LeaseMixin,
    ScheduleMixin,
    EditorsMixin,
    BouncesMixin,
    RetentionMixin,
    ImagesMixin,
    KeyprintsMixin,
    DeskFormsMixin,
    ServingMixin,
):
    """The database behind one newsletter project."""

    def __init__(self, url: str) -> None:
        #: The database as messages name it (never with its password).
        self.url = display(url)
        try:
            self.engine = _engine(url)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise StoreUnavailable(f"{self.url}: not a usable database URL ({exc})") from None
        watch(self.engine, url)

    def close(self) -> None:
        self.engine.dispose()

    # -- schema -------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent, safe to race).

        Commands started at once on a fresh database would each create the tables; the
        one that loses crashes. So the upgrade runs under a lock (PostgreSQL: an
        advisory lock; SQLite: BEGIN IMMEDIATE, the write lock) and looks again at
        the schema once it holds it. An up-to-date schema takes no lock, so a
        read-only database still serves the commands that only read.
        """
        try:
            with self.engine.connect() as conn:
                if inspect(conn).has_table("alembic_version"):
                    rows = conn.execute(text("SELECT version_num FROM alembic_version"))
                    if {r[0] for r in rows} == {HEAD}:
                        return
        except OperationalError:
            pass  # reported below, with the migration's own handling
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from alembic.util.exc import CommandError

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        heads = set(ScriptDirectory.from_config(cfg).get_heads())
        try:
            with self.engine.connect() as conn:
                if set(MigrationContext.configure(conn).get_current_heads()) == heads:
                    return
            with self.engine.begin() as conn:
                self._lock_schema(conn)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")
        except OperationalError as exc:
            url = self.engine.url.render_as_string(hide_password=False)
            cause = exc.orig or exc
            problem = fault(cause, url, connecting=True)
            problem = problem or StoreError(f"{self.url}: cannot migrate ({detail(cause, url)})")
            raise problem from None
        except CommandError as exc:
            raise StoreError(
                f"{self.url}: the schema is not one this digest knows ({exc}); "
                "was it migrated by a newer version?"
            ) from None

    def _lock_schema(self, conn: Connection) -> None:
        """Hold the schema lock until this transaction ends."""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")


__all__ = [
    "HEAD",
    "OWN_CHOICE",
    "Admission",
    "BounceRecord",
    "BounceStats",
    "Claim",
    "KeyRole",
    "SentNote",
    "SourceHealth",
    "Store",
    "StoredImage",
    "email_hash",
    "utc",
]
