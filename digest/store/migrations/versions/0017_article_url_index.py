"""Articles are looked up by their link through an index (schema.py: the re-issue
check of every collect and the desk's add-by-link): on SQLite one on (url, source_id),
on PostgreSQL a hash index on url (a btree entry cannot hold a long link).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_articles_url_hash", "articles", ["url"], postgresql_using="hash")
    else:
        op.create_index("ix_articles_url_source", "articles", ["url", "source_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_articles_url_hash", table_name="articles")
    else:
        op.drop_index("ix_articles_url_source", table_name="articles")
