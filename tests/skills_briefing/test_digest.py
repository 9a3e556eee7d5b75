"""The weekly digest through the fake Anthropic Message Batches endpoints, on time and late."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from agent.config import HearthConfig, parse_config
from agent.credentials import ApiKey
from agent.db import Database
from agent.feeds.parse import ParsedItem
from agent.feeds.store import store_new
from agent.ledger import Ledger
from agent.ledger.types import Usage
from agent.notifiers import FileNotifier
from agent.plugins.services import SkillLedger
from skills.digest.digest import WeeklyDigest
from tests.skills_briefing.support import open_stack
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_anthropic import answer as claude_answer

KEY = ApiKey("sk-ant-api03-" + "d" * 40)
START = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the digest's sleep moves forward."""

    now: datetime
    sleeps: int = 0

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += timedelta(seconds=seconds)


@dataclass
class Rig:
    config: HearthConfig
    db: Database
    ledger: Ledger
    digest: WeeklyDigest
    clock: Clock
    state_dir: Path


def config_for(fake: FakeAnthropic, state_dir: Path, on_late: str) -> HearthConfig:
    return parse_config({
        "hearth": {"state_dir": str(state_dir)},
        "anthropic": {"base_url": fake.url},
        "router": {"max_attempts": 1},
        "briefing": {"digest": {"enabled": True, "deadline_hours": 1, "poll_seconds": 600,
                                "on_late": on_late}},
    })


@pytest.fixture
async def rig(fake_anthropic: FakeAnthropic, state_dir: Path,
              request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    on_late = getattr(request, "param", "sync")
    fake_anthropic.set_responder(lambda req: claude_answer("Bridges and trains dominated.\n"
                                                           "Watch the council vote."))
    config = config_for(fake_anthropic, state_dir, on_late)
    clock = Clock(START)
    stack = await open_stack(config, state_dir, api_key=KEY, clock=clock)
    db, ledger, router, batches = stack.db, stack.ledger, stack.router, stack.core.batches
    assert batches is not None
    items = [ParsedItem(f"id:{i}", f"Story {i}", None, "Something happened.", None)
             for i in range(5)]
    await db.write(partial(store_new, feed_url="https://f.example/rss", items=items,
                           when=START - timedelta(days=2), limit=10))
    digest = WeeklyDigest(config, db, SkillLedger("digest", ledger), batches,
                          router=router.bind("digest", tier="deep", allow_cloud=True),
                          notifiers=[FileNotifier(state_dir, kind="digest")],
                          clock=clock, sleep=clock.sleep)
    yield Rig(config, db, ledger, digest, clock, state_dir)
    await stack.close()


async def ledger_rows(rig: Rig) -> list:  # type: ignore[type-arg]
    return await rig.ledger.calls_between(START - timedelta(days=1), START + timedelta(days=1))


async def test_a_batch_on_time_is_priced_at_the_batch_rate(
        rig: Rig, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls_to_finish = 2
    result = await rig.digest.run()
    assert result.status == "batch" and result.items == 5
    assert "Bridges" in result.text
    assert fake_anthropic.message_bodies == []  # no synchronous call
    (row,) = await ledger_rows(rig)
    assert row.batch and row.skill == "digest" and row.tier == "deep"
    usage = Usage(input_tokens=row.input_tokens, output_tokens=row.output_tokens)
    full = rig.ledger.price(row.model, usage)
    assert full > 0 and abs(row.cost_micros - full / 2) <= 1
    files = list((rig.state_dir / "digests").glob("2*.md"))
    assert len(files) == 1 and "Bridges" in files[0].read_text()
    assert rig.clock.sleeps == 1


async def test_a_late_batch_is_cancelled_and_the_digest_asked_synchronously(
        rig: Rig, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls_to_finish = None  # stays in progress: late
    result = await rig.digest.run()
    assert result.status == "sync" and "Bridges" in result.text
    assert any(r.path.endswith("/cancel") for r in fake_anthropic.requests)
    assert len(fake_anthropic.message_bodies) == 1
    assert rig.clock.now - START >= timedelta(hours=1)  # waited until the deadline
    rows = await ledger_rows(rig)
    batch_rows = [r for r in rows if r.batch]
    sync_rows = [r for r in rows if not r.batch]
    assert len(batch_rows) == 1 and batch_rows[0].cost_micros == 0  # cancelled: not billed
    assert len(sync_rows) == 1 and sync_rows[0].cost_micros > 0
    assert (rig.state_dir / "digests" / "latest.md").exists()


@pytest.mark.parametrize("rig", ["skip"], indirect=True)
async def test_a_late_batch_may_just_be_skipped(rig: Rig, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls_to_finish = None
    result = await rig.digest.run()
    assert result.status == "skipped"
    assert fake_anthropic.message_bodies == []
    assert not (rig.state_dir / "digests").exists()
    assert all(r.cost_micros == 0 for r in await ledger_rows(rig))


async def test_an_errored_batch_request_falls_back(rig: Rig, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls_to_finish = 1
    fake_anthropic.fail_batch_request(f"digest-{START:%Y%m%d%H%M}")
    result = await rig.digest.run()
    assert result.status == "sync"
    rows = await ledger_rows(rig)
    assert [r.cost_micros == 0 for r in rows if r.batch] == [True]


async def test_an_empty_week_submits_nothing(rig: Rig, fake_anthropic: FakeAnthropic) -> None:
    rig.clock.now = START + timedelta(days=30)
    result = await rig.digest.run()
    assert result.status == "empty"
    assert fake_anthropic.requests == []


async def test_the_batch_reservation_bounds_its_bill(rig: Rig,
                                                     fake_anthropic: FakeAnthropic) -> None:
    # Non-Latin stories, billed a token per UTF-8 byte, and an answer using all of
    # max_tokens: the batch still costs no more than was reserved for it.
    from sqlalchemy import select

    from agent.db.models import LedgerCall, LedgerReservation

    items = [ParsedItem(f"jp:{i}", f"東京の記事 {i} 🚆", None, "橋と電車の話題が続いた。" * 40,
                        None) for i in range(10)]
    await rig.db.write(partial(store_new, feed_url="https://jp.example/rss", items=items,
                               when=START - timedelta(days=1), limit=20))
    fake_anthropic.tokenizer = "bytes"
    deep = rig.config.tiers["deep"].max_tokens
    fake_anthropic.set_responder(lambda req: claude_answer("要約", usage={"output_tokens": deep}))
    result = await rig.digest.run()
    assert result.status == "batch"
    ((cost, reserved),) = await rig.db.read(lambda s: s.execute(
        select(LedgerCall.cost_micros, LedgerReservation.amount_micros)
        .join(LedgerReservation, LedgerReservation.id == LedgerCall.reservation_id)).all())
    assert 0 < cost <= reserved
