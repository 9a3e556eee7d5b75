"""Feed tests use the loopback feed server and a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.db import Database
from tests.support.feeds import feed_server

__all__ = ["db", "feed_server"]


@pytest.fixture
def db(state_dir: Path) -> Iterator[Database]:
    """A migrated SQLite database in the test's state directory."""
    database = Database.open(None, state_dir)
    yield database
    database.close()
