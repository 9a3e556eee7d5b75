"""Fixtures for database tests."""

from tests.db.pg import pg_schema

__all__ = ["pg_schema"]
