"""Registry, adapters, pending actions and rules without a broker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.config.home import RuleSection
from agent.devices import DesiredState, DeviceRegistry, PendingActions, RuleMatcher
from agent.errors import ConfigError, DeviceError


def registry(devices: list[dict[str, Any]], **extra: Any) -> DeviceRegistry:
    return DeviceRegistry(HearthConfig.model_validate({"devices": devices, **extra}))


def test_resolve_by_name_alias_case_and_the() -> None:
    reg = registry([{"name": "Kitchen Light", "aliases": ["Big Lamp"], "kind": "light",
                     "protocol": "zigbee2mqtt", "area": "Kitchen"}])
    for spoken in ("kitchen light", "The Kitchen  Light", "big lamp", "kitchen_light"):
        device = reg.resolve(spoken)
        assert device is not None and device.id == "kitchen_light", spoken
    assert reg.resolve("toaster") is None
    assert [d.id for d in reg.in_area("the kitchen", "light")] == ["kitchen_light"]
    assert reg.in_area("kitchen", "switch") == []
    assert reg.areas() == ["kitchen"]


def test_config_errors_are_reported_together() -> None:
    with pytest.raises(ConfigError) as err:
        registry([{"name": "a", "protocol": "topic"},
                  {"name": "b", "protocol": "tasmota"},
                  {"name": "c", "protocol": "topic", "command_topic": "x/+/set"},
                  {"name": "d", "protocol": "topic", "command_topic": "d"},
                  {"name": "D", "protocol": "topic", "command_topic": "d2"}])
    text = str(err.value)
    for where in ("devices[0].command_topic", "devices[1].address",
                  "devices[2].command_topic", "devices[4].name"):
        assert where in text


def test_config_wins_over_discovery_and_subscribes_state_topics() -> None:
    subscribed: list[str] = []
    reg = DeviceRegistry(HearthConfig.model_validate({
        "devices": [{"name": "porch", "kind": "light", "protocol": "zigbee2mqtt",
                     "address": "porch_light", "area": "outside"}]}),
        subscribe=subscribed.append)
    assert "zigbee2mqtt/porch_light" in subscribed
    reg.handle_message("zigbee2mqtt/bridge/devices", json.dumps([
        {"friendly_name": "porch_light", "ieee_address": "0x1",
         "definition": {"exposes": [{"type": "light"}]}},
        {"friendly_name": "shed", "ieee_address": "0x2",
         "definition": {"exposes": [{"type": "switch"}]}}]).encode())
    assert sorted(d.name for d in reg.devices()) == ["porch", "shed"]
    assert "zigbee2mqtt/shed" in subscribed
    porch = reg.resolve("porch")
    assert porch is not None and porch.area == "outside"
    assert reg.handle_message("zigbee2mqtt/porch_light", b'{"state":"ON","linkquality":80}')
    state = reg.state(porch.id)
    assert state is not None and state.values == {"state": "on", "linkquality": 80}
    assert reg.handle_message("zigbee2mqtt/porch_light/availability", b'{"state":"offline"}')
    assert reg.state(porch.id).available is False  # type: ignore[union-attr]
    assert not reg.handle_message("unrelated/topic", b"x")
    with pytest.raises(ValueError):  # noqa: PT011
        reg.handle_message("zigbee2mqtt/porch_light", b"not json")


def test_plans_per_protocol() -> None:
    reg = registry([
        {"name": "z", "kind": "light", "protocol": "zigbee2mqtt", "address": "z1"},
        {"name": "zl", "kind": "lock", "protocol": "zigbee2mqtt"},
        {"name": "t", "kind": "light", "protocol": "tasmota", "address": "tas"},
        {"name": "p", "kind": "switch", "protocol": "topic", "command_topic": "p/cmd",
         "payload_on": "up", "payload_off": "down"},
        {"name": "s", "kind": "sensor", "protocol": "topic", "state_topic": "s/state"},
    ])

    def plan(name: str, **desired: Any) -> tuple[str, str, bool]:
        device = reg.resolve(name)
        assert device is not None
        c = reg.plan(device, DesiredState(**desired))
        assert (c.qos, c.retain) == (1, False)
        return c.topic, c.payload, c.needs_confirmation

    assert plan("z", action="toggle") == ("zigbee2mqtt/z1/set", '{"state":"TOGGLE"}', False)
    assert plan("z", action="on", brightness=100) == (
        "zigbee2mqtt/z1/set", '{"state":"ON","brightness":254}', False)
    assert plan("z", action="off", brightness=0) == ("zigbee2mqtt/z1/set", '{"state":"OFF"}',
                                                     False)
    assert plan("zl", action="off") == ("zigbee2mqtt/zl/set", '{"state":"UNLOCK"}', True)
    assert plan("t", action="off") == ("cmnd/tas/POWER", "OFF", False)
    assert plan("t", action="on", brightness=30) == ("cmnd/tas/Dimmer", "30", False)
    assert plan("p", action="on") == ("p/cmd", "up", False)
    p = reg.resolve("p")
    s = reg.resolve("s")
    zl = reg.resolve("zl")
    assert p is not None and s is not None and zl is not None
    with pytest.raises(DeviceError, match="dimmed"):
        reg.plan(p, DesiredState("on", brightness=20))
    with pytest.raises(DeviceError, match="sensor"):
        reg.plan(s, DesiredState("on"))
    with pytest.raises(DeviceError, match="toggled"):
        reg.plan(zl, DesiredState("toggle"))
    assert reg.is_command_topic("p/cmd") and reg.is_command_topic("cmnd/tas/Dimmer")
    assert not reg.is_command_topic("p/state")


def test_pending_actions_expire_and_confirm_once() -> None:
    """Ids are now 20 letters in groups of five (99 bits, issue 13), not 6: typed back in
    any case, with or without dashes, they still confirm once."""
    now = [0.0]
    reg = registry([{"name": "door", "kind": "lock", "protocol": "zigbee2mqtt"}])
    door = reg.resolve("door")
    assert door is not None
    pending = PendingActions(60, clock=lambda: now[0])
    desired = DesiredState("off")
    first = pending.create(door, desired, reg.plan(door, desired))
    second = pending.create(door, desired, reg.plan(door, desired))
    assert first.id != second.id and len(first.id.replace("-", "")) == 20
    assert pending.confirm("nope") is None
    assert pending.confirm(first.id[:-1] + "z" if first.id[-1] != "z" else first.id[:-1] + "y") \
        is None
    got = pending.confirm(first.id.upper().replace("-", " "))
    assert got is not None and got.command.payload == '{"state":"UNLOCK"}'
    assert pending.confirm(first.id) is None
    now[0] = 60.0
    assert pending.confirm(second.id) is None
    assert pending.pending() == []


def test_watchers_see_each_new_pending_action_and_a_broken_one_loses_nothing() -> None:
    reg = registry([{"name": "door", "kind": "lock", "protocol": "zigbee2mqtt"}])
    door = reg.resolve("door")
    assert door is not None
    pending = PendingActions(60)
    seen: list[str] = []

    def broken(_action: object) -> None:
        raise RuntimeError("notifier down")

    pending.watchers.extend([broken, lambda action: seen.append(action.id)])
    desired = DesiredState("off")
    held = pending.create(door, desired, reg.plan(door, desired))
    assert seen == [held.id]
    assert pending.confirm(held.id) is not None


def test_rules_match_topic_payload_and_field() -> None:
    rules = RuleMatcher([
        RuleSection(topic="z2m/+/action", payload="single", action="toggle",
                    args={"device": "a"}),
        RuleSection(topic="z2m/button", field="action", equals="single", action="toggle",
                    args={"device": "b"}),
        RuleSection(topic="z2m/button", field="contact.open", action="turn_on",
                    args={"device": "c"}),
    ])
    assert rules.topics() == ["z2m/+/action", "z2m/button"]
    assert [h.args["device"] for h in rules.match("z2m/x/action", b" single ")] == ["a"]
    assert rules.match("z2m/x/action", b"double") == []
    assert [h.args["device"] for h in rules.match("z2m/button", b'{"action":"single"}')] == ["b"]
    hits = rules.match("z2m/button", b'{"action":"hold","contact":{"open":false}}')
    assert [h.action for h in hits] == ["turn_on"]
    assert rules.match("z2m/button", b'{"action":"single"}', retain=True) == []
    for garbage in (b"\xff\xfe", b"{", b"[]", b"null"):
        assert rules.match("z2m/button", garbage) == []


def test_rule_equals_without_field_is_a_config_error() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="needs `field`"):
        RuleSection(topic="a/b", equals="single", action="toggle")


async def test_control_confirm_handler_refuses_bad_args() -> None:
    from agent.devices import HomeService
    from agent.mqtt import MqttBridge

    config = HearthConfig()
    home = HomeService(config, MqttBridge(config))
    assert (await home.control_confirm({}))["ok"] is False
    assert (await home.control_confirm({"nonce": 5}))["ok"] is False
    result = await home.control_confirm({"nonce": "abc123"})
    assert result == {"ok": False, "error": "no pending action 'abc12' (unknown, already used "
                                           "or expired)"}


async def test_stale_triggers_fire_no_rule() -> None:
    import time

    from agent.devices import HomeService, RuleHit
    from agent.mqtt import MessageMeta, MqttBridge

    config = HearthConfig.model_validate({"rules": [
        {"topic": "b/1", "payload": "press", "action": "toggle", "args": {"device": "x"}}]})
    fired: list[RuleHit] = []

    async def run(hit: RuleHit) -> None:
        fired.append(hit)

    home = HomeService(config, MqttBridge(config), run_action=run)
    now = time.monotonic()
    assert await home.handle_message("b/1", b"press", MessageMeta(received_at=now - 60))
    assert fired == []
    assert await home.handle_message("b/1", b"press", MessageMeta(received_at=now))
    assert [h.action for h in fired] == ["toggle"]


async def test_dry_run_without_a_broker_plans_and_never_sends() -> None:
    from agent.devices import OfflinePublisher, make_device_tools

    reg = registry([{"name": "kettle", "kind": "switch", "protocol": "tasmota",
                     "address": "tk"}])
    (tool,) = make_device_tools(reg, OfflinePublisher(), PendingActions(60))
    planned = (await tool.handler({"device": "kettle", "state": "on", "dry_run": True})).data
    assert planned["ok"] and planned["actions"][0]["status"] == "planned"
    assert planned["actions"][0]["topic"] == "cmnd/tk/POWER"
    live = (await tool.handler({"device": "kettle", "state": "on"})).data
    assert not live["ok"] and "no MQTT broker" in live["actions"][0]["error"]
