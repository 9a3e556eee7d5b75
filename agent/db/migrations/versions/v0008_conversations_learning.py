"""Short conversations for follow-ups, and the phrasings hearth learns.

Revision ID: 0008_conversations_learning
Revises: 0007_state_history
Create Date: 2026-12-01

Both tables are new, so existing rows need no defaults.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_conversations_learning"
down_revision = "0007_state_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create conversation_turn and learned_command."""
    op.create_table(
        "conversation_turn",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("skill", sa.String(64), nullable=True),
        sa.Column("untrusted", sa.Boolean, nullable=False),
    )
    op.create_index("ix_conversation_turn_key_at", "conversation_turn", ["key", "at"])
    op.create_table(
        "learned_command",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("phrase", sa.String(300), nullable=False),
        sa.Column("skill", sa.String(64), nullable=False),
        sa.Column("arguments_json", sa.String(2000), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("sensitive", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("phrase", "arguments_json", name="uq_learned_command_phrase_args"),
    )
    op.create_index("ix_learned_command_phrase_status", "learned_command",
                    ["phrase", "status"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_learned_command_phrase_status", table_name="learned_command")
    op.drop_table("learned_command")
    op.drop_index("ix_conversation_turn_key_at", table_name="conversation_turn")
    op.drop_table("conversation_turn")
