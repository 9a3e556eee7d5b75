"""A device hidden by `[privacy.hide]` never reaches any model request, local or cloud, and
still switches at tier 0: through a real `hearth run`, the real broker and the loopback model
servers, reading every recorded request body.

The fake models call the read-only context tools (device states, history), so the bodies hold
the tool results as well as the home summary the skills put up front; the visible device shows
up there, which proves the bodies are the ones that would carry the hidden one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from tests.daemon.test_assistant_e2e import CHOOSER, KEY, KEY_ENV, Asker, write_config
from tests.support import fake_anthropic as fa
from tests.support import fake_ollama as fo
from tests.support.broker import Broker
from tests.support.daemon_proc import DaemonProcess
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama
from tests.support.model_fixtures import HttpRequest

HIDDEN = "nightstand lamp"
HIDDEN_ALIAS = "reading light"
# Hidden by its area, so the area name must not leak either (the redaction guard only
# blanks names; the area leaks if the context tools stop filtering).
HIDDEN_AREA = "nursery"
VISIBLE = "kitchen light"


def privacy_config(hidden_topic: str, prefix: str) -> str:
    """The hidden device, both devices' states, and the privacy sections."""
    return f"""
state_topic = "{prefix}_dev/kitchen/state"
[[devices]]
name = "{HIDDEN}"
aliases = ["{HIDDEN_ALIAS}"]
kind = "light"
protocol = "topic"
area = "{HIDDEN_AREA}"
command_topic = "{hidden_topic}"
state_topic = "{prefix}_dev/{HIDDEN_AREA}/state"
payload_on = "ON"
payload_off = "OFF"
[privacy]
cloud_scopes = ["utterance", "conversation", "news", "lists", "spend", "devices", "states",
                "history"]
[privacy.hide]
areas = ["{HIDDEN_AREA}"]
"""


def ollama_script(request: HttpRequest) -> Any:
    """The chooser picks the assistant; the assistant reads states and history, then answers."""
    messages = request.json.get("messages", [])
    system = messages[0]["content"] if messages and messages[0]["role"] == "system" else ""
    if system.startswith(CHOOSER):
        return fo.answer(json={"skill": "assistant", "arguments": {}})
    if messages and messages[-1]["role"] == "tool":
        return fo.answer("The lights are fine.")
    return fo.answer(tool_calls=[fo.tool_call("device_states", {}),
                                 fo.tool_call("state_history", {"hours": 24})])


def claude_script(request: HttpRequest) -> Any:
    """The advisor reads the device states once, then answers."""
    last = request.json["messages"][-1]
    content = last.get("content")
    if isinstance(content, list) and any(b.get("type") == "tool_result" for b in content):
        return fa.answer("Turn things off at night.")
    return fa.answer(tool_uses=[fa.tool_use("device_states", {})])


class Watcher:
    """An MQTT client that records what is published on one topic."""

    def __init__(self, broker: Broker, topic: str) -> None:
        self.payloads: list[bytes] = []
        self.got = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        ready = threading.Event()
        self.client.on_subscribe = lambda *_a: ready.set()
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        self.client.subscribe(topic, qos=1)
        assert ready.wait(5)

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self.payloads.append(bytes(msg.payload))
        self.got.set()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def publish_retained(broker: Broker, topic: str, payload: str) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def ledger(tmp: Path) -> list[tuple[str, str]]:
    """(skill, tier_used) of every ledger row, oldest first."""
    con = sqlite3.connect(tmp / "state" / "ledger.db")
    try:
        return [(str(s), str(t)) for s, t in con.execute(
            "SELECT skill, tier_used FROM ledger_call ORDER BY created_at")]
    finally:
        con.close()


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[list[DaemonProcess]]:
    started: list[DaemonProcess] = []
    yield started
    for proc in started:
        proc.close()


def test_a_hidden_device_reaches_no_model_in_the_daemon_and_switches_at_tier_zero(  # noqa: PLR0917 - fixtures
    tmp_path: Path, running_broker: Broker, topic_prefix: str, daemon: list[DaemonProcess],
    fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic,
) -> None:
    hidden_topic = f"{topic_prefix}_dev/{HIDDEN_AREA}/set"
    cfg = write_config(tmp_path, running_broker, topic_prefix, ollama=fake_ollama.url,
                       claude=fake_anthropic.url,
                       extra=privacy_config(hidden_topic, topic_prefix))
    publish_retained(running_broker, f"{topic_prefix}_dev/kitchen/state", "ON")
    publish_retained(running_broker, f"{topic_prefix}_dev/{HIDDEN_AREA}/state", "ON")
    fake_ollama.set_responder(ollama_script)
    fake_anthropic.set_responder(claude_script)
    proc = DaemonProcess(cfg, tmp_path, extra_env={KEY_ENV: KEY})
    daemon.append(proc)
    proc.notify.wait_for("READY", "1", timeout=30)
    proc.wait_for_log("connected", timeout=15)
    asker = Asker(running_broker, topic_prefix)
    watcher = Watcher(running_broker, hidden_topic)
    try:
        # 1. A question that does not name the hidden device: chooser, then the assistant
        #    (local) with the home summary up front and two context tools called.
        reply = asker.ask(json.dumps({"text": "Which lights are on right now?"}))
        assert (reply["data"]["skill"], reply["data"]["tier"]) == ("assistant", "local"), reply
        local = list(fake_ollama.chat_bodies)
        assert len(local) == 3  # chooser, assistant, assistant after the tool results

        # 2. An explicit cue: the advisor on Claude, with devices and states allowed to go.
        reply = asker.ask(json.dumps({"text": "Ask Claude: how can we save energy at home?"}))
        assert (reply["data"]["skill"], reply["data"]["tier"]) == ("advisor", "deep"), reply
        cloud = list(fake_anthropic.message_bodies)
        assert len(cloud) == 2  # the question, then the tool result

        # Nothing of the hidden device in any body; the visible device where devices go.
        for body in (*local, *cloud):
            text = json.dumps(body).lower()
            for leak in (HIDDEN, HIDDEN_ALIAS, HIDDEN_AREA, hidden_topic.lower(),
                         "[hidden device]"):
                assert leak not in text, f"{leak!r} reached a model: {text[:2000]}"
        _chooser, assistant, assistant_after_tools = (json.dumps(b).lower() for b in local)
        assert VISIBLE in assistant  # the home summary
        assert assistant_after_tools.count(VISIBLE) > assistant.count(VISIBLE)  # the tools
        advisor, advisor_after_tools = (json.dumps(b).lower() for b in cloud)
        assert VISIBLE in advisor
        assert advisor_after_tools.count(VISIBLE) > advisor.count(VISIBLE)

        # 3. A question naming it: the last guard blanks the name out of the request.
        reply = asker.ask(json.dumps({"text": f"Is the {HIDDEN} too bright for reading?"}))
        assert reply["data"]["skill"] == "assistant", reply
        named = fake_ollama.chat_bodies[len(local):]
        assert named
        for body in named:
            text = json.dumps(body).lower()
            assert HIDDEN not in text and HIDDEN_AREA not in text
        assert "[hidden device]" in json.dumps(named[1]).lower()
        assert len(fake_anthropic.message_bodies) == len(cloud)

        # 4. Tier 0: "turn off <hidden device>" switches it, with no model request at all.
        asked = (len(fake_ollama.requests), len(fake_anthropic.requests))
        reply = asker.ask(json.dumps({"text": f"turn off the {HIDDEN}"}))
        assert watcher.got.wait(10), f"nothing on {hidden_topic}: {reply}"
        assert watcher.payloads == [b"OFF"]
        assert (len(fake_ollama.requests), len(fake_anthropic.requests)) == asked
        assert ledger(tmp_path)[-1] == ("home", "none")
    finally:
        watcher.close()
        asker.close()
