"""Rows without a reservation share transactions, and every caller's row is durable."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from agent.config import HearthConfig
from agent.db import Database
from agent.db.models import LedgerCall
from agent.ledger import Ledger
from agent.ledger.types import CallRecord, Outcome, Usage


def _none_row(i: int) -> CallRecord:
    return CallRecord(skill="home", trigger="mqtt", tier_requested="none", tier_used="none",
                      backend="none", model_requested="", model_used="", usage=Usage(),
                      outcome=Outcome.OK, latency_ms=i)


async def test_concurrent_unreserved_rows_are_all_written_in_fewer_transactions(
        state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    transactions = 0
    original = db.write

    async def counting_write(fn):  # type: ignore[no-untyped-def]
        nonlocal transactions
        transactions += 1
        return await original(fn)

    db.write = counting_write  # type: ignore[method-assign]
    try:
        ledger = Ledger(db, HearthConfig())
        entries = await asyncio.gather(*(ledger.settle(None, _none_row(i)) for i in range(300)))
        assert len({e.id for e in entries}) == 300
        assert all(e.cost_micros == 0 for e in entries)
        count = await db.read(lambda s: s.scalar(select(func.count()).select_from(LedgerCall)))
        assert count == 300
        # Grouped: far fewer commits (fsyncs) than rows.
        assert transactions < 300 // 4
    finally:
        db.close()


async def test_a_failed_group_fails_every_waiting_caller(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    ledger = Ledger(db, HearthConfig())
    db.close()  # writes now fail
    results = await asyncio.gather(*(ledger.settle(None, _none_row(i)) for i in range(5)),
                                   return_exceptions=True)
    assert all(isinstance(r, Exception) for r in results)
