"""Subscribers are matched by a key that folds the case of a Unicode local part.

`José@example.com`, `JOSÉ@example.com` and `josé@example.com` were three subscribers
(an ASCII local part was always lower-cased, a Unicode one kept as typed): one person
got an edition once per spelling, a bounce or `forget` of one spelling left the
others mailed. Each row now has `email_key` (digest.records.email_key), unique per
list; `email` stays the address mail goes to.

Rows of one list whose keys are equal are merged into the earliest subscription
(created first; the lower id on a tie), keeping everything:

- the stricter status wins (complained, then bounced, then unsubscribed, then active,
  then pending) and so does a pause: a merge never starts mail to anyone;
- every event, bounce report and ledger row moves to the subscription kept; where both
  spellings have a ledger row for one edition, the row that ends the delivery is kept
  (sent first), so an edition delivered to one spelling is not sent to the other;
- a `merge` event on the one kept records each merged row: its address, status, name
  and choices, and the ledger rows it duplicated;
- `subscriber_merges` maps the merged ids to the one kept, so the unsubscribe and
  preferences links and the bounce tags mailed to them still work.

SQLite: the column is added with ALTER TABLE (DEFAULT '' stays in its declaration,
never used: digest fills the key on every insert) and the uniqueness is an index.
Rebuilding `subscribers` the batch way would drop the table under foreign keys that
are on, which deletes the history (ON DELETE CASCADE) of every subscriber.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from digest.records import email_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Statuses from the least to the most strict: a merge keeps the strictest.
STRICTNESS = ("pending", "active", "unsubscribed", "bounced", "complained")
#: Ledger statuses, the one a merge keeps first: those that end a delivery (it is never
#: sent again), a delivered copy above all, then a claim, then a failure to retry.
LEDGER = ("sent", "bounced", "unsendable", "claimed", "failed")

subscribers = sa.table(
    "subscribers",
    sa.column("id", sa.Integer),
    sa.column("list_id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("email_key", sa.String),
    sa.column("name", sa.Text),
    sa.column("status", sa.String),
    sa.column("sections", sa.JSON),
    sa.column("timezone", sa.String),
    sa.column("format", sa.String),
    sa.column("paused", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
events = sa.table(
    "subscriber_events",
    sa.column("subscriber_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("origin", sa.String),
    sa.column("detail", sa.Text),
    sa.column("at", sa.DateTime(timezone=True)),
)
deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Integer),
    sa.column("edition_id", sa.Integer),
    sa.column("subscriber_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("worker", sa.String),
    sa.column("error", sa.Text),
    sa.column("claimed_at", sa.DateTime(timezone=True)),
    sa.column("sent_at", sa.DateTime(timezone=True)),
)
reports = sa.table("bounce_reports", sa.column("subscriber_id", sa.Integer))
merges = sa.table(
    "subscriber_merges",
    sa.column("old_id", sa.Integer),
    sa.column("subscriber_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("subscribers") as batch:  # ALTER TABLE ADD COLUMN
        batch.add_column(sa.Column("email_key", sa.String(400), nullable=False, server_default=""))
    op.create_table(
        "subscriber_merges",
        sa.Column("old_id", sa.Integer, autoincrement=False),
        sa.Column("subscriber_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("old_id", name="pk_subscriber_merges"),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name="fk_subscriber_merges_subscriber_id_subscribers",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_subscriber_merges_subscriber_id", "subscriber_merges", ["subscriber_id"])

    now = datetime.now(UTC)
    s = subscribers
    query = sa.select(s.c.id, s.c.list_id, s.c.email).order_by(s.c.id)
    groups: dict[tuple[int, str], list[int]] = {}
    changed: list[dict[str, Any]] = []  # rows whose key is not their address
    for sid, list_id, email in bind.execute(query).all():
        key = email_key(email)
        groups.setdefault((list_id, key), []).append(sid)
        if key != email:
            changed.append({"_id": sid, "_key": key})
    for ids in groups.values():
        if len(ids) > 1:
            _merge(bind, ids, now)
    # Most keys are the address itself (every ASCII one): one statement for those.
    bind.execute(sa.update(s).values(email_key=s.c.email))
    if changed:  # (a merged row's is gone: its update changes nothing)
        bind.execute(
            sa.update(s)
            .where(s.c.id == sa.bindparam("_id"))
            .values(email_key=sa.bindparam("_key")),
            changed,
        )
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table("subscribers") as batch:
            batch.alter_column("email_key", server_default=None)
    op.create_index(
        "ix_subscribers_list_email_key", "subscribers", ["list_id", "email_key"], unique=True
    )


def _merge(bind: Any, ids: list[int], now: datetime) -> None:
    """Merge the subscriptions `ids` (one list, one key) into the earliest."""
    s = subscribers
    rows = bind.execute(sa.select(s).where(s.c.id.in_(ids))).all()
    rows.sort(key=lambda r: (r.created_at, r.id))
    kept, merged = rows[0], rows[1:]
    status, paused = kept.status, bool(kept.paused)
    for row in merged:
        status = max(status, row.status, key=_strictness)
        paused = paused or bool(row.paused)
        bind.execute(
            sa.update(events).where(events.c.subscriber_id == row.id).values(subscriber_id=kept.id)
        )
        bind.execute(
            sa.update(reports)
            .where(reports.c.subscriber_id == row.id)
            .values(subscriber_id=kept.id)
        )
        twice = _move_ledger(bind, row.id, kept.id)
        bind.execute(
            sa.update(merges).where(merges.c.subscriber_id == row.id).values(subscriber_id=kept.id)
        )
        bind.execute(sa.insert(merges).values(old_id=row.id, subscriber_id=kept.id, at=now))
        bind.execute(sa.delete(s).where(s.c.id == row.id))
        values: dict[str, Any] = {"status": status, "paused": paused}
        if (status, paused) != (kept.status, bool(kept.paused)):
            values["updated_at"] = now
        bind.execute(sa.update(s).where(s.c.id == kept.id).values(**values))
        bind.execute(
            sa.insert(events).values(
                subscriber_id=kept.id,
                status=status,
                origin="merge",
                detail=_detail(row, kept.email, twice),
                at=now,
            )
        )


def _strictness(status: str) -> int:
    return STRICTNESS.index(status) if status in STRICTNESS else len(STRICTNESS)


def _move_ledger(bind: Any, old: int, new: int) -> list[int]:
    """Move `old`'s ledger rows to `new`; where both have one for an edition, keep the
    row that ends the delivery. The editions both had rows for."""
    d = deliveries
    theirs = {r.edition_id: r for r in bind.execute(sa.select(d).where(d.c.subscriber_id == new))}
    twice = []
    for row in bind.execute(sa.select(d).where(d.c.subscriber_id == old)).all():
        other = theirs.get(row.edition_id)
        if other is None:
            bind.execute(sa.update(d).where(d.c.id == row.id).values(subscriber_id=new))
            continue
        twice.append(row.edition_id)
        bind.execute(sa.delete(d).where(d.c.id == row.id))
        if _ledger_rank(row.status) < _ledger_rank(other.status):
            copied = {k: getattr(row, k) for k in ("status", "attempts", "worker", "error")}
            copied |= {"claimed_at": row.claimed_at, "sent_at": row.sent_at}
            bind.execute(sa.update(d).where(d.c.id == other.id).values(**copied))
    return twice


def _ledger_rank(status: str) -> int:
    return LEDGER.index(status) if status in LEDGER else len(LEDGER)


def _detail(row: Any, into: str, twice: list[int]) -> str:
    since = f"{row.created_at:%Y-%m-%d}" if row.created_at else "?"
    sections = ";".join(row.sections or []) or "(all)"
    parts = [
        f"merged subscription #{row.id} {row.email} ({row.status} since {since})",
        f"name {row.name!r}",
        f"sections={sections}",
        f"format={row.format}",
        f"timezone={row.timezone or '(list)'}",
    ]
    if row.paused:
        parts.append("paused")
    if twice:
        parts.append("both had edition(s) " + ", ".join(map(str, sorted(twice))))
    return "; ".join(parts) + f": the same mailbox as {into}"


def downgrade() -> None:
    """Merged subscriptions stay merged (their rows are gone); the key goes."""
    op.drop_index("ix_subscribers_list_email_key", "subscribers")
    op.drop_index("ix_subscriber_merges_subscriber_id", "subscriber_merges")
    op.drop_table("subscriber_merges")
    if op.get_bind().dialect.name == "sqlite":  # not a rebuild: see above
        op.execute("ALTER TABLE subscribers DROP COLUMN email_key")
    else:
        op.drop_column("subscribers", "email_key")
