"""The `digest serve` processes using the database: each keeps its row fresh while it
runs, so `digest database copy` refuses to copy a database a serve process still writes
to (an unsubscribe it took after the copy would be in the old database only).

A new table; it starts empty, and a row lives as long as its process.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "serve_processes",
        sa.Column("name", sa.String(80)),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_serve_processes"),
    )


def downgrade() -> None:
    op.drop_table("serve_processes")
