"""Subscribers remember their welcome message: due at the first confirmation, claimed by
one sender, then sent or failed (digest.subscribers.welcome).

Two nullable columns added with ALTER TABLE: rebuilding `subscribers` the batch way
would drop the table under foreign keys that are on, which deletes the history (ON
DELETE CASCADE) of every subscriber (see revision 0009). Rows stored before have none
due: only a confirmation from now on makes one.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subscribers", sa.Column("welcome", sa.String(10)))
    op.add_column("subscribers", sa.Column("welcome_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("subscribers", "welcome_at")
    op.drop_column("subscribers", "welcome")
