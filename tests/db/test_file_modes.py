"""The ledger and its WAL and shared-memory files are private to hearth's user, whatever
the umask (outside systemd there is no UMask=0077)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from agent.db import DB_FILENAME, Database


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual login umask (022): files are created world-readable unless asked not to."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(directory: Path) -> dict[str, int]:
    return {name: stat.S_IMODE((directory / name).stat().st_mode)
            for name in (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm")}


@pytest.mark.usefixtures("open_umask")
def test_ledger_wal_and_shm_are_created_0600(tmp_path: Path) -> None:
    db = Database.open(None, tmp_path)
    try:
        db.write_sync(lambda s: s.execute(text("SELECT 1")))
        assert _modes(tmp_path) == {DB_FILENAME: 0o600, f"{DB_FILENAME}-wal": 0o600,
                                    f"{DB_FILENAME}-shm": 0o600}
    finally:
        db.close()


@pytest.mark.usefixtures("open_umask")
def test_an_existing_world_readable_ledger_is_made_private(tmp_path: Path) -> None:
    Database.open(None, tmp_path).close()
    (tmp_path / DB_FILENAME).chmod(0o644)
    db = Database.open(None, tmp_path)
    try:
        db.write_sync(lambda s: s.execute(text("SELECT 1")))
        assert set(_modes(tmp_path).values()) == {0o600}
    finally:
        db.close()
