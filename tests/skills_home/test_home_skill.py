"""The home skill: hassil sentences with the registry's slot lists, then the handler."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.devices import DeviceRegistry, PendingActions, make_device_tools
from agent.errors import SkillError
from agent.plugins.contract import ActionEvent, MqttEvent, TextEvent
from skills.home import skill
from skills.home.sentences import load_intents, match
from tests.devices.stack import NoModelRouter, home_stack
from tests.mqtt.client import PeerClient
from tests.support.broker import Broker
from tests.support.skill_points import bare_services

DEVICES: list[dict[str, Any]] = [
    {"name": "kitchen light", "kind": "light", "protocol": "zigbee2mqtt", "area": "kitchen",
     "address": "kitchen_light"},
    {"name": "kitchen spots", "kind": "light", "protocol": "zigbee2mqtt", "area": "kitchen",
     "address": "kitchen_spots"},
    {"name": "kettle", "kind": "switch", "protocol": "tasmota", "area": "kitchen",
     "address": "tasmota_kettle"},
    {"name": "bedroom lamp", "aliases": ["night light"], "kind": "light",
     "protocol": "zigbee2mqtt", "area": "bedroom", "address": "bedroom_lamp"},
    {"name": "front door", "kind": "lock", "protocol": "zigbee2mqtt", "area": "hall"},
    {"name": "garage door", "kind": "garage", "protocol": "topic",
     "command_topic": "garage/door/set", "payload_on": "OPEN", "payload_off": "CLOSE"},
]


@pytest.fixture(scope="module")
def intents() -> Any:
    return load_intents()


@pytest.fixture
def registry() -> DeviceRegistry:
    return DeviceRegistry(HearthConfig.model_validate({"devices": DEVICES}))


def test_declaration_is_tier_none_with_only_the_device_tool() -> None:
    d = skill.declaration
    assert (d.name, d.tier, d.tools) == ("home", "none", ("set_device_state",))
    assert set(d.ha_intents) == {"HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition",
                                 "HassGetState", "HassClimateGetTemperature",
                                 "HassClimateSetTemperature", "HassFanSetSpeed",
                                 # hearth's own (agent/intents/hearth.py)
                                 "HearthLightUp", "HearthLightDown", "HearthStop",
                                 "HearthStopClass", "HearthEverythingOff", "HearthEverythingOn",
                                 "HearthAnyState", "HearthSensorGet", "HearthClimateGetTarget",
                                 "HearthUnknownArea", "HearthUnknownName"}
    assert d.topics == ()


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("turn off the kitchen light", "HassTurnOff", {"name": "kitchen_light"}),
    ("turn on all the lights in the kitchen", "HassTurnOn", {"area": "kitchen",
                                                             "domain": "light"}),
    ("set the bedroom lamp to 50%", "HassLightSet", {"name": "bedroom_lamp", "brightness": 50}),
    ("turn on the night light", "HassTurnOn", {"name": "bedroom_lamp"}),
    ("unlock the front door", "HassTurnOff", {"name": "front_door"}),
    ("open the garage door", "HassTurnOn", {"name": "garage_door"}),
    ("kitchen lights off", "HassTurnOff", {"area": "kitchen", "domain": "light"}),
    ("turn on the kettle", "HassTurnOn", {"name": "kettle"}),
])
def test_sentences_match_with_registry_slot_lists(
    intents: Any, registry: DeviceRegistry, text: str, intent: str, slots: dict[str, Any]
) -> None:
    found = match(text, intents, registry.slot_lists())
    assert found is not None, text
    assert found[0] == intent
    assert {k: found[1].get(k) for k in slots} == slots


@pytest.mark.parametrize("text", [
    "what's the weather like",           # HassGetWeather is filtered out
    "turn off the toaster",              # not in the registry
    "start a timer for 5 minutes",
    "turn off the lights in the attic",  # unknown area
])
def test_other_phrasing_does_not_match(intents: Any, registry: DeviceRegistry, text: str) -> None:
    assert match(text, intents, registry.slot_lists()) is None


def test_discovered_names_are_not_templates(intents: Any) -> None:
    cfg = HearthConfig.model_validate({"devices": [
        {"name": "lamp [x]", "kind": "light", "protocol": "topic", "command_topic": "a/b"}]})
    reg = DeviceRegistry(cfg)
    assert match("turn on lamp x", intents, reg.slot_lists()) is None


async def test_text_to_publish_without_a_model(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, intents: Any
) -> None:
    cfg = {"devices": DEVICES, "discovery": {"zigbee2mqtt_base": f"{topic_prefix}_z2m"}}
    mqtt_peer.subscribe(f"{topic_prefix}_z2m/+/set")
    mqtt_peer.subscribe("cmnd/tasmota_kettle/POWER")
    async with home_stack(running_broker, topic_prefix, **cfg) as s:
        lists = s.home.registry.slot_lists()

        async def say(text: str, dry_run: bool = False) -> Any:
            found = match(text, intents, lists)
            assert found is not None
            return await s.handle(TextEvent(text=text, intent=found[0], slots=found[1],
                                            dry_run=dry_run))

        reply = await say("turn off the kitchen light")
        assert reply.text == "Kitchen light is off"
        msg = await mqtt_peer.expect(f"{topic_prefix}_z2m/kitchen_light/set")
        assert json.loads(msg.payload) == {"state": "OFF"}

        reply = await say("turn on all the lights in the kitchen")
        got = {(await mqtt_peer.expect(f"{topic_prefix}_z2m/+/set")).topic for _ in range(2)}
        assert got == {f"{topic_prefix}_z2m/kitchen_light/set",
                       f"{topic_prefix}_z2m/kitchen_spots/set"}
        assert reply.text == "2 lights in the kitchen turned on"

        reply = await say("set the bedroom lamp to 50%")
        msg = await mqtt_peer.expect(f"{topic_prefix}_z2m/bedroom_lamp/set")
        assert json.loads(msg.payload) == {"state": "ON", "brightness": 127}

        # Dry run: the planned actions, nothing published.
        reply = await say("turn on the kettle", dry_run=True)
        assert reply.data["dry_run"] is True
        assert set(reply.data) == {"ok", "actions", "dry_run"}
        (action,) = reply.data["actions"]
        assert action == {**action, "device": "kettle", "desired": {"state": "on"},
                          "topic": "cmnd/tasmota_kettle/POWER", "payload": "ON",
                          "needs_confirmation": False, "status": "planned"}
        reply = await say("unlock the front door", dry_run=True)
        (action,) = reply.data["actions"]
        assert action["needs_confirmation"] is True and action["status"] == "planned"
        assert s.home.pending.pending() == []
        assert await mqtt_peer.nothing_on("#", 0.4) == []
        assert NoModelRouter.calls == 0


async def test_arguments_from_the_dispatcher_are_validated(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    for commands in ("zigbee2mqtt/#", "cmnd/#", "garage/#"):
        mqtt_peer.subscribe(commands)
    async with home_stack(running_broker, topic_prefix, devices=DEVICES) as s:
        mqtt_peer.drain()
        reply = await s.handle(TextEvent(text="switch off the toaster please",
                                         arguments={"device": "toaster", "state": "off"}))
        assert reply is not None and reply.data["ok"] is False
        assert "toaster" in reply.text
        reply = await s.handle(TextEvent(text="x", arguments={
            "device": "kettle", "state": "on", "topic": "garage/door/set"}))
        assert reply is not None and reply.data["ok"] is False
        assert "topic" in reply.text
        reply = await s.handle(TextEvent(text="x", arguments={"device": "kettle",
                                                              "state": "explode"}))
        assert reply is not None and reply.data["ok"] is False
        # Area-wide requests never sweep in sensitive devices.
        reply = await s.handle(TextEvent(text="x", arguments={"area": "hall", "state": "off"}))
        assert reply is not None and reply.data["ok"] is False
        assert await mqtt_peer.nothing_on("#", 0.4) == []
        # The garage door named directly waits for confirmation.
        reply = await s.handle(TextEvent(text="x", arguments={"device": "garage door",
                                                              "state": "on"}))
        assert reply is not None and reply.data["actions"][0]["status"] == "pending"
        assert await mqtt_peer.nothing_on("garage/#", 0.3) == []


async def test_actions_and_other_events(registry: DeviceRegistry) -> None:
    class Nowhere:
        sent: list[tuple[str, str | bytes]] = []  # noqa: RUF012

        async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                          retain: bool = False) -> None:
            self.sent.append((topic, payload))

    pub = Nowhere()
    tools = make_device_tools(registry, pub, PendingActions(60))
    ctx = bare_services("home", NoModelRouter(), {t.name: t for t in tools})
    reply = await skill.handler(ctx, ActionEvent("turn_on", {"device": "kettle"}))
    assert reply is not None and reply.text == "Kettle is on"
    assert pub.sent == [("cmnd/tasmota_kettle/POWER", "ON")]
    reply = await skill.handler(ctx, ActionEvent("explode", {"device": "kettle"}))
    assert reply is not None and reply.data["ok"] is False
    assert await skill.handler(ctx, MqttEvent("a/b", b"x")) is None
    reply = await skill.handler(ctx, TextEvent("x", intent="HassLightSet",
                                               slots={"name": "kitchen_light", "color": "red"}))
    assert reply is not None and "color" in reply.text
    bare = bare_services("home", NoModelRouter(), {})
    with pytest.raises(SkillError, match="set_device_state"):
        await skill.handler(bare, ActionEvent("toggle", {"device": "kettle"}))
    assert len(pub.sent) == 1


def test_the_core_intent_matcher_routes_home_sentences(registry: DeviceRegistry) -> None:
    """Cross-check with agent/intents.py: home's declaration plus the registry's lists."""
    intents_mod = pytest.importorskip("agent.intents", reason="intent matcher not built yet")
    plugins = pytest.importorskip("agent.plugins", reason="plugin discovery not built yet")
    skills = plugins.discover(HearthConfig())
    matcher = intents_mod.IntentMatcher(skills, slot_lists=registry.slot_lists)
    found = matcher.match("turn off the kitchen light")
    assert (found.skill, found.intent, found.slots["name"]) == (
        "home", "HassTurnOff", "kitchen_light")
    found = matcher.match("set the bedroom lamp to 50%")
    assert (found.intent, found.slots["brightness"]) == ("HassLightSet", 50)
    # An unknown name is answered ("I don't know a device called toaster"), never guessed.
    found = matcher.match("turn off the toaster")
    assert (found.intent, found.slots["hearth_unknown"]) == ("HearthUnknownName", "toaster")
    assert matcher.match("turn off the toaster and sing me a song") is None
