"""A short history of device state changes (the assistant's and advisor's context).

Revision ID: 0007_state_history
Revises: 0006_timers_lists
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_state_history"
down_revision = "0006_timers_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create state_change."""
    op.create_table(
        "state_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device_id", sa.String(255), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.create_index("ix_state_change_device_at", "state_change", ["device_id", "at"])
    op.create_index("ix_state_change_at", "state_change", ["at"])


def downgrade() -> None:
    """Drop state_change."""
    op.drop_index("ix_state_change_at", table_name="state_change")
    op.drop_index("ix_state_change_device_at", table_name="state_change")
    op.drop_table("state_change")
