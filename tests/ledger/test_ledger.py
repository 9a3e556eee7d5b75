"""Reserve, settle, release and reconcile on a real SQLite file."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.db import Database
from agent.db.models import LedgerCall, LedgerReservation
from agent.errors import BudgetExceeded, LedgerError, PriceUnknown
from agent.ledger import Ledger
from agent.ledger.types import CapStatus, Outcome, Usage
from tests.ledger.helpers import Clock, config, record

HAIKU = "claude-haiku-5-5"


@pytest.fixture
def db(state_dir: Path) -> Iterator[Database]:
    database = Database.open(None, state_dir)
    yield database
    database.close()


def caps(status: list[CapStatus]) -> dict[str, tuple[int, int, int]]:
    return {f"{c.name}|{c.period}": (c.used_micros, c.reserved_micros, c.left_micros)
            for c in status}


async def test_reserve_holds_worst_case_and_settle_spends_actual(db: Database) -> None:
    clock = Clock()
    ledger = Ledger(db, config({"daily_usd": "0.01"}), clock=clock)
    res = await ledger.reserve(skill="news", tier="fast", backend="anthropic", model=HAIKU,
                               prompt_tokens=1000, max_tokens=1000)
    assert res.amount_micros == 700  # 1000 x 0.20 + 1000 x 0.50
    assert caps(await ledger.budget_status())["global|day"] == (0, 700, 9300)
    usage = Usage(input_tokens=900, output_tokens=300, raw={"input_tokens": 900,
                                                            "output_tokens": 300})
    entry = await ledger.settle(res, record(usage))
    assert entry.cost_micros == 240  # 900 x 0.10 + 300 x 0.50
    assert entry.counterfactual_micros == 4800  # on sonnet-5-5: 900 x 2 + 300 x 10
    assert caps(await ledger.budget_status())["global|day"] == (240, 0, 9760)
    row = await db.read(lambda s: s.get(LedgerCall, entry.id))
    assert row is not None
    assert (row.cost_micros, row.reservation_id, row.outcome) == (240, res.id, "ok")
    assert json.loads(row.usage_json) == {"input_tokens": 900, "output_tokens": 300}
    assert row.prompt is None  # store_prompts is off by default
    assert row.created_at == clock.now


async def test_every_cap_kind_refuses(db: Database) -> None:
    cfg = config({"daily_usd": "1", "monthly_usd": "1",
                  "per_tier": {"deep": {"daily_usd": "0.001"}},
                  "per_skill": {"news": {"monthly_usd": "0.0005"}}})
    ledger = Ledger(db, cfg, clock=Clock())
    # 400 µ$ fits the news skill's 500 µ$ monthly cap once, not twice
    kw = {"backend": "anthropic", "model": HAIKU, "prompt_tokens": 1000, "max_tokens": 400}
    await ledger.reserve(skill="news", tier="fast", **kw)
    with pytest.raises(BudgetExceeded) as err:
        await ledger.reserve(skill="news", tier="fast", **kw)
    assert err.value.cap == "skill:news|month"
    assert err.value.left_micros == 100
    # the deep tier's daily cap: 1000 µ$
    await ledger.reserve(skill="chat", tier="deep", **kw)
    await ledger.reserve(skill="chat", tier="deep", **kw)
    with pytest.raises(BudgetExceeded) as err:
        await ledger.reserve(skill="chat", tier="deep", **kw)
    assert err.value.cap == "tier:deep|day"
    assert err.value.left_micros == 200
    # a refused reservation held nothing anywhere
    status = caps(await ledger.budget_status())
    assert status["global|day"] == (0, 1200, 1_000_000 - 1200)


async def test_global_monthly_cap_spans_days_in_household_timezone(db: Database) -> None:
    # 23:30 UTC on Nov 30 is already Dec 1 in Berlin: a new day and a new month there.
    clock = Clock(datetime(2026, 11, 30, 22, 30, tzinfo=UTC))
    cfg = config({"daily_usd": "0.001", "monthly_usd": "0.0015"},
                 hearth={"timezone": "Europe/Berlin"})
    ledger = Ledger(db, cfg, clock=clock)
    kw = {"skill": "s", "tier": "fast", "backend": "anthropic", "model": HAIKU,
          "prompt_tokens": 1000, "max_tokens": 1000}
    r1 = await ledger.reserve(**kw)  # 700 on Nov 30 (23:30 Berlin)
    await ledger.settle(r1, record(Usage(input_tokens=1000, output_tokens=1000), skill="s"))
    with pytest.raises(BudgetExceeded):
        await ledger.reserve(**kw)  # 600 + 700 > 1000 daily
    clock.advance(hours=1)  # 00:30 Dec 1 in Berlin, still Nov 30 in UTC
    status = {f"{c.name}|{c.period}": c for c in await ledger.budget_status()}
    assert status["global|day"].period_key == "2026-12-01"
    assert status["global|month"].period_key == "2026-12"
    assert status["global|day"].used_micros == 0
    spent = record(Usage(input_tokens=1000, output_tokens=1000), skill="s")
    await ledger.settle(await ledger.reserve(**kw), spent)  # Dec 1: 600 (Nov's 600 is gone)
    clock.advance(days=1)
    await ledger.settle(await ledger.reserve(**kw), spent)  # Dec 2: 1200 this month
    clock.advance(days=1)
    with pytest.raises(BudgetExceeded) as err:
        await ledger.reserve(**kw)  # Dec 3: 1200 + 700 > 1500 monthly, though the day is empty
    assert err.value.cap == "global|month"
    assert err.value.left_micros == 300


async def test_release_frees_the_reservation_and_records_the_call(db: Database) -> None:
    ledger = Ledger(db, config({"daily_usd": "0.001"}), clock=Clock())
    kw = {"skill": "s", "tier": "fast", "backend": "anthropic", "model": HAIKU,
          "prompt_tokens": 1000, "max_tokens": 1000}
    res = await ledger.reserve(**kw)
    with pytest.raises(BudgetExceeded):
        await ledger.reserve(**kw)
    entry = await ledger.release(res, record(outcome=Outcome.ERROR, error_class="ModelUnavailable",
                                             skill="s"))
    assert entry.cost_micros == 0
    assert caps(await ledger.budget_status())["global|day"] == (0, 0, 1000)
    await ledger.reserve(**kw)  # room again
    row = await db.read(lambda s: s.get(LedgerCall, entry.id))
    assert row is not None and (row.outcome, row.error_class) == ("error", "ModelUnavailable")
    with pytest.raises(LedgerError):
        await ledger.settle(res, record(skill="s"))  # already closed


async def test_unknown_outcome_counts_the_reservation_as_spent(db: Database) -> None:
    ledger = Ledger(db, config({"daily_usd": "1"}), clock=Clock())
    res = await ledger.reserve(skill="s", tier="fast", backend="anthropic", model=HAIKU,
                               prompt_tokens=1000, max_tokens=1000)
    entry = await ledger.release(res, record(outcome=Outcome.UNKNOWN, skill="s"))
    assert entry.cost_micros == 700
    assert caps(await ledger.budget_status())["global|day"][:2] == (700, 0)


async def test_unpriced_claude_model_is_refused_before_the_call(db: Database) -> None:
    ledger = Ledger(db, config({"daily_usd": "100"}), clock=Clock())
    with pytest.raises(PriceUnknown):
        await ledger.reserve(skill="s", tier="deep", backend="anthropic",
                             model="claude-fable-5-2", prompt_tokens=10, max_tokens=10)
    assert await db.read(lambda s: s.scalars(select(LedgerReservation)).all()) == []
    assert not ledger.has_price("claude-fable-5-2")
    assert ledger.has_price(HAIKU)


async def test_local_calls_are_free_never_refused_and_recorded(db: Database) -> None:
    cfg = config({"daily_usd": "0"}, ledger={"energy_usd_per_hour": "0.036"})
    ledger = Ledger(db, cfg, clock=Clock())
    res = await ledger.reserve(skill="s", tier="local", backend="ollama", model="qwen2.5:1.5b",
                               prompt_tokens=10_000, max_tokens=10_000)
    assert res.amount_micros == 0
    usage = Usage(input_tokens=300, output_tokens=100, inference_seconds=2.5)
    entry = await ledger.settle(None, record(usage, tier="local", backend="ollama",
                                             model="qwen2.5:1.5b", skill="s"))
    # energy: $0.036/h x 2.5 s = 25 µ$; deep tier would be 300 x 2 + 100 x 10
    assert entry.cost_micros == 25
    assert entry.counterfactual_micros == 1600
    await ledger.release(res, record(tier="local", backend="ollama", model="qwen2.5:1.5b",
                                     outcome=Outcome.ERROR, skill="s"))
    n = await db.read(lambda s: len(s.scalars(select(LedgerCall)).all()))
    assert n == 2


async def test_model_named_by_the_response_is_what_is_priced(db: Database) -> None:
    ledger = Ledger(db, config(), clock=Clock())
    res = await ledger.reserve(skill="s", tier="deep", backend="anthropic",
                               model="claude-opus-5-5", prompt_tokens=100, max_tokens=100)
    usage = Usage(input_tokens=100, output_tokens=100)
    served = record(usage, model="claude-opus-5-5", model_used="claude-sonnet-5-5", skill="s")
    entry = await ledger.settle(res, served)
    assert entry.cost_micros == 1200  # sonnet: 100 x 2 + 100 x 10, not opus's 2400
    unknown = record(usage, model="claude-opus-5-5", model_used="claude-unheard-of", skill="s")
    res2 = await ledger.reserve(skill="s", tier="deep", backend="anthropic",
                                model="claude-opus-5-5", prompt_tokens=100, max_tokens=100)
    assert (await ledger.settle(res2, unknown)).cost_micros == 2400  # falls back to requested


async def test_prompts_stored_only_when_enabled(state_dir: Path) -> None:
    for store, expected in ((False, None), (True, "turn on the lights")):
        db = Database.open(None, state_dir / str(store))
        try:
            ledger = Ledger(db, config(ledger={"store_prompts": store}), clock=Clock())
            entry = await ledger.settle(None, record(prompt="turn on the lights", backend="none",
                                                     tier="none", model=""))
            row = await db.read(lambda s, i=entry.id: s.get(LedgerCall, i))
            assert row is not None and row.prompt == expected
        finally:
            db.close()


async def test_warning_once_per_period_per_cap(db: Database,
                                               caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    seen: list[str] = []
    cfg = config({"daily_usd": "0.01", "warn_at": 0.5})
    ledger = Ledger(db, cfg, clock=clock, on_warning=seen.append)
    kw = {"skill": "s", "tier": "fast", "backend": "anthropic", "model": HAIKU,
          "prompt_tokens": 1000, "max_tokens": 1000}
    with caplog.at_level(logging.WARNING, logger="agent.ledger"):
        for _ in range(7):  # 700 each: crosses 5000 on the 8th... and 50% at the 8th
            await ledger.reserve(**kw)
        assert seen == []
        await ledger.reserve(**kw)  # 5600 >= 5000
        await ledger.reserve(**kw)
        assert len(seen) == 1
        assert "global daily cap" in seen[0]
        clock.advance(days=1)
        for _ in range(8):
            await ledger.reserve(**kw)
    assert len(seen) == 2
    assert sum("budget warning" in r.message for r in caplog.records) == 2
    # a second ledger (another process) sharing the file does not warn again
    other = Ledger(db, cfg, clock=clock, on_warning=seen.append)
    await other.reserve(**kw)
    assert len(seen) == 2


async def test_reconcile_orphans_old_reservations(db: Database) -> None:
    clock = Clock()
    cfg = config({"daily_usd": "1"}, ledger={"orphan_after_minutes": 30})
    ledger = Ledger(db, cfg, clock=clock)
    old = await ledger.reserve(skill="s", tier="fast", backend="anthropic", model=HAIKU,
                               prompt_tokens=1000, max_tokens=1000)
    clock.advance(minutes=20)
    fresh = await ledger.reserve(skill="s", tier="fast", backend="anthropic", model=HAIKU,
                                 prompt_tokens=1000, max_tokens=1000)
    clock.advance(minutes=11)
    assert await ledger.start() == 1  # our own process is alive: only age counts
    assert caps(await ledger.budget_status())["global|day"][:2] == (700, 700)
    row = await db.read(lambda s: s.get(LedgerCall, old.id))
    assert row is not None and (row.outcome, row.cost_micros) == ("unknown", 700)
    # the late settle replaces the guess with the real figures
    entry = await ledger.settle(old, record(Usage(input_tokens=10, output_tokens=10), skill="s"))
    assert entry.cost_micros == 6
    assert caps(await ledger.budget_status())["global|day"][:2] == (6, 700)
    assert await db.read(lambda s: s.get(LedgerCall, old.id)) is None
    await ledger.settle(fresh, record(Usage(input_tokens=10), skill="s"))
    assert caps(await ledger.budget_status())["global|day"][:2] == (7, 0)


async def test_spend_report_totals_breakdowns_cache_ratio_savings(db: Database) -> None:
    clock = Clock()
    ledger = Ledger(db, config(), clock=clock)
    sonnet = Usage(input_tokens=1000, cache_read_tokens=3000, output_tokens=100)
    haiku = Usage(input_tokens=500, cache_write_5m_tokens=500, output_tokens=100)
    local = Usage(input_tokens=200, output_tokens=50)
    await ledger.settle(None, record(sonnet, skill="chat", tier="deep",
                                     model="claude-sonnet-5-5"))
    await ledger.settle(None, record(haiku, skill="news", tier="fast"))
    await ledger.settle(None, record(local, skill="news", tier="local", backend="ollama",
                                     model="qwen2.5:1.5b"))
    clock.advance(days=40)
    await ledger.settle(None, record(sonnet, skill="chat", tier="deep", model="claude-sonnet-5-5"))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    report = await ledger.spend_between(start, end)
    # sonnet: 1000x2 + 3000x0.10 + 100x10 = 3300; haiku: 500x0.1 + 500x0.125 + 100x0.5
    # = 50 + 62.5 + 50 -> 163; local: 0
    assert report.calls == 3
    assert report.cost_micros == 3300 + 163
    # counterfactual on sonnet: 3300 + (500x2 + 500x2.5 + 100x10 = 3250) + (400 + 500)
    assert report.counterfactual_micros == 3300 + 3250 + 900
    assert report.savings_micros == 3250 + 900 - 163
    # Claude prompt tokens: 4000 + 1000; cache reads 3000
    assert report.cache_hit_ratio == pytest.approx(3000 / 5000)
    assert [(x.name, x.calls, x.cost_micros) for x in report.by_skill] == [
        ("chat", 1, 3300), ("news", 2, 163)]
    assert {x.name for x in report.by_tier} == {"deep", "fast", "local"}
    assert [x.name for x in report.by_model] == ["claude-sonnet-5-5", HAIKU, "qwen2.5:1.5b"]
    calls = await ledger.calls_between(start, end)
    assert [c.skill for c in calls] == ["chat", "news", "news"]
    empty = await ledger.spend_between(end, end)
    assert (empty.calls, empty.cost_micros, empty.cache_hit_ratio) == (0, 0, None)


def test_period_bounds_follow_household_calendar(db: Database) -> None:
    clock = Clock(datetime(2026, 3, 29, 12, 0, tzinfo=UTC))  # DST starts in Berlin
    ledger = Ledger(db, config(hearth={"timezone": "Europe/Berlin"}), clock=clock)
    start, end = ledger.period_bounds("day")
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # a 23-hour day
    start, end = ledger.period_bounds("month")
    assert start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


async def test_refused_call_on_unpriced_model_is_recorded_at_zero(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    ledger = Ledger(db, config(), clock=Clock())
    refused = record(model="claude-fable-5-2", outcome=Outcome.REFUSED,
                     error_class="PriceUnknown")
    with caplog.at_level(logging.ERROR, logger="agent.ledger"):
        entry = await ledger.settle(None, refused)
    assert entry.cost_micros == 0
    assert caplog.records == []
    row = await db.read(lambda s: s.get(LedgerCall, entry.id))
    assert row is not None and (row.outcome, row.error_class) == ("refused", "PriceUnknown")


async def test_unpriced_model_after_the_call_counts_the_reservation(db: Database) -> None:
    """A served model the table does not know (and no requested fallback): the worst case
    reserved is what counts, never $0."""
    cfg = config(prices={"rows": [
        {"model": "claude-new", "input": 1, "output": 1, "cache_write_5m": 1,
         "cache_write_1h": 1, "cache_read": 1}]})
    ledger = Ledger(db, cfg, clock=Clock())
    res = await ledger.reserve(skill="s", tier="deep", backend="anthropic", model="claude-new",
                               prompt_tokens=100, max_tokens=100)
    assert res.amount_micros == 200
    other = Ledger(db, config(), clock=Clock())  # a table without claude-new
    served = record(Usage(input_tokens=10), model="claude-new", model_used="claude-newer")
    assert (await other.settle(res, served)).cost_micros == 200
