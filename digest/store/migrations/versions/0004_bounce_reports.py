"""Reports that come back after the SMTP conversation (bounces, complaints).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bounce_reports",
        sa.Column("id", sa.Integer),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(100), nullable=False),
        sa.Column("edition_id", sa.Integer),
        sa.Column("subscriber_id", sa.Integer),
        sa.Column("email_hash", sa.String(64)),
        sa.Column("status", sa.String(20)),
        sa.Column("detail", sa.Text),
        sa.Column("acted", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bounce_reports"),
        sa.UniqueConstraint("key", name="uq_bounce_reports_key"),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name="fk_bounce_reports_edition_id_editions",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name="fk_bounce_reports_subscriber_id_subscribers",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_bounce_reports_edition_id", "bounce_reports", ["edition_id"])
    op.create_index("ix_bounce_reports_subscriber_id", "bounce_reports", ["subscriber_id"])


def downgrade() -> None:
    op.drop_table("bounce_reports")
