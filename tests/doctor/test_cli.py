"""`hearth doctor` end to end: a bare machine fails exactly three checks; a full one passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main
from tests.doctor.conftest import FAKE_KEY, KEY_VAR, ConfigWriter, parse_fixes, parse_table
from tests.support.broker import Broker
from tests.support.fake_ollama import FakeOllama

CHECKS = ["config", "state directory", "database", "mqtt broker", "ollama", "anthropic key",
          "clock", "free disk"]


def test_no_broker_no_ollama_no_key_fails_exactly_those(
    write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    # news pinned to the fast tier (Claude): the key is then needed.
    cfg = write_config(extra='[router.skills.news]\ntier = "fast"\n')
    code = main(["--config", str(cfg), "doctor", "--timeout", "2"])
    out = capsys.readouterr().out
    table = parse_table(out)
    assert list(table) == CHECKS
    failed = {name for name, (result, _) in table.items() if result == "FAIL"}
    assert failed == {"mqtt broker", "ollama", "anthropic key"}, out
    assert table["anthropic key"][1].endswith("the cloud tiers are off; news needs Claude")
    assert all(result == "PASS" for name, (result, _) in table.items() if name not in failed)
    assert code == 1
    assert "cannot reach 127.0.0.1:" in table["mqtt broker"][1]
    assert "cannot reach Ollama at http://127.0.0.1:" in table["ollama"][1]
    assert "no API key in $HEARTH_DOCTOR_TEST_NO_KEY" in table["anthropic key"][1]
    fixes = parse_fixes(out)
    assert set(fixes) == failed
    assert "start the broker" in fixes["mqtt broker"]
    assert "mqtt.host / mqtt.port" in fixes["mqtt broker"]
    assert fixes["ollama"].endswith("then: ollama pull qwen2.5:1.5b")
    assert "sk-ant-api" in fixes["anthropic key"]
    assert "$HEARTH_DOCTOR_TEST_NO_KEY" in fixes["anthropic key"]


def test_with_broker_ollama_and_key_everything_passes(
    write_config: ConfigWriter, running_broker: Broker, fake_ollama: FakeOllama,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(KEY_VAR, FAKE_KEY)
    cfg = write_config(mqtt_port=running_broker.port, ollama_host=fake_ollama.url,
                       key_var=KEY_VAR)
    code = main(["--config", str(cfg), "doctor"])
    out = capsys.readouterr().out
    table = parse_table(out)
    assert code == 0, out
    assert {result for result, _ in table.values()} == {"PASS"}, out
    assert "All checks passed." in out
    assert f"connected to 127.0.0.1:{running_broker.port} (anonymous)" in table["mqtt broker"][1]
    assert table["ollama"][1] == f"{fake_ollama.url} has qwen2.5:1.5b"
    assert table["clock"][1].startswith("NTP-synchronised")
    assert FAKE_KEY[:10] in table["anthropic key"][1]
    assert FAKE_KEY[10:] not in out  # never more than 10 characters of a key
    # The check asked for the model list and nothing else: no paid or unpaid model call.
    assert [(r.method, r.route) for r in fake_ollama.requests] == [("GET", "/api/tags")]


def test_missing_model_suggests_ollama_pull(
    write_config: ConfigWriter, running_broker: Broker, fake_ollama: FakeOllama,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(KEY_VAR, FAKE_KEY)
    fake_ollama.models = ["llama3.2:3b"]
    cfg = write_config(mqtt_port=running_broker.port, ollama_host=fake_ollama.url,
                       key_var=KEY_VAR, extra='[tiers.deep]\nbackend = "ollama"\nmodel = "phi4-mini"\n')
    code = main(["--config", str(cfg), "doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert parse_table(out)["ollama"] == (
        "FAIL", f"Ollama at {fake_ollama.url} lacks phi4-mini, qwen2.5:1.5b")
    assert parse_fixes(out) == {"ollama": "ollama pull phi4-mini && ollama pull qwen2.5:1.5b"}


def test_invalid_config_fails_and_skips_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[mqtt]\nport = "high"\nbogus = 1\n')
    code = main(["--config", str(cfg), "doctor"])
    out = capsys.readouterr().out
    table = parse_table(out)
    assert code == 1
    assert table["config"][0] == "FAIL"
    assert "mqtt.port" in table["config"][1] and "mqtt.bogus: unknown key" in table["config"][1]
    assert [table[n] for n in CHECKS[1:]] == [("SKIP", "needs a valid config")] * 7
    assert f"hearth config check {cfg}" in parse_fixes(out)["config"]


def test_json_output(write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config()
    code = main(["--config", str(cfg), "doctor", "--json", "--timeout", "2"])
    results = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["check"] for r in results] == CHECKS
    by_name = {r["check"]: r for r in results}
    assert by_name["ollama"]["result"] == "FAIL" and by_name["ollama"]["fix"]
    assert by_name["config"] == {"check": "config", "result": "PASS", "detail": str(cfg),
                                 "fix": None}
