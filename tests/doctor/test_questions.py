"""`hearth doctor`'s questions line: which tiers could answer a question now."""

from __future__ import annotations

import pytest

from agent.cli.main import main
from agent.config.root import HearthConfig
from agent.control.questions import question_tiers, questions_line, questions_warning
from tests.doctor.conftest import FAKE_KEY, KEY_VAR, ConfigWriter
from tests.support.broker import Broker
from tests.support.fake_ollama import FakeOllama


def _line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("questions: "))


def test_everything_up(write_config: ConfigWriter, running_broker: Broker,
                       fake_ollama: FakeOllama, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(KEY_VAR, FAKE_KEY)
    cfg = write_config(mqtt_port=running_broker.port, ollama_host=fake_ollama.url,
                       key_var=KEY_VAR)
    assert main(["--config", str(cfg), "doctor"]) == 0
    assert _line(capsys.readouterr().out) == (
        "questions: local ✓ qwen2.5:1.5b | dispatcher: local (cloud: off) | fast ✓ | deep ✓")


def test_no_ollama_no_opt_in_says_how_to_fix(write_config: ConfigWriter,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(KEY_VAR, FAKE_KEY)
    cfg = write_config(key_var=KEY_VAR)
    main(["--config", str(cfg), "doctor", "--timeout", "1"])
    out = capsys.readouterr().out
    assert _line(out) == ("questions: local ✗ qwen2.5:1.5b (Ollama down) | dispatcher: none "
                          "(cloud: off) | fast ✓ | deep ✓")
    assert "[router.skills.dispatcher] allow_cloud = true" in out


def test_no_ollama_with_the_opt_in_runs_the_dispatcher_on_fast(
        write_config: ConfigWriter, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(KEY_VAR, FAKE_KEY)
    cfg = write_config(key_var=KEY_VAR,
                       extra="[router.skills.dispatcher]\nallow_cloud = true\n")
    main(["--config", str(cfg), "doctor", "--timeout", "1"])
    out = capsys.readouterr().out
    assert "dispatcher: fast (cloud: on)" in _line(out)
    assert "allow_cloud = true" not in out.split(_line(out))[1]


def test_no_key_and_the_advisor_budget_in_the_line() -> None:
    config = HearthConfig()
    section = question_tiers(config, ollama_ok=True, key_present=False,
                             advisor_left_micros=180_000)
    assert questions_line(section) == (
        "local ✓ qwen2.5:1.5b | dispatcher: local (cloud: off) | fast ✗ (no API key) | "
        "deep ✗ (no API key) (advisor budget $0.18 left today)")
    assert questions_warning(section) is None
    halted = question_tiers(config, ollama_ok=False, key_present=True, cloud_halted="402")
    assert "fast ✗ (402)" in questions_line(halted)
    assert questions_line({}) == "local - | dispatcher: ? | fast - | deep -"
