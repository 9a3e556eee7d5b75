"""200 racing paid calls through the router against a $0.05 daily cap, with the fake Claude
billing harder than any real tokenizer (one token per UTF-8 byte, every answer using all of
max_tokens): the cap still holds, on SQLite and PostgreSQL (bench/ledger.py's race)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agent.db import Database
from bench.ledger import router_race
from tests.db.pg import PG_URL
from tests.support.fake_anthropic import FakeAnthropic


def _check(race: dict[str, int]) -> None:
    assert race["admitted"] > 0 and race["refused"] > 0
    assert race["admitted"] + race["refused"] == 200
    assert race["overspend_micros"] == 0 and race["used_micros"] <= race["cap_micros"] == 50_000
    assert race["reserved_after_micros"] == 0
    # A case the old 2-characters-per-token estimate under-reserved.
    assert race["min_prompt_tokens_billed"] > race["prompt_chars"] / 2 + 16


def test_router_race_sqlite(state_dir: Path, fake_anthropic: FakeAnthropic) -> None:
    db = Database.open(None, state_dir)
    try:
        _check(asyncio.run(router_race(db, fake_anthropic, state_dir)))
    finally:
        db.close()


@pytest.mark.postgres
def test_router_race_postgres(pg_schema: str, state_dir: Path,
                              fake_anthropic: FakeAnthropic) -> None:
    db = Database.open(PG_URL, state_dir, schema=pg_schema)
    try:
        _check(asyncio.run(router_race(db, fake_anthropic, state_dir)))
    finally:
        db.close()
