"""Desk and public endpoints: edition row versions, editor session generations, throttles.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("editions") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("editors") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer, nullable=False, server_default="0")
        )
    op.create_table(
        "throttles",
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_throttles"),
    )


def downgrade() -> None:
    op.drop_table("throttles")
    with op.batch_alter_table("editors") as batch:
        batch.drop_column("session_generation")
    with op.batch_alter_table("editions") as batch:
        batch.drop_column("version")
