"""Send pace: `[transport] rate_per_second` shared by every sending process (issue 15).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_pace",
        sa.Column("name", sa.String(100)),
        sa.Column("next_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_send_pace"),
    )


def downgrade() -> None:
    op.drop_table("send_pace")
