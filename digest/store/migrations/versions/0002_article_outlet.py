"""Articles name their own outlet (a folder of pages from several publishers).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("outlet", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("outlet")
