"""The follow-up store on real databases: bounds, expiry, keys kept apart."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.conversation import ConversationStore
from agent.db import Database
from agent.db.models import ConversationTurn
from agent.dispatch.seams import Turn
from tests.db.pg import PG_URL, pg_schema

__all__ = ["pg_schema"]


class Clock:
    """A settable time for the store (the expiry timer uses the real loop)."""

    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(None, tmp_path)
    yield database
    database.close()


def _rows(db: Database) -> int:
    return db.read_sync(lambda s: int(s.scalar(select(func.count()).select_from(
        ConversationTurn)) or 0))


async def test_recent_gives_the_exchange_in_order_and_keys_stay_apart(db: Database) -> None:
    store = ConversationStore(db, now=Clock())
    await store.add("mqtt:rt:a", "turn on the kitchen light", "Kitchen light on.",
                    skill="home", untrusted=False)
    assert await store.recent("mqtt:rt:a") == (
        Turn("user", "turn on the kitchen light"), Turn("assistant", "Kitchen light on."))
    assert await store.recent("mqtt:rt:b") == ()
    await store.aclose()


async def test_turn_and_size_bounds_keep_the_newest(db: Database) -> None:
    clock = Clock()
    store = ConversationStore(db, turns=3, chars=500, now=clock)
    for n in range(4):
        clock.at += timedelta(seconds=1)
        await store.add("k", f"question {n}", f"answer {n}", skill="s", untrusted=n == 3)
    turns = await store.recent("k")
    assert [t.text for t in turns] == ["answer 2", "question 3", "answer 3"]
    assert turns[-1].untrusted and not turns[-2].untrusted
    assert _rows(db) == 3  # the store itself stays bounded, not only what it returns
    clock.at += timedelta(seconds=1)
    await store.add("k", "x" * 300, "y" * 300, skill="s", untrusted=False)
    assert [t.text for t in await store.recent("k")] == ["y" * 300]
    await store.aclose()


async def test_a_conversation_expires_whole_after_its_last_turn(db: Database) -> None:
    clock = Clock()
    store = ConversationStore(db, minutes=5, now=clock)
    await store.add("k", "one", "1", skill=None, untrusted=False)
    clock.at += timedelta(minutes=4)
    await store.add("k", "two", "2", skill=None, untrusted=False)
    clock.at += timedelta(minutes=4)  # 8 min after the first, 4 after the last: still live
    assert len(await store.recent("k")) == 4
    await store.add("other", "three", "3", skill=None, untrusted=False)
    clock.at += timedelta(minutes=5, seconds=1)
    assert await store.purge_expired() == 6
    assert _rows(db) == 0
    await store.aclose()


async def test_turns_are_deleted_when_the_window_closes_with_no_new_request(
        db: Database) -> None:
    store = ConversationStore(db, minutes=0.01)  # the real clock: 0.6 s
    await store.add("k", "turn on the kitchen light", "ok", skill="home", untrusted=False)
    assert _rows(db) == 2
    for _ in range(40):
        await asyncio.sleep(0.1)
        if _rows(db) == 0:
            break
    assert _rows(db) == 0
    await store.aclose()


async def test_postgresql_keeps_and_expires_the_same_way(pg_schema: str, tmp_path: Path) -> None:
    database = await asyncio.to_thread(Database.open, PG_URL, tmp_path, schema=pg_schema)
    try:
        clock = Clock()
        store = ConversationStore(database, turns=2, now=clock)
        await store.add("k", "a", "b", skill=None, untrusted=False)
        clock.at += timedelta(seconds=1)
        await store.add("k", "c", "d", skill=None, untrusted=True)
        assert await store.recent("k") == (Turn("user", "c"), Turn("assistant", "d", True))
        clock.at += timedelta(minutes=6)
        assert await store.recent("k") == ()
        assert _rows(database) == 0
        await store.aclose()
    finally:
        database.close()


async def test_forget_starts_a_key_afresh(db: Database) -> None:
    store = ConversationStore(db, now=Clock())
    await store.add("cli:1000", "a", "b", skill=None, untrusted=False)
    await store.add("cli:1001", "c", "d", skill=None, untrusted=False)
    await store.forget("cli:1000")
    assert await store.recent("cli:1000") == ()
    assert len(await store.recent("cli:1001")) == 2
    await store.aclose()
