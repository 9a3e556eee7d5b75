"""Each ledger row records the data scopes its request carried and the request's size.

Revision ID: 0005_privacy_scopes
Revises: 0004_feed_dedupe
Create Date: 2026-12-01

Rows written before this revision carried no scope tags: they get "" and 0 bytes, which
`hearth privacy report` shows as unrecorded rather than guessing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_privacy_scopes"
down_revision = "0004_feed_dedupe"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ledger_call.scopes and ledger_call.request_bytes."""
    with op.batch_alter_table("ledger_call") as batch:
        batch.add_column(sa.Column("scopes", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("request_bytes", sa.Integer, nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("ledger_call") as batch:
        batch.drop_column("request_bytes")
        batch.drop_column("scopes")
