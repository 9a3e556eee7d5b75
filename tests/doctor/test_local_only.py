"""A deliberately local-only set-up (no key, no skill on a Claude tier) passes the doctor."""

from __future__ import annotations

import json

import pytest

from agent.cli.main import main
from tests.doctor.conftest import ConfigWriter, parse_table
from tests.support.broker import Broker
from tests.support.fake_ollama import FakeOllama


def test_no_key_and_no_cloud_skill_passes_and_says_local_only(
    write_config: ConfigWriter, running_broker: Broker, fake_ollama: FakeOllama,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = write_config(mqtt_port=running_broker.port, ollama_host=fake_ollama.url)
    code = main(["--config", str(cfg), "doctor"])
    out = capsys.readouterr().out
    table = parse_table(out)
    assert code == 0, out
    assert table["anthropic key"] == (
        "PASS", "no API key: local-only set-up (no enabled skill needs Claude)")
    assert out.rstrip().endswith("No check failed (local-only: Claude is off).")


def test_local_only_in_json(
    write_config: ConfigWriter, running_broker: Broker, fake_ollama: FakeOllama,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = write_config(mqtt_port=running_broker.port, ollama_host=fake_ollama.url)
    assert main(["--config", str(cfg), "doctor", "--json"]) == 0
    by_name = {r["check"]: r for r in json.loads(capsys.readouterr().out)}
    assert by_name["anthropic key"]["result"] == "PASS"
    assert by_name["anthropic key"]["fix"] is None
