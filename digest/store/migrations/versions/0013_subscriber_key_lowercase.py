"""Subscribers are keyed by their lower-cased address, no longer its full case folding.

Revision 0009's key (digest.records.email_key) folded a Unicode local part's case in
full, which also maps `ß` to `ss`, a final `ς` to `σ`, `ﬁ` to `fi`: `straße@x` and
`strasse@x`, two mailboxes, were one subscriber. The key now lower-cases (NFC), and
every stored key is computed again. Lower-casing then folding is folding, so no two
keys of a list that differed can become equal; the upgrade checks it all the same, and
stops, changing nothing, naming the addresses, if two would.

Subscriptions revision 0009 merged into another mailbox's are given back. Each
`merge` event recorded the merged row (`merged subscription #ID ADDRESS (STATUS since
DAY); name ...; sections=...; format=...; timezone=...`); where ADDRESS's key is not
the kept subscriber's, that row is made again, under its old id (the links and bounce
tags mailed to it reach it again: its `subscriber_merges` row goes), with the status,
name and choices recorded, and **paused**: its history, bounce reports and ledger rows
were moved to the subscriber kept and cannot be told apart there, so no edition is
mailed to it (perhaps a second time) until it resumes on its preferences page. Several
merged spellings of one such mailbox become one subscription (the first merged; the
strictest status). A `split` event on both rows records it, and the log names each.
The subscriber kept keeps the status the merge gave it (the stricter of both).

Subscribers merged by the import or `subscribers add` since revision 0009 (a second
spelling added to the first) left no row to give back: such an address is now added
as its own subscriber when it is imported or added again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import ast
import logging
import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from digest.errors import StoreError
from digest.records import email_key

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

log = logging.getLogger("digest.store")

#: Statuses from the least to the most strict (as revision 0009 merged them).
STRICTNESS = ("pending", "active", "unsubscribed", "bounced", "complained")
#: A `merge` event's detail, as revision 0009 wrote it.
MERGED = re.compile(
    r"merged subscription #(?P<id>\d+) (?P<email>\S+) \((?P<status>\w+) since (?P<since>[^)]*)\)"
    r"; name (?P<name>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"; sections=(?P<sections>.*?); format=(?P<format>\w+); timezone=(?P<timezone>[^;]*?)"
    r"(?P<paused>; paused)?(?:; both had edition\(s\) [\d, ]+)?: the same mailbox as "
)
INDEX = "ix_subscribers_list_email_key"

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
    sa.column("id", sa.Integer),
    sa.column("subscriber_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("origin", sa.String),
    sa.column("detail", sa.Text),
    sa.column("at", sa.DateTime(timezone=True)),
)
merges = sa.table(
    "subscriber_merges",
    sa.column("old_id", sa.Integer),
    sa.column("subscriber_id", sa.Integer),
)


def upgrade() -> None:
    bind = op.get_bind()
    s = subscribers
    rows = bind.execute(sa.select(s.c.id, s.c.list_id, s.c.email, s.c.email_key)).all()
    keys = {r.id: email_key(r.email) for r in rows}
    seen: dict[tuple[int, str], str] = {}
    for r in rows:
        other = seen.setdefault((r.list_id, keys[r.id]), r.email)
        if other != r.email:
            raise StoreError(
                f"cannot re-key subscribers: {other} and {r.email} (list id {r.list_id}) "
                f"would both be {keys[r.id]}; remove one, then start digest again"
            )
    changed = [{"_id": r.id, "_key": keys[r.id]} for r in rows if keys[r.id] != r.email_key]
    if changed:  # without the index, which one row's new key could meet another's old one
        op.drop_index(INDEX, "subscribers")
        bind.execute(
            sa.update(s)
            .where(s.c.id == sa.bindparam("_id"))
            .values(email_key=sa.bindparam("_key")),
            changed,
        )
        op.create_index(INDEX, "subscribers", ["list_id", "email_key"], unique=True)
    _give_back(bind, {r.id: r for r in rows}, keys, set(seen))


def _give_back(
    bind: Any, rows: dict[int, Any], keys: dict[int, str], taken: set[tuple[int, str]]
) -> None:
    """Make again the subscriptions revision 0009 merged into another mailbox's."""
    query = (
        sa.select(events.c.subscriber_id, events.c.detail)
        .where(events.c.origin == "merge")
        .order_by(events.c.id)
    )
    found: dict[tuple[int, str], list[re.Match[str]]] = {}  # (kept id, key) -> merged rows
    for kept_id, detail in bind.execute(query).all():
        merged = MERGED.match(detail or "")
        kept = rows.get(kept_id)
        if merged is None or kept is None:
            continue
        key = email_key(merged["email"])
        if key != keys[kept_id]:
            found.setdefault((kept_id, key), []).append(merged)
    now = datetime.now(UTC)
    for (kept_id, key), group in found.items():
        kept = rows[kept_id]
        first, old_ids = group[0], [int(m["id"]) for m in group]
        if (kept.list_id, key) in taken or old_ids[0] in rows:
            log.warning(
                "revision 0013: %s, merged into #%d %s by revision 0009, is not given back: "
                "its address or id is another subscriber's now",
                first["email"],
                kept_id,
                kept.email,
            )
            continue
        taken.add((kept.list_id, key))
        status = max((m["status"] for m in group), key=_strictness)
        sections = first["sections"]
        bind.execute(
            sa.insert(subscribers).values(
                id=old_ids[0],
                list_id=kept.list_id,
                email=first["email"],
                email_key=key,
                name=ast.literal_eval(first["name"]),
                status=status,
                sections=[] if sections == "(all)" else sections.split(";"),
                timezone=None if first["timezone"] == "(list)" else first["timezone"],
                format=first["format"],
                paused=True,
                created_at=_day(first["since"], now),
                updated_at=now,
            )
        )
        m = merges
        bind.execute(sa.delete(m).where(m.c.old_id == old_ids[0]))
        bind.execute(
            sa.update(m).where(m.c.old_id.in_(old_ids[1:])).values(subscriber_id=old_ids[0])
        )
        spellings = ", ".join(dict.fromkeys(g["email"] for g in group))
        bind.execute(
            sa.insert(events),
            [
                {
                    "subscriber_id": old_ids[0],
                    "status": status,
                    "origin": "split",
                    "detail": f"given back ({spellings}): revision 0009 merged it into "
                    f"#{kept_id} {kept.email}, another mailbox; its history and "
                    f"editions until then are under #{kept_id}; paused until it resumes",
                    "at": now,
                },
                {
                    "subscriber_id": kept_id,
                    "status": kept_status(bind, kept_id),
                    "origin": "split",
                    "detail": f"#{old_ids[0]} {first['email']} given back: another mailbox, "
                    "merged into this one by revision 0009",
                    "at": now,
                },
            ],
        )
        log.warning(
            "revision 0013: %s (#%d, %s) is its own subscriber again, paused; revision 0009 "
            "had merged it into #%d %s, whose status stays %s",
            first["email"],
            old_ids[0],
            status,
            kept_id,
            kept.email,
            kept_status(bind, kept_id),
        )


def kept_status(bind: Any, subscriber_id: int) -> str:
    s = subscribers
    return str(bind.execute(sa.select(s.c.status).where(s.c.id == subscriber_id)).scalar_one())


def _strictness(status: str) -> int:
    return STRICTNESS.index(status) if status in STRICTNESS else len(STRICTNESS)


def _day(text: str, default: datetime) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return default


def downgrade() -> None:
    """Keys and given-back subscriptions stay: the digest of revision 0012 looks an
    address up by its folded key, so it finds `straße@` no longer (nor a final `ς`)
    and would add such an address again as a second row; nothing is lost."""
