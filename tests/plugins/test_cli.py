"""`hearth skills list` and `hearth skills show NAME`, run in-process through the real CLI."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.cli.main import main
from agent.config import load_config
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import CallRecord, Outcome, Usage
from agent.words import money


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # main() installs its own root handler and level; later tests must not inherit them.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def config_file(tmp_path: Path, state_dir: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[hearth]\nstate_dir = "{state_dir}"\n\n[skills.home]\ntimeout = 7\n\n'
                    '[router.skills.home]\ncache_ttl = "1h"\n', encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err


def test_list_shows_every_installed_skill(config_file: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, "--config", str(config_file), "skills", "list", "--json")
    assert code == 0
    names = {s["name"] for s in data["skills"]} | {f["name"] for f in data["failed"]}
    assert names >= {"home", "news", "briefing"}
    assert data["ledger"].startswith("ledger unavailable (no ledger at")
    for skill in data["skills"]:
        assert set(skill) >= {"tier", "intents", "topics", "schedules", "tools", "config",
                              "month_spend_usd"}


def test_list_prints_a_table(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--config", str(config_file), "skills", "list")
    assert code == 0
    assert out.splitlines()[0].split("\t") == ["name", "state", "tier", "triggers", "tools",
                                               "month"]
    assert "ledger unavailable" in err


def _home_or_skip(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, data, _ = run(capsys, "--config", str(config_file), "skills", "list", "--json")
    if "home" not in {s["name"] for s in data["skills"]}:
        pytest.skip("the built-in home skill does not load in this tree yet")


def test_show_with_this_months_spend(config_file: Path, state_dir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _home_or_skip(config_file, capsys)
    config = load_config(config_file)
    db = Database.open(None, state_dir)
    try:
        ledger = Ledger(db, config)

        async def record() -> int:
            await ledger.start()
            held = await ledger.reserve(skill="home", tier="fast", backend="anthropic",
                                        model="claude-haiku-5-5", prompt_tokens=1000,
                                        max_tokens=100)
            entry = await ledger.settle(held, CallRecord(
                skill="home", trigger="ask", tier_requested="fast", tier_used="fast",
                backend="anthropic", model_requested="claude-haiku-5-5",
                model_used="claude-haiku-5-5", usage=Usage(input_tokens=1000, output_tokens=100),
                outcome=Outcome.OK, latency_ms=5))
            return entry.cost_micros

        cost = asyncio.run(record())
    finally:
        db.close()
    assert cost > 0
    code, data, _ = run(capsys, "--config", str(config_file), "skills", "show", "home", "--json")
    assert code == 0
    assert (data["name"], data["state"], data["timeout"]) == ("home", "enabled", 7.0)
    assert data["month_spend_usd"] == pytest.approx(cost / 1_000_000)
    assert data["ledger"] == "ok"
    assert data["router"] == {"cache_ttl": "1h"}
    code, text, _ = run(capsys, "--config", str(config_file), "skills", "show", "home")
    assert code == 0
    assert f"this month:  {money(cost)}" in text
    assert "limits:      timeout 7 s" in text


def test_show_unknown_skill_fails_clearly(config_file: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--config", str(config_file), "skills", "show", "nosuch")
    assert code == 1
    assert "no skill named 'nosuch'" in err


def test_bad_skill_section_exits_with_config_error(
    tmp_path: Path, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'[hearth]\nstate_dir = "{state_dir}"\n\n[skills.nosuch]\nx = 1\n',
                    encoding="utf-8")
    code, _, err = run(capsys, "--config", str(path), "skills", "list")
    assert code == 78
    assert "skills.nosuch: no installed skill has this name" in err
