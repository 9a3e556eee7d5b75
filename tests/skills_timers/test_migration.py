"""Migration 0005 (timers and lists): up keeps older rows, down removes exactly its tables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from agent.db import Database, migrate
from agent.db.models import JobRun, ListItem, Timer
from tests.db.pg import PG_URL, pg_schema

__all__ = ["pg_schema"]

AT = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)


def _round_trip(db: Database) -> None:
    """Rows written at 0004 survive the upgrade; the new tables take and return rows."""
    db.write_sync(lambda s: s.add(Timer(
        id="t1", name="pasta", area="kitchen", command=None, duration_s=600, started_at=AT,
        ends_at=AT, remaining_s=None, status="running", finished_at=None, announced=False,
        requested_by="ask")))
    db.write_sync(lambda s: s.add(ListItem(list_name="shopping list", item="Eggs",
                                           item_key="egg", done=False, added_at=AT,
                                           done_at=None)))
    timer = db.read_sync(lambda s: s.scalars(select(Timer)).one())
    assert (timer.name, timer.ends_at, timer.announced) == ("pasta", AT, False)
    assert timer.ends_at is not None and timer.ends_at.tzinfo == UTC
    item = db.read_sync(lambda s: s.scalars(select(ListItem)).one())
    assert (item.id, item.item_key, item.done) == (1, "egg", False)


def _down_to_before_timers(db: Database) -> set[str]:
    def down(session: object) -> set[str]:
        conn = session.connection()  # type: ignore[attr-defined]
        command.downgrade(migrate.alembic_config(conn), "0005_privacy_scopes")
        return set(inspect(conn).get_table_names())

    return db.write_sync(down)


def test_sqlite_up_and_down(state_dir: Path) -> None:
    db = Database.open(None, state_dir, revision="0005_privacy_scopes")
    db.write_sync(lambda s: s.add(JobRun(job="briefing", planned_at=AT, outcome="ok")))
    assert "timer" not in db.read_sync(lambda s: inspect(s.connection()).get_table_names())
    db.close()
    db = Database.open(None, state_dir)
    try:
        assert db.read_sync(lambda s: s.scalars(select(JobRun.job)).all()) == ["briefing"]
        _round_trip(db)
        tables = _down_to_before_timers(db)
        assert "timer" not in tables and "list_item" not in tables and "job_run" in tables
        revision = db.read_sync(lambda s: s.execute(
            text("SELECT version_num FROM alembic_version")).scalar_one())
        assert revision == "0005_privacy_scopes"
    finally:
        db.close()


@pytest.mark.postgres
def test_postgres_up_and_down(pg_schema: str, tmp_path: Path) -> None:
    db = Database.open(PG_URL, tmp_path, schema=pg_schema, revision="0005_privacy_scopes")
    db.write_sync(lambda s: s.add(JobRun(job="briefing", planned_at=AT, outcome="ok")))
    db.close()
    db = Database.open(PG_URL, tmp_path, schema=pg_schema)
    try:
        assert db.read_sync(lambda s: s.scalars(select(JobRun.job)).all()) == ["briefing"]
        _round_trip(db)
        tables = _down_to_before_timers(db)
        assert "timer" not in tables and "list_item" not in tables and "job_run" in tables
    finally:
        db.close()
