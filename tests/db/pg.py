"""PostgreSQL for tests: the server at 127.0.0.1:5432, one fresh schema per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("HEARTH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test",
                             connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at 127.0.0.1:5432 unreachable: {type(exc).__name__}"


def drop_schema(schema: str) -> None:
    """Remove a test schema and everything in it."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test",
                         autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema name no other test uses, dropped afterwards; skips when PostgreSQL is down."""
    reason = pg_reachable()
    if reason:
        pytest.skip(reason)
    schema = f"hearth_t_{uuid.uuid4().hex[:12]}"
    yield schema
    drop_schema(schema)
