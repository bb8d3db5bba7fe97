"""A link post keeps the other site's article it is about (Article.linked), and an
aggregator's item is marked as one (Article.aggregated).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("linked", sa.Text))
        batch.add_column(sa.Column("aggregated", sa.Boolean))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("aggregated")
        batch.drop_column("linked")
