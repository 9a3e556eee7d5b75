"""INSERT ... ON CONFLICT DO NOTHING for the dialect in use, importing only that dialect.

SQLAlchemy spells the conflict clause per dialect; importing the PostgreSQL one costs about
2 MB of an idle daemon that runs on SQLite.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def insert_ignoring(session: Session, table: Any, index_elements: list[str] | None = None
                    ) -> Insert:
    """An INSERT into `table` (a Table or mapped class) that skips rows already there.

    Add values with ``.values(...)`` or pass rows to ``execute``.
    """
    stmt: Insert = _insert_for(session.get_bind().dialect.name)(table).on_conflict_do_nothing(
        index_elements=index_elements)
    return stmt


@cache
def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert
