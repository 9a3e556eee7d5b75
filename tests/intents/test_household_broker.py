"""The household phrasings through the real daemon over the real broker.

`hearth run` runs as a child (as systemd runs it) with tests/intents/household/matching.yaml's
devices; each phrase goes to `<prefix>/ask` as JSON {"id", "text", "area"}; every publish on
a device command topic until the reply and 300 ms after it is collected. Each phrase must
publish exactly what it expects, never on a sensitive device's topic, and a sensitive
request must be answered as pending.
"""

from __future__ import annotations

import itertools
import json
import queue
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.broker import Broker
from tests.support.daemon_proc import DaemonProcess

HOUSEHOLD = Path(__file__).parent / "household" / "matching.yaml"
SETTLE_S = 0.3


def _toml(value: Any) -> str:
    return json.dumps(value)  # a JSON string or number is a TOML one


def daemon_config(broker: Broker, prefix: str, state: Path, doc: dict[str, Any]) -> str:
    lines = ["[hearth]", f"state_dir = {_toml(str(state))}", 'log_level = "INFO"',
             "[mqtt]", 'host = "127.0.0.1"', f"port = {broker.port}", f"prefix = {_toml(prefix)}",
             "[ollama]", f'host = "http://127.0.0.1:{broker.port + 1}"',
             "[anthropic]", 'api_key = { env = "HEARTH_TEST_NO_KEY" }',
             "[discovery]", "homeassistant = false", "tasmota = false"]
    for section in ("devices", "areas", "satellites"):
        for entry in doc.get(section) or []:
            lines.append(f"[[{section}]]")
            lines += [f"{key} = {_toml(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


def command_topics(devices: list[dict[str, Any]]) -> dict[str, str]:
    """Device name -> the topic its commands go to."""
    return {d["name"]: d.get("command_topic") or f"zigbee2mqtt/{d['address']}/set"
            for d in devices}


class Listener:
    """The devices' side: every command publish, and the replies."""

    def __init__(self, broker: Broker, prefix: str) -> None:
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"household-{prefix}")
        self.client.on_message = lambda _c, _u, m: self.inbox.put((m.topic, m.payload))
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        for topic in ("zigbee2mqtt/+/set", "home/#", f"{prefix}/reply", f"{prefix}/status"):
            self.client.subscribe(topic, qos=1)

    def until(self, want: Any, timeout: float) -> list[tuple[str, bytes]]:
        """Messages until `want(topic, payload)` is true (included), then SETTLE_S more."""
        got: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        while time.monotonic() < (settle_until or deadline):
            try:
                topic, payload = self.inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            got.append((topic, payload))
            if settle_until is None and want(topic, payload):
                settle_until = time.monotonic() + SETTLE_S
        return got

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.mark.slow
def test_household_phrases_over_the_broker(running_broker: Broker, tmp_path: Path) -> None:
    doc = yaml.safe_load(HOUSEHOLD.read_text())
    devices, phrases = doc["devices"], doc["phrases"]
    prefix = "household"
    state = tmp_path / "state"
    state.mkdir()
    cfg = tmp_path / "config.toml"
    cfg.write_text(daemon_config(running_broker, prefix, state, doc))
    topics = command_topics(devices)
    sensitive = {topics[d["name"]] for d in devices if d["kind"] in ("lock", "garage")}
    listener = Listener(running_broker, prefix)
    daemon = DaemonProcess(cfg, tmp_path)
    failures: list[str] = []
    try:
        listener.until(lambda t, p: t == f"{prefix}/status" and p == b"online", 60)
        for n, phrase in zip(itertools.count(), phrases, strict=False):
            request = {"id": str(n), "text": phrase["say"]}
            for key in ("area", "satellite"):
                if key in phrase:
                    request[key] = phrase[key]
            listener.client.publish(f"{prefix}/ask", json.dumps(request), qos=1)
            got = listener.until(lambda t, p, n=n: t == f"{prefix}/reply"
                                 and json.loads(p).get("id") == str(n), 15)
            replies = [json.loads(p) for t, p in got if t == f"{prefix}/reply"]
            ours = (f"{prefix}/reply", f"{prefix}/status")
            sent = sorted((t, p.decode()) for t, p in got if t not in ours)
            want = sorted((e["topic"], e["payload"]) for e in phrase.get("expect") or [])
            problem = _check(phrase, sent, want, replies, sensitive)
            if problem:
                failures.append(f"{phrase['say']!r} (area {phrase.get('area')}): {problem}")
    finally:
        listener.close()
        daemon.close()
    assert failures == [], "\n".join(failures)


def _check(phrase: dict[str, Any], sent: list[tuple[str, str]], want: list[tuple[str, str]],
           replies: list[dict[str, Any]], sensitive: set[str]) -> str | None:
    if not replies:
        return "no reply"
    if any(topic in sensitive for topic, _ in sent):
        return f"published on a sensitive topic: {sent}"
    if sent != want:
        return f"sent {sent}, expected {want}; reply {replies[0].get('text')!r}"
    if "pending" in phrase:
        actions = replies[0].get("data", {}).get("actions", [])
        held = [a for a in actions if a.get("status") == "pending"]
        if [a.get("name") for a in held] != [phrase["pending"]]:
            return f"expected {phrase['pending']!r} pending; reply {replies[0]}"
    return None
