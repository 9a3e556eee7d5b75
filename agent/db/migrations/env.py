"""Alembic environment: runs on the connection `agent.db.migrate` hands over.

Hearth never runs Alembic from a command line against a URL; the Database opens its own
engine (with the SQLite pragmas and BEGIN IMMEDIATE) and migrates inside that transaction.
"""

from __future__ import annotations

from alembic import context

from agent.db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
