"""Timers and household lists (skills/timers, skills/lists).

Revision ID: 0006_timers_lists
Revises: 0005_privacy_scopes
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_timers_lists"
down_revision = "0005_privacy_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create timer and list_item."""
    op.create_table(
        "timer",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(80), nullable=True),
        sa.Column("area", sa.String(80), nullable=True),
        sa.Column("command", sa.String(300), nullable=True),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remaining_s", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced", sa.Boolean, nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_timer_status", "timer", ["status"])
    op.create_table(
        "list_item",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("list_name", sa.String(80), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("item_key", sa.String(200), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_list_item_list_name", "list_item", ["list_name"])


def downgrade() -> None:
    """Drop list_item and timer."""
    op.drop_index("ix_list_item_list_name", table_name="list_item")
    op.drop_table("list_item")
    op.drop_index("ix_timer_status", table_name="timer")
    op.drop_table("timer")
