"""Send leases: one `digest send` of an edition at a time (issue 14).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "send_leases",
        sa.Column("edition_id", sa.Integer),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("since", AT, nullable=False),
        sa.Column("until", AT, nullable=False),
        sa.PrimaryKeyConstraint("edition_id", name="pk_send_leases"),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name="fk_send_leases_edition_id_editions"
        ),
    )


def downgrade() -> None:
    op.drop_table("send_leases")
