"""Scheduler run history and news feed state.

Revision ID: 0002_jobs_feeds
Revises: 0001_ledger
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_jobs_feeds"
down_revision = "0001_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create job_run, feed_state and feed_item."""
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(128), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.UniqueConstraint("job", "planned_at", name="uq_job_run_job_planned_at"),
    )
    op.create_table(
        "feed_state",
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("etag", sa.String(1024), nullable=True),
        sa.Column("last_modified", sa.String(128), nullable=True),
        sa.Column("last_fetch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_table(
        "feed_item",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("feed_url", sa.String(2048), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("link", sa.String(2048), nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("briefed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key", name="uq_feed_item_key"),
    )
    op.create_index("ix_feed_item_first_seen_at", "feed_item", ["first_seen_at"])


def downgrade() -> None:
    """Drop job_run, feed_state and feed_item."""
    op.drop_index("ix_feed_item_first_seen_at", table_name="feed_item")
    op.drop_table("feed_item")
    op.drop_table("feed_state")
    op.drop_table("job_run")
