"""Run tests/intents/household/devices.yaml through the real daemon over the real broker.

The daemon runs as systemd runs it (`hearth --config CFG run`, tests/support/daemon_proc.py);
this side plays the devices (announcements and states) and the satellite (`<prefix>/ask`
JSON `{"id", "text", "area"}`), and collects every publish on the devices' topics until the
reply and 300 ms more.
"""

from __future__ import annotations

import json
import os
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from tests.devices import household as hh

SET = Path(__file__).resolve().parents[1] / "intents" / "household" / "devices.yaml"
SETTLE = 0.3


def load_set() -> dict[str, Any]:
    """The YAML set: `states` and `tests`."""
    return dict(yaml.safe_load(SET.read_text(encoding="utf-8")))


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def daemon_toml(sections: dict[str, Any]) -> str:
    """A config dict as TOML: tables and arrays of tables, inline values below them."""
    lines: list[str] = []
    for name, body in sections.items():
        if isinstance(body, dict):
            lines.append(f"[{name}]")
            lines += [f"{k} = {_toml(v)}" for k, v in body.items()]
        else:
            for item in body:
                lines.append(f"[[{name}]]")
                lines += [f"{k} = {_toml(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def household_config(port: int, prefix: str, state: Path) -> tuple[dict[str, Any], str]:
    """(config sections, the Zigbee2MQTT base) for the daemon."""
    base = f"{prefix}_z2m"
    sections = hh.config(base, f"{prefix}_ha")
    sections["hearth"] = {"state_dir": str(state), "log_level": "INFO"}
    sections["mqtt"] = {**sections["mqtt"], "host": "127.0.0.1", "port": port,
                        "prefix": prefix, "client_id": f"hearth-set-{os.getpid()}"}
    # No model: an unmatched phrase must fail, never reach a model.
    sections["ollama"] = {"host": f"http://127.0.0.1:{port + 1}"}
    sections["anthropic"] = {"api_key": {"env": "HEARTH_SET_NO_KEY"}}
    return sections, base


def fill(text: str, base: str) -> str:
    """Placeholders of the set replaced by this run's topics."""
    return (text.replace("{z2m}", base).replace("{ha}", base)
            .replace("{plain}", f"{base}_plain").replace("{tasmota}", hh.TASMOTA_TOPIC))


@dataclass
class Outcome:
    """What one phrase did."""

    say: str
    reply: str
    published: list[tuple[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Satellite:
    """The devices' and the satellite's side of the broker."""

    def __init__(self, port: int, prefix: str, base: str) -> None:
        self.prefix, self.base = prefix, base
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2,
                                  client_id=f"satellite-{os.getpid()}-{prefix[-12:]}")
        self.client.on_message = lambda _c, _u, m: self.inbox.put((m.topic, m.payload))
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        for pattern in (f"{prefix}/status", f"{prefix}/reply", f"{base}/#",
                        f"{base}_plain/#", f"cmnd/{hh.TASMOTA_TOPIC}/#"):
            self.client.subscribe(pattern, qos=1)

    def publish(self, topic: str, payload: bytes | str, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def messages(self, wait: float) -> Iterator[tuple[str, bytes]]:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                yield self.inbox.get(timeout=0.05)
            except queue.Empty:
                continue

    def wait_online(self, timeout: float = 60) -> None:
        for topic, payload in self.messages(timeout):
            if topic == f"{self.prefix}/status" and payload == b"online":
                return
        raise AssertionError("the daemon did not come online")

    def ask(self, index: int, say: str, area: str | None) -> Outcome:
        while not self.inbox.empty():
            self.inbox.get_nowait()
        request: dict[str, Any] = {"id": str(index), "text": say}
        if area is not None:
            request["area"] = area
        self.publish(f"{self.prefix}/ask", json.dumps(request))
        outcome = Outcome(say, "")
        answered_at: float | None = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if answered_at is not None and time.monotonic() > answered_at + SETTLE:
                break
            try:
                topic, payload = self.inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if topic == f"{self.prefix}/reply":
                doc = json.loads(payload)
                if doc.get("id") == str(index):
                    outcome.reply = str(doc.get("text", ""))
                    answered_at = time.monotonic()
            elif topic != f"{self.prefix}/status":
                text = payload.decode()
                outcome.published.append((topic, json.loads(text) if text.startswith("{")
                                           else text))
        if answered_at is None:
            outcome.problems.append("no reply")
        return outcome

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def check(entry: dict[str, Any], outcome: Outcome, base: str) -> list[str]:
    """What is wrong with `outcome` for `entry` (empty: right)."""
    problems = list(outcome.problems)
    got = sorted(json.dumps([t, p], sort_keys=True) for t, p in outcome.published)
    if "expect" in entry:
        want = sorted(json.dumps([fill(e["topic"], base), e["payload"]], sort_keys=True)
                      for e in entry["expect"])
        if got != want:
            problems.append(f"published {got}, expected {want}")
    else:
        if got:
            problems.append(f"published {got}, expected nothing")
        if "pending" in entry and ("hearth confirm" not in outcome.reply
                                   or entry["pending"] not in outcome.reply.lower()):
            problems.append(f"not held for confirmation: {outcome.reply!r}")
    if "reply_has" in entry and entry["reply_has"] not in outcome.reply:
        problems.append(f"reply {outcome.reply!r} lacks {entry['reply_has']!r}")
    return problems
