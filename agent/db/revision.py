"""The schema revision this hearth ships, checked without loading Alembic.

Alembic and its script directory cost about 100 ms and 5 MB at every start, yet almost every
start finds the database already at head. `Database.open` reads the recorded revision here
and imports `agent.db.migrate` only when there is something to do.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

# Must equal Alembic's head (tests/db/test_database.py checks it): bump it with every
# new file in agent/db/migrations/versions.
SCHEMA_HEAD = "0008_conversations_learning"

# Arbitrary but fixed: every daemon sharing a PostgreSQL ledger takes this lock to migrate.
PG_MIGRATION_LOCK = 0x68656172  # "hear"


def recorded_revision(connection: Connection) -> str | None:
    """The revision Alembic recorded in this database (None: empty or ambiguous)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(rows[0]) if len(rows) == 1 else None
