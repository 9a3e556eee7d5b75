"""`hearth ask` without --tier: the daemon's dispatcher, in-process, against a real broker."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import paho.mqtt.client as mqtt

from tests.support.broker import Broker, free_port

REPO = Path(__file__).resolve().parents[2]


def _config(tmp: Path, broker: Broker, ollama: str) -> Path:
    cfg = tmp / "config.toml"
    cfg.write_text(f"""
[hearth]
state_dir = "{tmp / 'state'}"
[mqtt]
host = "{broker.host}"
port = {broker.port}
[ollama]
host = "{ollama}"
[anthropic]
api_key = {{ env = "HEARTH_TEST_NO_KEY" }}
[[devices]]
name = "kitchen light"
area = "kitchen"
kind = "light"
protocol = "zigbee2mqtt"
address = "kitchen_light_{tmp.name}"
[[devices]]
name = "front door"
kind = "lock"
protocol = "zigbee2mqtt"
address = "front_door_{tmp.name}"
""")
    return cfg


def _hearth(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli.main", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=90, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)})


def _watch(broker: Broker, topic: str) -> tuple[mqtt.Client, list[bytes]]:
    got: list[bytes] = []
    ready = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, m: got.append(bytes(m.payload))
    client.on_subscribe = lambda *_a: ready.set()
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.subscribe(topic, qos=1)
    assert ready.wait(5)
    return client, got


def test_dry_run_json_plans_device_actions_and_publishes_nothing(
        tmp_path: Path, running_broker: Broker, dead_url: str) -> None:
    cfg = _config(tmp_path, running_broker, dead_url)
    client, got = _watch(running_broker, "zigbee2mqtt/#")
    try:
        result = _hearth("--config", str(cfg), "ask", "--dry-run", "--json",
                         "unlock the front door")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["skill"] == "home" and out["tier"] == "none" and out["dry_run"] is True
        [action] = out["actions"]
        assert action["topic"] == f"zigbee2mqtt/front_door_{tmp_path.name}/set"
        assert json.loads(action["payload"]) == {"state": "UNLOCK"}
        assert action["needs_confirmation"] is True
        assert out["text"].startswith("Dry run, nothing sent")
        assert out["ledger_ids"] == []
    finally:
        client.loop_stop()
        client.disconnect()
    assert got == []


def test_device_command_publishes_with_no_model_call(
        tmp_path: Path, running_broker: Broker, dead_url: str) -> None:
    cfg = _config(tmp_path, running_broker, dead_url)
    client, got = _watch(running_broker, f"zigbee2mqtt/kitchen_light_{tmp_path.name}/set")
    try:
        result = _hearth("--config", str(cfg), "ask", "--json", "turn off the kitchen light")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["route"] == "intent" and out["tier"] == "none"
        assert out["text"] == "Kitchen light is off"
        spend = _hearth("--config", str(cfg), "spend", "--json", "--calls")
        calls = json.loads(spend.stdout)["calls"]
        assert [(c["tier"], c["cost_usd"]) for c in calls] == [("none", 0)]
    finally:
        client.loop_stop()
        client.disconnect()
    assert [json.loads(p) for p in got] == [{"state": "OFF"}]


def test_device_command_not_sent_exits_unavailable(tmp_path: Path, dead_url: str) -> None:
    """Issue 14 item 12: with the broker down the light is not switched, so `ask` must not
    exit 0; it exits 69 (EX_UNAVAILABLE, as documented) and says why."""
    down = Broker.__new__(Broker)  # only host and port are read: nothing listens there
    down.host, down.port = "127.0.0.1", free_port()
    cfg = _config(tmp_path, down, dead_url)
    result = _hearth("--config", str(cfg), "ask", "--json", "turn on the kitchen light")
    assert result.returncode == 69, (result.stdout, result.stderr)
    out = json.loads(result.stdout)
    [action] = out["actions"]
    assert action["status"] == "failed"
    assert out["text"].lower().startswith("could not switch kitchen light")
    assert "no daemon running: devices from the config only" in result.stderr
    # A request that was carried out still exits 0 (the dry run publishes nothing).
    planned = _hearth("--config", str(cfg), "ask", "--dry-run", "turn on the kitchen light")
    assert planned.returncode == 0, planned.stderr
