"""Retention: old articles' bodies emptied, everything that identifies them kept.

An article first seen and published (or undated) before a cut-off, that no edition
carries, loses its `text` and `html`; its row stays, with its key, link, headline,
standfirst, dates, source and `content_hash`. So a feed that still carries it,
unchanged, finds it unchanged (the hash is of what the feed gave, not of what is
stored) and it never comes back as new; the archive's page of a story without a link
of its own (which shows the stored text) only shows articles an edition carries.
This module decides nothing about time: the cut-off is the caller's
(:mod:`digest.retention`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from digest.store import schema as t
from digest.store._base import Base

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
