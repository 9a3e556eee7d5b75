"""`hearth ask`: in-process through the router, as a function and as the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agent.cli.ask import ask_router
from agent.config import load_config
from tests.support.fake_anthropic import FakeAnthropic, answer
from tests.support.fake_ollama import FakeOllama

REPO = Path(__file__).resolve().parents[2]
KEY = "sk-ant-api03-askcli-RecognisableTail-987654321"


def _config(tmp_path: Path, anthropic_url: str, ollama_url: str) -> Path:
    path = tmp_path / "hearth.toml"
    path.write_text(
        f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n'
        f'[ollama]\nhost = "{ollama_url}"\ntimeout = 5\n'
        f'[anthropic]\nbase_url = "{anthropic_url}"\ntimeout = 5\n'
        '[anthropic.api_key]\nenv = "HEARTH_TEST_ANTHROPIC_KEY"\n')
    return path


def _hearth(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME")}
    return subprocess.run([sys.executable, "-m", "agent.cli.main", *args], cwd=REPO,
                          env={**base, **env}, capture_output=True, text=True, timeout=60,
                          check=False)


def test_ask_router_answers_and_records(tmp_path: Path, fake_anthropic: FakeAnthropic,
                                        fake_ollama: FakeOllama, monkeypatch: object) -> None:
    monkeypatch.setenv("HEARTH_TEST_ANTHROPIC_KEY", KEY)  # type: ignore[attr-defined]
    config = load_config(_config(tmp_path, fake_anthropic.url, fake_ollama.url))
    fake_anthropic.script(answer("It is sunny."))
    result = ask_router(config, "weather?", "fast", "ask", False)
    assert result["text"] == "It is sunny."
    assert (result["tier"], result["backend"], result["model"]) == (
        "fast", "anthropic", "claude-haiku-5-5")
    assert result["cost_micros"] > 0 and result["input_tokens"] > 0
    assert result["ledger_id"]
    local = ask_router(config, "hello", None, "ask", False)
    assert local["tier"] == "local" and local["cost_micros"] == 0
    assert (tmp_path / "state" / "ledger.db").exists()


def test_dry_run_calls_nothing(tmp_path: Path, fake_anthropic: FakeAnthropic,
                               fake_ollama: FakeOllama, monkeypatch: object) -> None:
    monkeypatch.setenv("HEARTH_TEST_ANTHROPIC_KEY", KEY)  # type: ignore[attr-defined]
    config = load_config(_config(tmp_path, fake_anthropic.url, fake_ollama.url))
    plan = ask_router(config, "plan this", "deep", "ask", True)
    assert plan["dry_run"] is True
    assert [s["tier"] for s in plan["steps"]] == ["deep", "fast", "local"]
    assert plan["steps"][0]["reservation_micros"] > plan["steps"][1]["reservation_micros"] > 0
    assert fake_anthropic.requests == [] and fake_ollama.requests == []


def test_command_prints_answer_and_json(tmp_path: Path, fake_anthropic: FakeAnthropic,
                                        fake_ollama: FakeOllama) -> None:
    cfg = _config(tmp_path, fake_anthropic.url, fake_ollama.url)
    env = {"HEARTH_TEST_ANTHROPIC_KEY": KEY}
    fake_anthropic.script(answer("Forty-two."), answer("Forty-three."))
    human = _hearth(["-vv", "--config", str(cfg), "ask", "meaning?", "--tier", "fast"], env)
    assert human.returncode == 0, human.stderr
    assert human.stdout.splitlines()[0] == "Forty-two."
    assert "fast (anthropic/claude-haiku-5-5)" in human.stdout and "$0.0000" in human.stdout
    assert "model call skill=ask tier=fast" in human.stderr   # the one INFO line per call
    assert "RecognisableTail" not in human.stdout + human.stderr
    as_json = _hearth(["--config", str(cfg), "ask", "again?", "--tier", "fast", "--json"], env)
    data = json.loads(as_json.stdout)
    assert data["text"] == "Forty-three." and data["tier"] == "fast"
    dry = _hearth(["--config", str(cfg), "ask", "x", "--tier", "deep", "--dry-run"], env)
    assert dry.returncode == 0 and "no model was called" in dry.stdout
    assert "reserve $" in dry.stdout
    assert len(fake_anthropic.message_bodies) == 2


def test_command_reports_unavailable_local_without_key(tmp_path: Path, dead_url: str,
                                                       fake_anthropic: FakeAnthropic) -> None:
    cfg = _config(tmp_path, fake_anthropic.url, dead_url)
    # With --skill the tier is the router's (without it, `--tier local` is the assistant cue).
    result = _hearth(["--config", str(cfg), "ask", "--skill", "ask", "--tier", "local", "hello"],
                     {})
    assert result.returncode == 69
    assert "Ollama is not reachable" in result.stderr
    assert "Traceback" not in result.stderr
