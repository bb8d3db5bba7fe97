"""Editions get a random nonce: it makes their messages' Message-IDs unique everywhere.

Before, a Message-ID was `<digest.EDITION.SUBSCRIBER@domain>`: the same for edition 1 of
every installation, every recreated database and every `digest demo`, and receivers
(Gmail) drop a message whose Message-ID they already have. An edition stored from now
on gets a nonce (digest.store._editions) that goes into the ID.

Existing editions that no message went out for get a nonce now. One with ledger rows
(sending, paused or sent) keeps none (NULL): its messages keep the old ID, so a resumed
send repeats the IDs of the copies already delivered and receivers can drop a duplicate.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("editions") as batch:
        batch.add_column(sa.Column("nonce", sa.String(32)))
    conn = op.get_bind()
    unsent = conn.execute(
        sa.text(
            "SELECT id FROM editions WHERE NOT EXISTS "
            "(SELECT 1 FROM deliveries WHERE deliveries.edition_id = editions.id)"
        )
    ).scalars()
    for edition_id in list(unsent):
        conn.execute(
            sa.text("UPDATE editions SET nonce = :nonce WHERE id = :id"),
            {"nonce": secrets.token_hex(8), "id": edition_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("editions") as batch:
        batch.drop_column("nonce")
