"""Sources remember their first successful collect: what a feed already held then has
no age we know of, unless it is dated (the undated backlog is not today's news).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("first_success_at", sa.DateTime(timezone=True)))
    # A source collected before this revision: its first articles were its backlog
    # (the earliest first sight among them), else it has answered with nothing yet
    # but counts from its last success.
    op.execute(
        "UPDATE sources SET first_success_at = COALESCE("
        "(SELECT MIN(articles.first_seen_at) FROM articles"
        " WHERE articles.source_id = sources.id), last_success_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("first_success_at")
