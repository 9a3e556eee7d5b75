"""Apply Alembic migrations on an open connection (hearth runs them at every start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from agent.db.revision import PG_MIGRATION_LOCK

MIGRATIONS = Path(__file__).with_name("migrations")

__all__ = ["PG_MIGRATION_LOCK", "alembic_config", "head_revision",
           "upgrade"]


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at hearth's migrations, with no alembic.ini needed."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision shipped with this version of hearth."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade to ``revision`` inside the caller's transaction; existing rows are kept.

    On SQLite the caller's transaction is BEGIN IMMEDIATE, so daemons starting together
    migrate one after the other; PostgreSQL gets an advisory lock for the same effect.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
    command.upgrade(alembic_config(connection), revision)
