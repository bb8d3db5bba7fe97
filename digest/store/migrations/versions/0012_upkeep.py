"""Upkeep: when a hosted picture was last hosted (so retention never deletes one a
build is about to store), and how many times a subscriber's welcome was tried (so
`digest run` retries a failed one a bounded number of times).

Columns added with ALTER TABLE, each with a default, so no table is rebuilt (see
revision 0011 for why `subscribers` must not be). A picture stored before was last
hosted when it was stored; a welcome claimed before was tried once.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("images", sa.Column("used_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE images SET used_at = created_at")
    op.add_column(
        "subscribers",
        sa.Column("welcome_attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE subscribers SET welcome_attempts = 1 WHERE welcome IN ('sending', 'sent', 'failed')"
    )


def downgrade() -> None:
    op.drop_column("subscribers", "welcome_attempts")
    op.drop_column("images", "used_at")
