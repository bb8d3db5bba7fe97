"""The initial schema: sources, articles, lists, subscribers, editions, ledger, editors.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_checked_at", AT),
        sa.Column("last_success_at", AT),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_at", AT),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("name", name="uq_sources_name"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer),
        sa.Column("key", sa.String(700), nullable=False),
        sa.Column("source_id", sa.Integer, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("image_url", sa.Text),
        sa.Column("image_alt", sa.Text),
        sa.Column("image_width", sa.Integer),
        sa.Column("section", sa.String(200)),
        sa.Column("language", sa.String(35)),
        sa.Column("published_at", AT),
        sa.Column("first_seen_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("key", name="uq_articles_key"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_articles_source_id_sources"
        ),
    )
    op.create_index("ix_articles_source_id", "articles", ["source_id"])
    op.create_index("ix_articles_when", "articles", ["published_at", "first_seen_at"])
    op.create_table(
        "lists",
        sa.Column("id", sa.Integer),
        sa.Column("name", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lists"),
        sa.UniqueConstraint("name", name="uq_lists_name"),
    )
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer),
        sa.Column("list_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("sections", sa.JSON, nullable=False),
        sa.Column("timezone", sa.String(64)),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscribers"),
        sa.ForeignKeyConstraint(["list_id"], ["lists.id"], name="fk_subscribers_list_id_lists"),
        sa.UniqueConstraint("list_id", "email", name="uq_subscribers_list_email"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_subscribers_list_status_id", "subscribers", ["list_id", "status", "id"])
    op.create_table(
        "subscriber_events",
        sa.Column("id", sa.Integer),
        sa.Column("subscriber_id", sa.Integer),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriber_events"),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            ondelete="CASCADE",
            name="fk_subscriber_events_subscriber_id_subscribers",
        ),
    )
    op.create_index("ix_subscriber_events_subscriber_id", "subscriber_events", ["subscriber_id"])
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer),
        sa.Column("email_hash", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(50), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_suppressions"),
        sa.UniqueConstraint("email_hash", name="uq_suppressions_email_hash"),
    )
    op.create_table(
        "editions",
        sa.Column("id", sa.Integer),
        sa.Column("list_id", sa.Integer, nullable=False),
        sa.Column("slot", sa.String(40)),
        sa.Column("built_for", AT, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("approved_at", AT),
        sa.Column("sent_at", AT),
        sa.PrimaryKeyConstraint("id", name="pk_editions"),
        sa.ForeignKeyConstraint(["list_id"], ["lists.id"], name="fk_editions_list_id_lists"),
        sa.UniqueConstraint("list_id", "slot", name="uq_editions_list_slot"),
    )
    op.create_table(
        "edition_articles",
        sa.Column("edition_id", sa.Integer, nullable=False),
        sa.Column("article_key", sa.String(700), nullable=False),
        sa.PrimaryKeyConstraint("edition_id", "article_key", name="pk_edition_articles"),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            ondelete="CASCADE",
            name="fk_edition_articles_edition_id_editions",
        ),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer),
        sa.Column("edition_id", sa.Integer, nullable=False),
        sa.Column("subscriber_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(100)),
        sa.Column("error", sa.Text),
        sa.Column("claimed_at", AT),
        sa.Column("sent_at", AT),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name="fk_deliveries_edition_id_editions"
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], name="fk_deliveries_subscriber_id_subscribers"
        ),
        sa.UniqueConstraint("edition_id", "subscriber_id", name="uq_deliveries_edition_subscriber"),
    )
    op.create_index("ix_deliveries_edition_status", "deliveries", ["edition_id", "status"])
    op.create_table(
        "editors",
        sa.Column("id", sa.Integer),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_editors"),
        sa.UniqueConstraint("email", name="uq_editors_email"),
    )
    op.create_table(
        "schedule_runs",
        sa.Column("id", sa.Integer),
        sa.Column("list_id", sa.Integer, nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schedule_runs"),
        sa.ForeignKeyConstraint(["list_id"], ["lists.id"], name="fk_schedule_runs_list_id_lists"),
        sa.UniqueConstraint("list_id", "slot", "action", name="uq_schedule_runs_list_slot_action"),
    )
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191)),
        sa.Column("next_run_time", sa.Float(25)),
        sa.Column("job_state", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apscheduler_jobs"),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    for name in (
        "apscheduler_jobs",
        "schedule_runs",
        "editors",
        "deliveries",
        "edition_articles",
        "editions",
        "suppressions",
        "subscriber_events",
        "subscribers",
        "lists",
        "articles",
        "sources",
    ):
        op.drop_table(name)
