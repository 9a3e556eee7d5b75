"""`ledger_call.scopes` and `request_bytes` (migration 0005_privacy_scopes): rows written
before it read as unrecorded, new rows keep what the router recorded, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import Outcome
from tests.db.pg import PG_URL, pg_schema
from tests.ledger.helpers import config, record

__all__ = ["pg_schema"]

_OLD_ROW = (
    "INSERT INTO ledger_call (id, created_at, skill, trigger, tier_requested, tier_used, "
    "backend, model_requested, model_used, input_tokens, output_tokens, cache_read_tokens, "
    "cache_write_5m_tokens, cache_write_1h_tokens, thinking_tokens, batch, cost_micros, "
    "counterfactual_micros, latency_ms, outcome, error_class, reservation_id, usage_json, "
    "prompt) VALUES ('01OLD000000000000000000000', :at, 'news', 'schedule', 'fast', 'fast', "
    "'anthropic', 'claude-haiku-5-5', 'claude-haiku-5-5', 10, 5, 0, 0, 0, NULL, :no, 7, 9, "
    "40, 'ok', NULL, NULL, '{}', NULL)")


def _open(backend: str, request: pytest.FixtureRequest, state_dir: Path,
          revision: str = "head") -> Database:
    if backend == "sqlite":
        return Database.open(None, state_dir, revision=revision)
    schema = request.getfixturevalue("pg_schema")  # skips with a reason when unreachable
    return Database.open(PG_URL, state_dir, schema=schema, revision=revision)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_old_rows_read_as_unrecorded_and_new_rows_keep_scopes_and_bytes(
        backend: str, request: pytest.FixtureRequest, state_dir: Path) -> None:
    at = datetime.now(UTC) - timedelta(minutes=5)
    old = _open(backend, request, state_dir, revision="0004_feed_dedupe")
    old.write_sync(lambda s: s.execute(text(_OLD_ROW), {"at": at, "no": False}))
    old.close()
    db = _open(backend, request, state_dir)
    try:
        ledger = Ledger(db, config())
        await ledger.start()
        await ledger.settle(None, record(scopes=("utterance", "news", "news"),
                                         request_bytes=1234))
        await ledger.settle(None, record(outcome=Outcome.REFUSED, scopes=("states",)))
        now = datetime.now(UTC)
        rows = await ledger.calls_between(now - timedelta(hours=1), now + timedelta(hours=1))
        assert [(r.scopes, r.request_bytes) for r in rows] == [
            ((), 0), (("news", "utterance"), 1234), (("states",), 0)]
        cloud, local = await ledger.cloud_calls_between(now - timedelta(hours=1),
                                                        now + timedelta(hours=1))
        assert len(cloud) == 3 and local == 0
    finally:
        db.close()
