"""The fingerprints of the keys that sign subscribers' links (never the keys), so that
a process with another key (a second folder, a worker on another machine, a lost
`.digest-secret`) refuses to sign instead of sending links that answer 404.

A new table; it starts empty, and the first process that signs after the upgrade
records its key (a database with mail already sent then refuses a *new* key file:
digest.keyguard).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name="pk_signing_keys"),
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
