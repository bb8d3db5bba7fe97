"""A link post keeps the other site's article it is about (Article.linked).

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


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("linked")
