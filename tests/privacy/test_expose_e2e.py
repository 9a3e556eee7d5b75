"""A hidden device never appears in any model request, local or cloud, and still switches at
tier 0: through `open_core` with the real broker and the loopback model servers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.credentials import ApiKey
from agent.daemon.core import open_core
from agent.mqtt import MqttBridge
from agent.router import Message, ModelRequest
from tests.mqtt.client import PeerClient, make_config, peer
from tests.support import fake_ollama as fo
from tests.support.broker import Broker
from tests.support.fake_anthropic import FakeAnthropic, answer
from tests.support.fake_ollama import FakeOllama

KEY = ApiKey("sk-ant-api03-" + "p" * 40)


@pytest.fixture
def mqtt_peer(running_broker: Broker) -> Iterator[PeerClient]:
    yield from peer(running_broker)


async def test_a_hidden_device_reaches_no_model_but_switches_at_tier_zero(  # noqa: PLR0917 - fixtures
        running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, state_dir: Path,
        fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic) -> None:
    command = f"{topic_prefix}/dev/bedroom_lamp/set"
    cfg = make_config(
        running_broker, topic_prefix,
        hearth={"state_dir": str(state_dir)},
        ollama={"host": fake_ollama.url, "timeout": 5},
        anthropic={"base_url": fake_anthropic.url, "timeout": 5},
        budget={"daily_usd": "1", "monthly_usd": "5"},
        devices=[{"name": "bedroom lamp", "aliases": ["reading light"], "area": "bedroom",
                  "kind": "light", "command_topic": command},
                 {"name": "kitchen light", "area": "kitchen", "kind": "light",
                  "command_topic": f"{topic_prefix}/dev/kitchen/set"}],
        privacy={"hide": {"devices": ["bedroom lamp"]}})
    bridge = MqttBridge(cfg)
    async with open_core(cfg, state_dir, bridge=bridge, api_key=KEY) as core:
        await bridge.start()
        assert await bridge.wait_connected(10)
        try:
            mqtt_peer.subscribe(command)
            # Free text goes to the local dispatcher: the hidden name is blanked out.
            fake_ollama.script(fo.answer(json.dumps({"skill": "none",
                                                     "answer": "Try a dimmer setting."})))
            await core.dispatcher.handle_text("is the Bedroom Lamp too bright for reading")
            # A direct deep-tier question naming it (as `hearth ask --tier deep`).
            fake_anthropic.script(answer("Maybe."))
            await core.router.complete(ModelRequest(
                skill="ask", messages=[Message("user", "should the reading light stay on?")]),
                "deep")
            bodies = [*fake_ollama.chat_bodies, *fake_anthropic.message_bodies]
            assert len(bodies) == 2
            for body in bodies:
                text = json.dumps(body).lower()
                assert "bedroom lamp" not in text and "reading light" not in text
                assert "[hidden device]" in text
            # Tier 0: the hassil sentence and the home skill never read exposure.
            asked = len(fake_ollama.requests)
            reply = await core.dispatcher.handle_text("turn off the bedroom lamp")
            message = await mqtt_peer.expect(command)
            assert message.payload == b"OFF", reply.text
            assert len(fake_ollama.requests) == asked
            now = datetime.now(UTC)
            rows = await core.ledger.calls_between(now - timedelta(hours=1),
                                                   now + timedelta(hours=1))
            assert rows[-1].tier == "none" and rows[-1].skill == "home"
        finally:
            await bridge.stop()
