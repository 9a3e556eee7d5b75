"""History of sensitive-action approvals, refusals and expiries.

Revision ID: 0003_approval_history
Revises: 0002_jobs_feeds
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_approval_history"
down_revision = "0002_jobs_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create approval_event."""
    op.create_table(
        "approval_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("path", sa.String(16), nullable=False),
        sa.Column("device", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(1024), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(255), nullable=False),
    )
    op.create_index("ix_approval_event_at", "approval_event", ["at"])


def downgrade() -> None:
    """Drop approval_event."""
    op.drop_index("ix_approval_event_at", table_name="approval_event")
    op.drop_table("approval_event")
