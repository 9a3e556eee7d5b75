"""`hearth spend` in words: cents, plurals, failed calls apart, no nameless model row."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import Outcome, Usage
from tests.ledger.helpers import config, record


@pytest.fixture
def cfg_file(state_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hearth.toml"
    path.write_text(f'[hearth]\nstate_dir = "{state_dir}"\ntimezone = "UTC"\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def mixed(state_dir: Path) -> None:
    """A paid call, a failed local call (Ollama down) and a template answer (tier none)."""
    db = Database.open(None, state_dir)
    cfg = config({"daily_usd": "5"})

    async def fill() -> None:
        ledger = Ledger(db, cfg)
        res = await ledger.reserve(skill="news", tier="deep", backend="anthropic",
                                   model="claude-sonnet-5-5", prompt_tokens=5000,
                                   max_tokens=2000)
        # sonnet-5-5: 5000 x 2 + 1000 x 10 = 20,000 µ$ = 2 cents
        await ledger.settle(res, record(Usage(input_tokens=5000, output_tokens=1000),
                                        tier="deep", model="claude-sonnet-5-5"))
        await ledger.settle(None, record(skill="ask", tier="local", backend="ollama",
                                         model="qwen2.5:1.5b", outcome=Outcome.ERROR,
                                         error_class="OllamaUnreachable"))
        await ledger.settle(None, record(skill="home", tier="none", backend="none", model=""))

    try:
        asyncio.run(fill())
    finally:
        db.close()


def test_spend_text_golden(cfg_file: Path, mixed: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend"]) == 0
    out = capsys.readouterr().out
    today = datetime.now(UTC).date()
    first = today.replace(day=1)
    head = out.split("\n\n")[0].splitlines()
    assert head[:3] == [
        "today: $0.02 over 3 calls (1 failed)",
        "this month: $0.02 over 3 calls (1 failed)",
        f"{first} to {today}: $0.02 over 3 calls (1 failed)",
    ]
    assert head[3].startswith("deep-tier equivalent: $")
    assert "; saved $" in head[3]
    tables = [[line.split("\t") for line in block.splitlines()] for block in out.split("\n\n")[1:]]
    skill, tier, model = tables
    assert skill[0] == ["skill", "calls", "failed", "cost", "deep-tier"]
    assert ["news", "1", "0", "$0.02", "$0.02"] in skill
    assert ["ask", "1", "1", "$0.00", "$0.00"] in skill
    assert {r[0] for r in tier[1:]} == {"deep", "local", "none"}
    names = [r[0] for r in model[1:]]
    assert "" not in names
    assert "no model (templates)" in names
    assert "calls)" not in out and "(1 calls" not in out


def test_spend_json_counts_failed_calls(cfg_file: Path, mixed: None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend", "--json"]) == 0
    today = json.loads(capsys.readouterr().out)["today"]
    assert (today["calls"], today["failed_calls"], today["cost_usd"]) == (3, 1, 0.02)
    by_skill = {line["name"]: line for line in today["by_skill"]}
    assert by_skill["ask"]["failed"] == 1 and by_skill["news"]["failed"] == 0
    assert all(isinstance(line["cost_usd"], float) for line in today["by_model"])


def test_spend_one_call_is_singular(cfg_file: Path, state_dir: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = Database.open(None, state_dir)
    try:
        asyncio.run(Ledger(db, config({})).settle(None, record(
            skill="home", tier="local", backend="ollama", model="qwen2.5:1.5b")))
    finally:
        db.close()
    assert main(["--config", str(cfg_file), "spend"]) == 0
    assert capsys.readouterr().out.startswith("today: $0.00 over 1 call\n")


def test_spend_bad_date_is_a_usage_error_in_words(cfg_file: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--config", str(cfg_file), "spend", "--since", "2026-13-01"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "'2026-13-01' is not a date; use YYYY-MM-DD" in err
    assert "fromisoformat" not in err
    assert "usage: hearth spend" in err


def test_spend_with_no_calls_prints_no_empty_tables(cfg_file: Path, state_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg_file), "spend"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("today: $0.00 over 0 calls\nthis month: $0.00 over 0 calls\n")
    assert out.endswith("cache hit ratio: n/a (no Claude calls)\n")
