"""Hosted pictures known by the address they were fetched from, so that a build reuses
a picture an earlier build fetched lately instead of asking the publisher again; and an
edition keeps what its build said of the pictures it could not host, so that the desk
shows it for a draft `digest run` built too.

A new table, keyed by the address (as long as `articles.key` at most: a longer one is
cut with a SHA-256 of the whole, digest.store._base.fitted). It starts empty: the
pictures hosted before were kept under the address a redirect ended at, not the one the
story names, so the first build after the upgrade fetches each picture once more.
The editions' column is added with ALTER TABLE (no table rebuilt: see revision 0011);
an edition built before has no notes (NULL), as before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_sources",
        sa.Column("source_url", sa.String(700)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_url", name="pk_image_sources"),
    )
    op.create_index("ix_image_sources_sha256", "image_sources", ["sha256"])
    op.add_column("editions", sa.Column("picture_notes", sa.JSON))


def downgrade() -> None:
    op.drop_column("editions", "picture_notes")
    op.drop_index("ix_image_sources_sha256", table_name="image_sources")
    op.drop_table("image_sources")
