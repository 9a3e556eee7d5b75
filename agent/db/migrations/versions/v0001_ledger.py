"""Ledger: one row per model call, open reservations, budget counters.

Revision ID: 0001_ledger
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_ledger"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ledger tables."""
    op.create_table(
        "ledger_call",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skill", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("tier_requested", sa.String(16), nullable=False),
        sa.Column("tier_used", sa.String(16), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("model_requested", sa.String(128), nullable=False),
        sa.Column("model_used", sa.String(128), nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("cache_read_tokens", sa.Integer, nullable=False),
        sa.Column("cache_write_5m_tokens", sa.Integer, nullable=False),
        sa.Column("cache_write_1h_tokens", sa.Integer, nullable=False),
        sa.Column("thinking_tokens", sa.Integer, nullable=True),
        sa.Column("batch", sa.Boolean, nullable=False),
        sa.Column("cost_micros", sa.BigInteger, nullable=False),
        sa.Column("counterfactual_micros", sa.BigInteger, nullable=False),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error_class", sa.String(128), nullable=True),
        sa.Column("reservation_id", sa.String(26), nullable=True),
        sa.Column("usage_json", sa.Text, nullable=False),
        sa.Column("prompt", sa.Text, nullable=True),
    )
    op.create_index("ix_ledger_call_created_at", "ledger_call", ["created_at"])
    op.create_table(
        "ledger_reservation",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skill", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("amount_micros", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("owner_host", sa.String(255), nullable=False),
        sa.Column("owner_pid", sa.Integer, nullable=False),
        sa.Column("owner_token", sa.String(64), nullable=False),
    )
    op.create_index("ix_ledger_reservation_status", "ledger_reservation", ["status"])
    op.create_table(
        "budget_counter",
        sa.Column("scope", sa.String(160), primary_key=True),
        sa.Column("spent_micros", sa.BigInteger, nullable=False),
        sa.Column("reserved_micros", sa.BigInteger, nullable=False),
        sa.Column("warned", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    """Drop the ledger tables."""
    op.drop_table("budget_counter")
    op.drop_index("ix_ledger_reservation_status", table_name="ledger_reservation")
    op.drop_table("ledger_reservation")
    op.drop_index("ix_ledger_call_created_at", table_name="ledger_call")
    op.drop_table("ledger_call")
