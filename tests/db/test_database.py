"""The Database: pragmas, BEGIN IMMEDIATE, migrations that keep rows, a pinned schema."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from agent.db import Database, migrate
from agent.db.models import Base, FeedItem, FeedState, JobRun
from agent.db.revision import SCHEMA_HEAD, recorded_revision
from agent.errors import ConfigError, LedgerError
from tests.db.pg import PG_URL

PINNED = {
    "ledger_call": [
        "id", "created_at", "skill", "trigger", "tier_requested", "tier_used", "backend",
        "model_requested", "model_used", "input_tokens", "output_tokens", "cache_read_tokens",
        "cache_write_5m_tokens", "cache_write_1h_tokens", "thinking_tokens", "batch",
        "cost_micros", "counterfactual_micros", "latency_ms", "outcome", "error_class",
        "reservation_id", "usage_json", "prompt", "scopes", "request_bytes"],
    "ledger_reservation": [
        "id", "created_at", "closed_at", "skill", "tier", "backend", "model", "amount_micros",
        "status", "day", "month", "owner_host", "owner_pid", "owner_token"],
    "budget_counter": ["scope", "spent_micros", "reserved_micros", "warned"],
    "job_run": ["id", "job", "planned_at", "started_at", "finished_at", "outcome", "detail"],
    "feed_state": ["url", "etag", "last_modified", "last_fetch_at", "last_status",
                   "last_error"],
    "feed_item": ["id", "key", "feed_url", "title", "link", "summary", "published_at",
                  "first_seen_at", "briefed_at", "link_key"],
    "approval_event": ["id", "at", "kind", "code", "path", "device", "topic", "payload",
                       "detail", "requested_by"],
    "timer": ["id", "name", "area", "command", "duration_s", "started_at", "ends_at",
              "remaining_s", "status", "finished_at", "announced", "requested_by"],
    "list_item": ["id", "list_name", "item", "item_key", "done", "added_at", "done_at"],
    "state_change": ["id", "at", "device_id", "key", "value"],
    "conversation_turn": ["id", "key", "at", "role", "text", "skill", "untrusted"],
    "learned_command": ["id", "phrase", "skill", "arguments_json", "count", "sensitive",
                        "status", "first_seen_at", "last_seen_at", "accepted_at",
                        "accepted_by"],
}


def test_open_creates_sqlite_file_with_durable_pragmas(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        assert (state_dir / "ledger.db").is_file()
        assert db.url.endswith("/ledger.db")

        def pragmas(s: Session) -> tuple[str, int, int]:
            mode = s.execute(text("PRAGMA journal_mode")).scalar_one()
            sync = s.execute(text("PRAGMA synchronous")).scalar_one()
            busy = s.execute(text("PRAGMA busy_timeout")).scalar_one()
            return mode, sync, busy

        mode, sync, busy = db.write_sync(pragmas)
        assert (mode, sync) == ("wal", 2)  # 2 == FULL
        assert busy >= 5000
    finally:
        db.close()


def test_schema_is_pinned_and_models_match_migrations(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    db.close()
    engine = create_engine(f"sqlite:///{state_dir / 'ledger.db'}")
    try:
        insp = inspect(engine)
        tables = set(insp.get_table_names()) - {"alembic_version"}
        assert tables == set(PINNED)
        for table, columns in PINNED.items():
            assert [c["name"] for c in insp.get_columns(table)] == columns, table
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("job_run")}
        assert ("job", "planned_at") in uniques
        with engine.connect() as conn:
            # The ORM models and the migrations describe the same schema.
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
            # hearth's own reader (no Alembic) agrees with Alembic's.
            recorded = MigrationContext.configure(conn).get_current_revision()
            assert recorded == recorded_revision(conn) == migrate.head_revision()
    finally:
        engine.dispose()


def _at_first_revision(path: Path) -> None:
    """A database as the first release of hearth left it, with rows in it."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn, "0001_ledger")
        conn.execute(text(
            "INSERT INTO budget_counter (scope, spent_micros, reserved_micros, warned) "
            "VALUES ('global|day|2026-11-24', 1234, 56, 0)"))
        conn.execute(text(
            "INSERT INTO ledger_call (id, created_at, skill, trigger, tier_requested, tier_used,"
            " backend, model_requested, model_used, input_tokens, output_tokens,"
            " cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, batch,"
            " cost_micros, counterfactual_micros, latency_ms, outcome, usage_json) VALUES"
            " ('01TEST', '2026-11-24 10:00:00.000000', 'news', 'schedule', 'fast', 'fast',"
            " 'anthropic', 'claude-haiku-5-5', 'claude-haiku-5-5', 10, 20, 0, 0, 0, 0, 11, 210,"
            " 5, 'ok', '{}')"))
        assert "job_run" not in inspect(conn).get_table_names()
    engine.dispose()


def test_upgrade_from_first_migration_keeps_rows(state_dir: Path) -> None:
    path = state_dir / "ledger.db"
    _at_first_revision(path)
    db = Database.open(None, state_dir)
    try:
        def check(s: Session) -> tuple[object, ...]:
            counter = s.execute(text("SELECT spent_micros, reserved_micros FROM budget_counter"
                                     " WHERE scope = 'global|day|2026-11-24'")).one()
            call = s.execute(text("SELECT skill, cost_micros FROM ledger_call")).all()
            runs = s.scalars(select(JobRun)).all()
            return tuple(counter), [tuple(r) for r in call], runs

        counter, calls, runs = db.read_sync(check)
        assert counter == (1234, 56)
        assert calls == [("news", 11)]
        assert runs == []  # the second migration's table exists, empty
    finally:
        db.close()


def test_reopening_keeps_rows_and_revision(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    planned = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    db.write_sync(lambda s: s.add(JobRun(job="briefing", planned_at=planned, outcome="ok")))
    db.close()
    db = Database.open(None, state_dir)
    try:
        rows = db.read_sync(lambda s: [(r.job, r.planned_at) for r in s.scalars(select(JobRun))])
        assert rows == [("briefing", planned)]
    finally:
        db.close()


def test_schema_head_constant_matches_alembic_head() -> None:
    # Database.open skips Alembic when the recorded revision equals SCHEMA_HEAD: a new
    # migration without a bump here would never run.
    assert migrate.head_revision() == SCHEMA_HEAD


def test_reopening_at_head_does_not_load_alembic(state_dir: Path) -> None:
    Database.open(None, state_dir).close()  # creates and migrates
    probe = (
        "import sys; from pathlib import Path; from agent.db import Database; "
        f"Database.open(None, Path({str(state_dir)!r})).close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


async def test_datetimes_round_trip_as_aware_utc(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        berlin = timezone(timedelta(hours=1))
        seen = datetime(2026, 11, 24, 8, 30, 15, 123456, tzinfo=berlin)

        def add(s: Session) -> None:
            s.add(FeedItem(key="guid-1", feed_url="https://example.org/rss", title="t",
                           link=None, summary="s", published_at=None, first_seen_at=seen))
            s.add(FeedState(url="https://example.org/rss", etag='W/"1"'))

        await db.write(add)
        item = await db.read(lambda s: s.scalars(select(FeedItem)).one())
        assert item.first_seen_at == seen
        assert item.first_seen_at.tzinfo == UTC
        assert item.first_seen_at.hour == 7
        state = await db.read(lambda s: s.get(FeedState, "https://example.org/rss"))
        assert state is not None and state.etag == 'W/"1"' and state.last_fetch_at is None
    finally:
        db.close()


async def test_naive_datetime_is_refused(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        naive = datetime(2026, 11, 24, 6, 0)  # naive on purpose
        with pytest.raises(LedgerError):
            await db.write(lambda s: s.add(JobRun(job="j", planned_at=naive, outcome="ok")))
    finally:
        db.close()


async def test_write_rolls_back_when_fn_raises(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    planned = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    try:
        def add_then_fail(s: Session) -> None:
            s.add(JobRun(job="j", planned_at=planned, outcome="ok"))
            s.flush()
            raise ConfigError("boom")

        with pytest.raises(ConfigError):
            await db.write(add_then_fail)
        assert await db.read(lambda s: s.scalars(select(JobRun)).all()) == []
        # A unique violation surfaces as LedgerError, never as a sqlalchemy exception.
        await db.write(lambda s: s.add(JobRun(job="j", planned_at=planned, outcome="ok")))
        with pytest.raises(LedgerError):
            await db.write(lambda s: s.add(JobRun(job="j", planned_at=planned, outcome="ok")))
    finally:
        db.close()


def test_write_takes_the_lock_at_begin(state_dir: Path) -> None:
    """BEGIN IMMEDIATE: a writer that has only read still holds the write lock, so a
    second writer waits (busy timeout) instead of interleaving."""
    db = Database.open(None, state_dir, busy_timeout_ms=20_000)
    other = Database.open(None, state_dir, busy_timeout_ms=20_000)
    order: list[str] = []
    inside = threading.Event()

    def slow_reader(s: Session) -> None:
        s.execute(text("SELECT count(*) FROM job_run")).scalar_one()
        order.append("first-in")
        inside.set()
        time.sleep(0.5)
        order.append("first-out")

    def second(s: Session) -> None:
        order.append("second-in")

    try:
        t = threading.Thread(target=db.write_sync, args=(slow_reader,))
        t.start()
        assert inside.wait(10)
        other.write_sync(second)
        t.join()
        assert order == ["first-in", "first-out", "second-in"]
    finally:
        db.close()
        other.close()


def test_event_loop_not_blocked_by_write(state_dir: Path) -> None:
    db = Database.open(None, state_dir)

    async def main() -> int:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        await db.write(lambda s: time.sleep(0.3))
        stop.set()
        await task
        return ticks

    try:
        assert asyncio.run(main()) >= 5
    finally:
        db.close()


def test_bad_urls_are_config_errors(state_dir: Path) -> None:
    with pytest.raises(ConfigError):
        Database.open("mysql://x@localhost/db", state_dir)
    with pytest.raises(ConfigError):
        Database.open("not a url", state_dir)


def test_corrupt_file_is_a_ledger_error(state_dir: Path) -> None:
    (state_dir / "ledger.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError):
        Database.open(None, state_dir)


def test_password_is_redacted_in_url(state_dir: Path) -> None:
    db = Database("postgresql+psycopg://hearth:s3cretpw@127.0.0.1:1/none")
    try:
        assert "s3cretpw" not in db.url
        assert "s3cretpw" not in repr(db)
    finally:
        db.close()


@pytest.mark.postgres
def test_postgres_upgrade_from_first_migration_keeps_rows(pg_schema: str, tmp_path: Path) -> None:
    db = Database.open(PG_URL, tmp_path, schema=pg_schema, revision="0001_ledger")
    db.write_sync(lambda s: s.execute(text(
        "INSERT INTO budget_counter VALUES ('global|month|2026-11', 7, 8, false)")))
    assert "job_run" not in db.read_sync(lambda s: inspect(s.connection()).get_table_names())
    db.close()
    db = Database.open(PG_URL, tmp_path, schema=pg_schema)
    try:
        row = db.read_sync(lambda s: s.execute(text(
            "SELECT spent_micros, reserved_micros FROM budget_counter")).one())
        assert tuple(row) == (7, 8)
        planned = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
        db.write_sync(lambda s: s.add(JobRun(job="j", planned_at=planned, outcome="ok")))
        got = db.read_sync(lambda s: s.scalars(select(JobRun)).one().planned_at)
        assert got == planned and got.tzinfo == UTC
        diff = db.read_sync(lambda s: compare_metadata(
            MigrationContext.configure(s.connection()), Base.metadata))
        assert diff == []
    finally:
        db.close()


def test_sqlite_driver_is_not_in_legacy_transaction_mode(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        def probe(s: Session) -> bool:
            raw = s.connection().connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            # We issued BEGIN ourselves: the driver is in a transaction before any write.
            s.execute(text("SELECT 1"))
            return raw.in_transaction and raw.isolation_level is None

        assert db.write_sync(probe)
    finally:
        db.close()


def test_damaged_pages_stop_the_open(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    seen = datetime(2026, 11, 24, tzinfo=UTC)
    db.write_sync(lambda s: s.add_all(
        FeedItem(key=f"k{i}", feed_url="u", title="t" * 200, link=None, summary="s" * 500,
                 published_at=None, first_seen_at=seen) for i in range(300)))
    db.close()
    path = state_dir / "ledger.db"
    data = bytearray(path.read_bytes())
    assert len(data) > 40 * 4096
    data[20 * 4096:30 * 4096] = b"\xff" * (10 * 4096)  # page 1 (the header) stays intact
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerError) as err:
        Database.open(None, state_dir)
    assert "integrity check" in str(err.value) or "malformed" in str(err.value)
