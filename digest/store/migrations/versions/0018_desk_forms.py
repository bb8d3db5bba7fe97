"""A desk form the desk refused, kept for the page its redirect (303) lands on: "Add a
story" typed by hand comes back by Post/Redirect/Get with every word the editor typed,
which are more than a session cookie carries (digest.web.desk_said).

A new table; it starts empty, and its rows live at most an hour.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_forms",
        sa.Column("token", sa.String(64)),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_desk_forms"),
    )


def downgrade() -> None:
    op.drop_table("desk_forms")
