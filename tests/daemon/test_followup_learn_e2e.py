"""Follow-ups and learning through a real `hearth run`, the real broker and a loopback Ollama.

The dispatcher's hooks: earlier turns into the chooser, `recall` before it, `observe` after a
model-resolved command.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tests.control.test_approval_daemon import hearth, wait_until
from tests.support.broker import Broker
from tests.support.daemon_proc import DaemonProcess
from tests.support.fake_ollama import FakeOllama, answer
from tests.support.model_fixtures import HttpRequest

CHOICES = {
    "and in the bedroom?": {"device": "bedroom lamp", "state": "on"},
    "could you get the kettle going": {"device": "kettle", "state": "on"},
    "kettle time": {"device": "kettle", "state": "on"},
    "let me in": {"device": "front door", "state": "off"},  # unlock: needs confirmation
}


def _config(tmp: Path, broker: Broker, prefix: str, ollama: str, extra: str = "") -> Path:
    def light(name: str, slug: str, area: str) -> str:
        return (f'[[devices]]\nname = "{name}"\nkind = "light"\nprotocol = "topic"\n'
                f'area = "{area}"\ncommand_topic = "{prefix}_dev/{slug}/set"\n')

    cfg = tmp / "config.toml"
    cfg.write_text(f"""
[hearth]
state_dir = "{tmp / 'state'}"
[mqtt]
host = "{broker.host}"
port = {broker.port}
prefix = "{prefix}"
discovery_prefix = "{prefix}_ha"
[ollama]
host = "{ollama}"
[anthropic]
api_key = {{ env = "HEARTH_TEST_NO_KEY" }}
[discovery]
zigbee2mqtt_base = "{prefix}_z2m"
{extra}
{light("kitchen light", "kitchen", "kitchen")}
{light("bedroom lamp", "bedroom", "bedroom")}
[[devices]]
name = "kettle"
kind = "switch"
protocol = "topic"
area = "kitchen"
command_topic = "{prefix}_dev/kettle/set"

[[devices]]
name = "front door"
kind = "lock"
protocol = "topic"
command_topic = "{prefix}_dev/front_door/set"
payload_on = "LOCK"
payload_off = "UNLOCK"
""")
    return cfg


def _is_chooser(body: dict[str, Any]) -> bool:
    return any(m.get("role") == "system" and "Arguments schema" in m.get("content", "")
               for m in body.get("messages", []))


def _respond(request: HttpRequest) -> Any:
    body = request.json
    if _is_chooser(body):
        text = body["messages"][-1]["content"]
        for phrase, arguments in CHOICES.items():
            if phrase in text:
                return answer(json={"skill": "home", "arguments": arguments})
    return answer("I do not know.")


class Client:
    """An MQTT v5 requester: asks on <prefix>/ask, optionally with a response topic."""

    def __init__(self, broker: Broker, prefix: str) -> None:
        self.prefix = prefix
        self.seen: list[tuple[str, bytes]] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = lambda _c, _u, m: self.seen.append((m.topic, bytes(m.payload)))
        ready = threading.Event()
        self.client.on_subscribe = lambda *_a: ready.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        self.client.subscribe("#", qos=1)
        assert ready.wait(5)

    def on(self, topic: str) -> list[bytes]:
        return [p for t, p in list(self.seen) if t == topic]

    def ask(self, text: str, response_topic: str | None = None) -> bytes:
        reply_topic = response_topic or f"{self.prefix}/reply"
        before = len(self.on(reply_topic))
        props = None
        if response_topic is not None:
            props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            props.ResponseTopic = response_topic
        self.client.publish(f"{self.prefix}/ask", text, qos=1, properties=props)
        wait_until(lambda: len(self.on(reply_topic)) > before, timeout=20)
        return self.on(reply_topic)[before]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Any]:
    started: list[DaemonProcess] = []

    def start(cfg: Path) -> DaemonProcess:
        proc = DaemonProcess(cfg, tmp_path)
        started.append(proc)
        proc.notify.wait_for("READY", "1", timeout=30)
        proc.wait_for_log("connected", timeout=15)
        return proc

    yield start
    for proc in started:
        proc.close()


def _db_rows(tmp: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(tmp / "state" / "ledger.db") as conn:
        return list(conn.execute(sql))


def _text_of(body: dict[str, Any]) -> str:
    return json.dumps(body.get("messages", []))


def test_a_follow_up_carries_the_previous_turn_and_expires(
        tmp_path: Path, running_broker: Broker, topic_prefix: str, fake_ollama: FakeOllama,
        daemon: Any) -> None:
    fake_ollama.set_responder(_respond)
    cfg = _config(tmp_path, running_broker, topic_prefix, fake_ollama.url,
                  "[ask]\nfollow_up_minutes = 0.2\n")
    daemon(cfg)
    client = Client(running_broker, topic_prefix)
    try:
        mine, other = f"{topic_prefix}_phone/a", f"{topic_prefix}_phone/b"
        client.ask("turn on the kitchen light", mine)  # tier 0: no model call
        assert fake_ollama.chat_bodies == []
        client.ask("and in the bedroom?", mine)
        [chooser] = [b for b in fake_ollama.chat_bodies if _is_chooser(b)]
        assert "turn on the kitchen light" in _text_of(chooser)
        assert "and in the bedroom?" in _text_of(chooser)
        wait_until(lambda: client.on(f"{topic_prefix}_dev/bedroom/set"))

        client.ask("and in the bedroom?", other)  # another requester: no earlier turns
        last = [b for b in fake_ollama.chat_bodies if _is_chooser(b)][-1]
        assert "kitchen light" not in _text_of(last)

        # The CLI: `--continue` carries this user's last exchange, a plain ask starts afresh.
        asked = hearth("--config", str(cfg), "ask", "turn on the kitchen light")
        assert asked.returncode == 0, asked.stderr
        n = len(fake_ollama.chat_bodies)
        follow = hearth("--config", str(cfg), "ask", "--continue", "and in the bedroom?")
        assert follow.returncode == 0, follow.stderr
        [cli_chooser] = fake_ollama.chat_bodies[n:]
        assert "turn on the kitchen light" in _text_of(cli_chooser)
        fresh = hearth("--config", str(cfg), "ask", "and in the bedroom?")
        assert fresh.returncode == 0, fresh.stderr
        assert "kitchen light" not in _text_of(fake_ollama.chat_bodies[-1])

        status = hearth("--config", str(cfg), "status", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["questions"]["dispatcher"] == {"tier": "local",
                                                                        "cloud": False}
        # 12 s after the last turn the timer deletes it: no text outlives the conversation.
        wait_until(lambda: _db_rows(tmp_path, "SELECT count(*) FROM conversation_turn")
                   == [(0,)], timeout=40)
    finally:
        client.close()


def test_an_accepted_phrasing_is_tier_0_and_a_lock_is_never_learnt_by_itself(
        tmp_path: Path, running_broker: Broker, topic_prefix: str, fake_ollama: FakeOllama,
        daemon: Any) -> None:
    fake_ollama.set_responder(_respond)
    cfg = _config(tmp_path, running_broker, topic_prefix, fake_ollama.url,
                  "[learn]\nauto_accept_after = 2\n")
    daemon(cfg)
    client = Client(running_broker, topic_prefix)
    kettle = f"{topic_prefix}_dev/kettle/set"
    try:
        client.ask("could you get the kettle going")
        wait_until(lambda: len(client.on(kettle)) == 1)
        listed = hearth("--config", str(cfg), "learn", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        [row] = json.loads(listed.stdout)["learned"]
        assert (row["phrase"], row["count"], row["status"]) == (
            "could you get the kettle going", 1, "candidate")
        accepted = hearth("--config", str(cfg), "learn", "accept", str(row["id"]))
        assert accepted.returncode == 0, accepted.stderr

        calls = len(fake_ollama.chat_bodies)
        none_rows = len(_db_rows(tmp_path, "SELECT id FROM ledger_call WHERE tier_used='none'"))
        client.ask("Could you get the kettle going?")
        wait_until(lambda: len(client.on(kettle)) == 2)
        assert len(fake_ollama.chat_bodies) == calls  # no model call
        wait_until(lambda: len(_db_rows(
            tmp_path, "SELECT id FROM ledger_call WHERE tier_used='none'")) == none_rows + 1)

        # auto_accept_after = 2: an ordinary phrasing is learnt by itself...
        for _ in range(2):
            client.ask("kettle time")
        calls = len(fake_ollama.chat_bodies)
        client.ask("kettle time")
        assert len(fake_ollama.chat_bodies) == calls
        # ...a lock never is: each time the model resolves it again, and it waits to confirm.
        for _ in range(3):
            calls = len(fake_ollama.chat_bodies)
            client.ask("let me in")
            assert len(fake_ollama.chat_bodies) == calls + 1
        rows = json.loads(hearth("--config", str(cfg), "learn", "list", "--all",
                                 "--json").stdout)["learned"]
        lock = next(r for r in rows if r["phrase"] == "let me in")
        assert (lock["sensitive"], lock["status"]) == (True, "candidate")
        assert next(r for r in rows if r["phrase"] == "kettle time")["accepted_by"] == "auto"
        time.sleep(0.5)
        assert client.on(f"{topic_prefix}_dev/front_door/set") == []
    finally:
        client.close()
