"""`hearth spend` and `hearth budget` against a real ledger file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import Outcome, Usage
from tests.ledger.helpers import Clock, config, record

CALL_KEYS = {"model", "skill", "tier", "input_tokens", "output_tokens", "cache_read_tokens",
             "cache_write_5m_tokens", "cache_write_1h_tokens", "cost_usd", "outcome"}


@pytest.fixture
def cfg_file(state_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hearth.toml"
    path.write_text(f'[hearth]\nstate_dir = "{state_dir}"\n\n[budget]\ndaily_usd = 0.5\n'
                    'monthly_usd = 5\n\n[budget.per_skill.news]\ndaily_usd = 0.1\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def filled(state_dir: Path) -> None:
    """Two calls now (a sonnet call with cache, a free local one) and one in January."""
    db = Database.open(None, state_dir)
    cfg = config({"daily_usd": "0.5", "per_skill": {"news": {"daily_usd": "0.1"}}})

    async def fill() -> None:
        ledger = Ledger(db, cfg)
        res = await ledger.reserve(skill="news", tier="deep", backend="anthropic",
                                   model="claude-sonnet-5-5", prompt_tokens=5000,
                                   max_tokens=500)
        usage = Usage(input_tokens=1000, cache_read_tokens=3000, cache_write_1h_tokens=1000,
                      output_tokens=200)
        await ledger.settle(res, record(usage, tier="deep", model="claude-sonnet-5-5"))
        await ledger.settle(None, record(Usage(input_tokens=100, output_tokens=10),
                                         skill="home", tier="local", backend="ollama",
                                         model="qwen2.5:1.5b"))
        old = Ledger(db, cfg, clock=Clock(datetime(2026, 1, 15, 12, tzinfo=UTC)))
        await old.settle(None, record(Usage(input_tokens=1000, output_tokens=1000),
                                      skill="chat", outcome=Outcome.DEGRADED))
        # an open reservation, to show up as reserved
        await ledger.reserve(skill="news", tier="fast", backend="anthropic",
                             model="claude-haiku-5-5", prompt_tokens=1000, max_tokens=1000)

    try:
        asyncio.run(fill())
    finally:
        db.close()


# sonnet-5-5 (after the cache-read cut): 1000x2 + 3000x0.10 + 1000x4 + 200x10 = 8300 µ$
SONNET = 8300


def test_spend_json_calls(cfg_file: Path, filled: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend", "--json", "--calls"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_usd"] == SONNET / 1e6
    assert len(out["calls"]) == 2
    for call in out["calls"]:
        assert set(call) >= CALL_KEYS
    sonnet = next(c for c in out["calls"] if c["model"] == "claude-sonnet-5-5")
    assert (sonnet["input_tokens"], sonnet["cache_read_tokens"], sonnet["cache_write_1h_tokens"],
            sonnet["cost_usd"], sonnet["outcome"]) == (1000, 3000, 1000, 0.0083, "ok")


def test_spend_json_summary(cfg_file: Path, filled: None,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["today"]["cost_usd"] == out["this_month"]["cost_usd"] == SONNET / 1e6
    assert out["today"]["calls"] == 2
    rng = out["range"]
    assert rng["cache_hit_ratio"] == pytest.approx(3000 / 5000)
    # local call on sonnet: 100x2 + 10x10 = 300 µ$ saved
    assert rng["savings_usd"] == 0.0003
    assert {x["name"] for x in rng["by_tier"]} == {"deep", "local"}


def test_spend_since_until_selects_days(cfg_file: Path, filled: None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--config", str(cfg_file), "spend", "--since", "2026-01-01", "--until",
            "2026-01-31", "--json", "--calls"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    # haiku: 1000x0.10 + 1000x0.50 = 600
    assert [(c["skill"], c["outcome"], c["cost_usd"]) for c in out["calls"]] == [
        ("chat", "degraded", 0.0006)]
    assert main([*args[:6], "2026-01-14", "--json", "--calls"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == []


def test_spend_csv(cfg_file: Path, filled: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend", "--csv", "--calls"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["model"] for r in rows} == {"claude-sonnet-5-5", "qwen2.5:1.5b"}
    assert main(["--config", str(cfg_file), "spend", "--csv"]) == 0
    lines = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert lines[0] == ["dimension", "name", "calls", "cost_usd", "counterfactual_usd", "failed"]
    assert ["skill", "news", "1", "0.0083", "0.0083", "0"] in lines


def test_spend_text_is_plain_when_piped(cfg_file: Path, filled: None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend"]) == 0
    out = capsys.readouterr().out
    assert "today: $0.0083 over 2 calls\n" in out  # below a cent: the exact amount
    assert "cache hit ratio: 60.0%" in out
    assert "news\t1\t0\t$0.0083\t$0.0083" in out  # tab-separated: stdout is not a tty


def test_budget_table_and_json(cfg_file: Path, filled: None,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "budget", "--json"]) == 0
    caps = {(c["cap"], c["period"]): c for c in json.loads(capsys.readouterr().out)["caps"]}
    assert set(caps) == {("global", "day"), ("global", "month"), ("skill:news", "day")}
    news = caps[("skill:news", "day")]
    assert (news["used_usd"], news["reserved_usd"], news["left_usd"]) == (0.0083, 0.0007, 0.091)
    assert main(["--config", str(cfg_file), "budget"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["cap", "period", "limit", "used", "reserved", "left"]
    assert len(lines) == 4


def test_spend_rejects_reversed_range(cfg_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(cfg_file), "spend", "--since", "2026-02-01", "--until",
                 "2026-01-01"])
    assert code == 2
    assert "before --since" in capsys.readouterr().err


def test_budget_with_no_caps(state_dir: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[hearth]\nstate_dir = "{state_dir}"\n[budget]\ndaily_usd = false\n',
                    encoding="utf-8")
    # `false` is not a number: a config error with the key's path, exit 78
    assert main(["--config", str(path), "budget"]) == 78
    assert "budget.daily_usd" in capsys.readouterr().err


@pytest.fixture
def unknowns(state_dir: Path) -> None:
    """A paid call that answered, one that timed out after sending (settled UNKNOWN at its
    reservation), and one orphaned by a reconcile: both of the latter are billed unknown."""
    db = Database.open(None, state_dir)
    cfg = config({"daily_usd": "0.5"}, ledger={"orphan_after_minutes": 1})

    async def fill() -> None:
        ledger = Ledger(db, cfg)
        kw = {"skill": "ask", "tier": "deep", "backend": "anthropic",
              "model": "claude-sonnet-5-5", "prompt_tokens": 1000, "max_tokens": 1000}
        res = await ledger.reserve(**kw)  # type: ignore[arg-type]
        await ledger.settle(res, record(Usage(input_tokens=100, output_tokens=10),
                                        tier="deep", model="claude-sonnet-5-5"))
        res = await ledger.reserve(**kw)  # type: ignore[arg-type]
        await ledger.settle(res, record(tier="deep", model="claude-sonnet-5-5",
                                        outcome=Outcome.UNKNOWN))
        await Ledger(db, cfg, clock=Clock(datetime.now(UTC) - timedelta(minutes=5))).reserve(
            **kw)  # type: ignore[arg-type]
        assert await ledger.reconcile() == 1

    try:
        asyncio.run(fill())
    finally:
        db.close()


# Each unknown counts its reservation: 1000 x 4 (1h write) + 1000 x 10 = 14,000 µ$.
RESERVED_DEEP = 14_000


def test_spend_shows_billed_unknown(cfg_file: Path, unknowns: None,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend", "--json"]) == 0
    month = json.loads(capsys.readouterr().out)["this_month"]
    assert month["billed_unknown_calls"] == 2
    assert month["billed_unknown_usd"] == 2 * RESERVED_DEEP / 1e6
    assert month["cost_usd"] == (2 * RESERVED_DEEP + 100 * 2 + 10 * 10) / 1e6
    assert main(["--config", str(cfg_file), "spend"]) == 0
    out = capsys.readouterr().out
    assert "billed unknown: $0.03 this month (2 calls sent without an answer" in out
