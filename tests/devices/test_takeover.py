"""Issue 13 on the real broker: a discovered device cannot route around the lock's confirmation,
and a malformed Zigbee2MQTT device list cannot wipe the known devices."""

from __future__ import annotations

import json
import logging

import pytest

from tests.devices.stack import HomeStack, home_stack
from tests.mqtt.client import PeerClient
from tests.support.broker import Broker

LOCK = {"friendly_name": "front_door", "type": "EndDevice", "ieee_address": "0xF00D",
        "definition": {"exposes": [{"type": "lock", "features": []}]}}
LIGHT = {"friendly_name": "kitchen_light", "type": "Router", "ieee_address": "0xA11CE",
         "definition": {"exposes": [{"type": "light", "features": [{"name": "state"}]}]}}


def _config(prefix: str, **more: object) -> dict[str, object]:
    return {"discovery": {"zigbee2mqtt_base": f"{prefix}_z2m", "confirm_timeout": 30},
            "mqtt": {"discovery_prefix": f"{prefix}_ha"}, **more}


def _porch_switch(prefix: str) -> tuple[str, str]:
    """A Home Assistant `switch` whose command topic is the front door lock's."""
    topic = f"{prefix}_ha/switch/porch/config"
    return topic, json.dumps({
        "name": "Porch Switch", "cmd_t": f"{prefix}_z2m/front_door/set",
        "pl_on": '{"state":"LOCK"}', "pl_off": '{"state":"UNLOCK"}', "uniq_id": "porch1"})


async def _handled(s: HomeStack, before: int) -> None:
    await s.wait_for(lambda: s.handled > before)


async def test_a_switch_on_the_lock_topic_is_refused_and_logged_once(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    base = f"{topic_prefix}_z2m"
    mqtt_peer.subscribe(f"{base}/+/set")
    async with home_stack(running_broker, topic_prefix, **_config(topic_prefix)) as s:
        mqtt_peer.publish(f"{base}/bridge/devices", json.dumps([LOCK]))
        await s.wait_for(lambda: s.home.registry.resolve("front door") is not None)
        caplog.clear()
        topic, config = _porch_switch(topic_prefix)
        for _ in range(3):  # re-announced: still one log line for this source
            before = s.handled
            mqtt_peer.publish(topic, config)
            await _handled(s, before)
        assert s.home.registry.resolve("porch switch") is None
        refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert len(refused) == 1, refused
        assert f"{base}/front_door/set belongs to z2m_0xf00d" in refused[0]
        reply = await s.text("HassTurnOff", name="porch switch")
        assert reply.data["ok"] is False
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.5) == []
        assert s.home.pending.pending() == []


async def test_an_early_switch_holds_an_unlock_and_then_yields_the_topic_to_the_lock(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    """The fake switch arrives before hearth knows the lock: its UNLOCK payload is held."""
    base = f"{topic_prefix}_z2m"
    mqtt_peer.subscribe(f"{base}/+/set")
    async with home_stack(running_broker, topic_prefix, **_config(topic_prefix)) as s:
        mqtt_peer.publish(*_porch_switch(topic_prefix))
        await s.wait_for(lambda: s.home.registry.resolve("porch switch") is not None)
        reply = await s.text("HassTurnOff", name="porch switch")
        action = reply.data["actions"][0]
        assert (action["status"], action["needs_confirmation"]) == ("pending", True)
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.5) == []
        # The real lock appears later and still gets its topic; the switch is refused.
        mqtt_peer.publish(f"{base}/bridge/devices", json.dumps([LOCK]))
        await s.wait_for(lambda: s.home.registry.resolve("front door") is not None)
        assert s.home.registry.resolve("porch switch") is None
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.3) == []


async def test_a_rule_on_the_fake_switch_publishes_nothing(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    base = f"{topic_prefix}_z2m"
    rules = [{"topic": f"{topic_prefix}/porch/button", "payload": "press", "action": "turn_off",
              "args": {"device": "porch switch"}}]
    mqtt_peer.subscribe(f"{base}/+/set")
    async with home_stack(running_broker, topic_prefix, rules=rules,
                          **_config(topic_prefix)) as s:
        mqtt_peer.publish(*_porch_switch(topic_prefix))
        await s.wait_for(lambda: s.home.registry.resolve("porch switch") is not None)
        mqtt_peer.publish(f"{topic_prefix}/porch/button", "press")
        await s.wait_for(lambda: bool(s.replies))
        assert s.replies[-1].data["actions"][0]["status"] == "pending"
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.5) == []
        # Once the lock is known the announcement is refused, and the rule finds no device.
        mqtt_peer.publish(f"{base}/bridge/devices", json.dumps([LOCK]))
        await s.wait_for(lambda: s.home.registry.resolve("porch switch") is None)
        mqtt_peer.publish(f"{topic_prefix}/porch/button", "press")
        await s.wait_for(lambda: len(s.replies) == 2)
        assert s.replies[-1].data["ok"] is False
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.3) == []
        assert len(s.home.pending.pending()) == 1  # only the first press, held


async def test_a_malformed_device_list_keeps_the_known_zigbee_devices(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    base = f"{topic_prefix}_z2m"
    mqtt_peer.subscribe(f"{base}/kitchen_light/set")
    async with home_stack(running_broker, topic_prefix, **_config(topic_prefix)) as s:
        mqtt_peer.publish(f"{base}/bridge/devices", json.dumps([LIGHT, LOCK]))
        await s.wait_for(lambda: s.home.registry.resolve("kitchen light") is not None)
        caplog.clear()
        caplog.set_level(logging.INFO)
        wrong_types = json.dumps([LIGHT, {"friendly_name": 7}, "lamp"])
        deep = b"[" * 30_000 + b"]" * 30_000
        huge = b"[" + b" " * (10 * 1024 * 1024) + b"]"  # 10 MB (an empty list, padded)
        for payload in (wrong_types.encode(), deep, huge):
            mqtt_peer.publish(f"{base}/bridge/devices", payload)
        await s.wait_for(lambda: s.bridge.stats.dropped_malformed == 2
                         and s.bridge.stats.dropped_oversize == 1, 20)
        assert s.bridge.stats.handler_errors == 0
        assert len(s.home.registry.devices()) == 2
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(lines) == 3, [r.getMessage() for r in lines]
        assert all("bridge/devices" in r.getMessage() for r in lines)
        assert "friendly_name is not a string); keeping the 2 known" in lines[0].getMessage()
        assert "nested deeper than" in lines[1].getMessage()
        assert not any(r.exc_info for r in caplog.records)
        assert "Traceback" not in caplog.text
        # The known light still works.
        await s.text("HassTurnOn", name="kitchen light")
        msg = await mqtt_peer.expect(f"{base}/kitchen_light/set")
        assert json.loads(msg.payload) == {"state": "ON"}


async def test_over_deep_json_on_discovery_and_state_topics_is_malformed(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Counted as malformed, at most one warning line (the bridge throttles), no traceback."""
    base = f"{topic_prefix}_z2m"
    rules = [{"topic": f"{base}/kitchen_light", "field": "action", "action": "toggle",
              "args": {"device": "kitchen light"}}]
    async with home_stack(running_broker, topic_prefix, rules=rules,
                          **_config(topic_prefix)) as s:
        mqtt_peer.publish(f"{base}/bridge/devices", json.dumps([LIGHT]))
        await s.wait_for(lambda: s.home.registry.resolve("kitchen light") is not None)
        assert await s.bridge.wait_subscribed(10)
        caplog.clear()
        deep = b"[" * 30_000 + b"]" * 30_000  # 60 kB: under the usual size limit
        for topic in (f"{topic_prefix}_ha/switch/deep/config", f"{base}/kitchen_light",
                      f"{topic_prefix}_ha/light/deeper/config"):
            mqtt_peer.publish(topic, deep)
        await s.wait_for(lambda: s.bridge.stats.dropped_malformed == 3)
        assert s.bridge.stats.handler_errors == 0
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and "nested deeper" in warnings[0].getMessage()
        assert not any(r.exc_info for r in caplog.records)
        assert s.replies == []  # the rule did not fire on a payload it could not read
