"""Retention: old articles' bodies emptied, everything that identifies them kept.

An article first seen and published (or undated) before a cut-off, that no edition
carries, loses its `text` and `html`; its row stays, with its key, link, headline,
standfirst, dates, source and `content_hash`. So a feed that still carries it,
unchanged, finds it unchanged (the hash is of what the feed gave, not of what is
stored) and it never comes back as new; the archive's page of a story without a link
of its own (which shows the stored text) only shows articles an edition carries.
This module decides nothing about time: the cut-off is the caller's
(:mod:`digest.retention`). After a prune, SQLite's write-ahead log is folded into the
database and truncated (:meth:`RetentionMixin.truncate_log`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from digest.revision import SQLITE_BUSY_MS
from digest.store import schema as t
from digest.store._base import Base

#: How long truncating SQLite's write-ahead log waits (milliseconds) for the writers and
#: readers that hold it back; writers wait on it meanwhile, so not long.
TRUNCATE_WAIT_MS = 1000

#: Articles emptied per statement: a big table is worked through in bounded steps
#: (each an UPDATE of at most this many rows, found by their ids in order).
PRUNE_BATCH = 1000


def _prunable(before: datetime) -> ColumnElement[bool]:
    """Rows of articles whose body may go: old by both dates, carried by no edition,
    a body still there."""
    a, ea = t.articles, t.edition_articles
    return and_(
        a.c.first_seen_at < before,
        or_(a.c.published_at.is_(None), a.c.published_at < before),
        or_(a.c.text != "", a.c.html != ""),
        a.c.key.not_in(select(ea.c.article_key)),
    )


class RetentionMixin(Base):
    def prune_articles(
        self, *, before: datetime, dry_run: bool = False, batch: int = PRUNE_BATCH
    ) -> int:
        """Empty the text and HTML of the articles first seen and published (or undated)
        before `before` that no edition carries; return how many (with `dry_run`, how
        many would be, and change nothing).

        One transaction, so a failure leaves every row as it was; its first statement
        writes, so on SQLite it takes the write lock before it reads (a collect in
        another process then waits for it rather than failing the upgrade of a read).
        """
        a = t.articles
        if dry_run:
            with self.engine.connect() as conn:
                count = select(func.count()).select_from(a).where(_prunable(before))
                return int(conn.execute(count).scalar_one())
        emptied = 0
        last = 0
        with self.engine.begin() as conn:
            while True:
                ids = (
                    select(a.c.id)
                    .where(a.c.id > last, _prunable(before))
                    .order_by(a.c.id)
                    .limit(batch)
                )
                done = conn.execute(
                    update(a).where(a.c.id.in_(ids)).values(text="", html="").returning(a.c.id)
                ).scalars()
                found = [int(row_id) for row_id in done]
                emptied += len(found)
                if len(found) < batch:
                    return emptied
                last = max(found)

    def truncate_log(self, *, wait_ms: int = TRUNCATE_WAIT_MS) -> bool:
        """SQLite: copy the write-ahead log into the database and cut the -wal file to
        nothing (`PRAGMA wal_checkpoint(TRUNCATE)`); True when it did. A reader still
        on an older snapshot (a backup, a slow page) keeps it; after `wait_ms` this gives
        up, changing nothing, and the log shrinks at a later checkpoint
        (`journal_size_limit`, digest.revision). Every commit is in the database or the
        log either way. PostgreSQL: nothing to do (True)."""
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
            try:
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        return row is not None and row[0] == 0
