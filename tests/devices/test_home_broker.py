"""Devices end to end on the real broker: discovery, commands, confirmation, rules, floods."""

from __future__ import annotations

import asyncio
import json

from tests.devices.stack import NoModelRouter, home_stack
from tests.mqtt.client import PeerClient
from tests.support.broker import Broker

Z2M_DEVICES = [
    {"friendly_name": "Coordinator", "type": "Coordinator", "ieee_address": "0x00"},
    {"friendly_name": "kitchen_light", "type": "Router", "ieee_address": "0x0017880103",
     "supported": True, "definition": {"exposes": [{"type": "light", "features": [
         {"name": "state"}, {"name": "brightness"}]}]}},
    {"friendly_name": "front door", "type": "EndDevice", "ieee_address": "0x0017880104",
     "supported": True, "definition": {"exposes": [{"type": "lock", "features": []}]}},
    {"friendly_name": "hall button", "type": "EndDevice", "ieee_address": "0x0017880105",
     "supported": True, "definition": {"exposes": [{"type": "enum", "name": "action"}]}},
]


def _config(prefix: str, **mqtt: object) -> dict[str, object]:
    return {
        "discovery": {"zigbee2mqtt_base": f"{prefix}_z2m", "confirm_timeout": 30},
        "mqtt": {"discovery_prefix": f"{prefix}_ha", **mqtt},
    }


async def test_zigbee2mqtt_discovered_light_gets_the_right_payload(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    base = f"{topic_prefix}_z2m"
    mqtt_peer.publish(f"{base}/bridge/devices", json.dumps(Z2M_DEVICES), retain=True)
    mqtt_peer.subscribe(f"{base}/+/set")
    try:
        async with home_stack(running_broker, topic_prefix, **_config(topic_prefix)) as s:
            await s.wait_for(lambda: s.home.registry.resolve("kitchen light") is not None)
            reply = await s.text("HassTurnOff", name="kitchen light")
            msg = await mqtt_peer.expect(f"{base}/kitchen_light/set")
            assert json.loads(msg.payload) == {"state": "OFF"}
            assert not msg.retain
            assert reply.text == "Kitchen light is off"
            await s.text("HassLightSet", name="kitchen light", brightness=50)
            msg = await mqtt_peer.expect(f"{base}/kitchen_light/set")
            assert json.loads(msg.payload) == {"state": "ON", "brightness": 127}
            # The button reports but is not switchable; the coordinator is not a device.
            assert s.home.registry.resolve("hall button") is not None
            assert s.home.registry.resolve("coordinator") is None
            # State comes from the device, never assumed from the command.
            mqtt_peer.publish(f"{base}/kitchen_light", '{"state":"ON","brightness":127}')
            await s.wait_for(lambda: s.home.registry.state(
                s.home.registry.resolve("kitchen light").id) is not None)  # type: ignore[union-attr]
            assert NoModelRouter.calls == 0
    finally:
        mqtt_peer.publish(f"{base}/bridge/devices", b"", retain=True)


async def test_tasmota_and_ha_discovered_switches(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    ha = f"{topic_prefix}_ha"
    mac = f"DC4F22{abs(hash(topic_prefix)) % 0xFFFFFF:06X}"
    tasmota_topic = f"tasmota_{mac[-6:]}"
    async with home_stack(running_broker, topic_prefix, **_config(topic_prefix)) as s:
        mqtt_peer.subscribe(f"cmnd/{tasmota_topic}/#")
        mqtt_peer.subscribe(f"{topic_prefix}/plug/#")
        mqtt_peer.publish(f"tasmota/discovery/{mac}/config", json.dumps({
            "ip": "10.0.0.9", "dn": "Desk Lamp", "fn": ["Desk Lamp", None], "hn": tasmota_topic,
            "mac": mac, "t": tasmota_topic, "ft": "%prefix%/%topic%/",
            "tp": ["cmnd", "stat", "tele"], "rl": [1, 0]}))
        mqtt_peer.publish(f"{ha}/switch/esp_{topic_prefix[-8:]}/plug/config", json.dumps({
            "name": "Coffee Machine", "~": f"{topic_prefix}/plug", "cmd_t": "~/set",
            "stat_t": "~/state", "pl_on": "1", "pl_off": "0",
            "uniq_id": "plug1", "dev": {"name": "Plug", "sa": "Kitchen", "ids": ["p1"]}}))
        await s.wait_for(lambda: s.home.registry.resolve("desk lamp") is not None
                         and s.home.registry.resolve("coffee machine") is not None)
        reply = await s.text("HassTurnOn", name="desk lamp")
        msg = await mqtt_peer.expect(f"cmnd/{tasmota_topic}/POWER")
        assert (msg.payload, msg.retain) == (b"ON", False)
        assert reply.text == "Desk lamp is on"
        await s.text("HassTurnOff", name="coffee machine")
        msg = await mqtt_peer.expect(f"{topic_prefix}/plug/set")
        assert msg.payload == b"0"
        # An area request reaches the HA device through its suggested area.
        reply = await s.text("HassTurnOn", area="kitchen", domain="switch")
        msg = await mqtt_peer.expect(f"{topic_prefix}/plug/set")
        assert msg.payload == b"1"
        # Tasmota reports state on stat/<topic>/POWER; the registry tracks it.
        mqtt_peer.publish(f"stat/{tasmota_topic}/POWER", "ON")
        lamp = s.home.registry.resolve("desk lamp")
        assert lamp is not None
        await s.wait_for(lambda: (s.home.registry.state(lamp.id) or _Empty).values.get(
            "state") == "on")
        # The HA entity disappears when its retained config is emptied.
        mqtt_peer.publish(f"{ha}/switch/esp_{topic_prefix[-8:]}/plug/config", b"")
        await s.wait_for(lambda: s.home.registry.resolve("coffee machine") is None)


class _Empty:
    values: dict[str, str] = {}  # noqa: RUF012


async def test_unlock_waits_for_confirmation_and_expired_never_actuates(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    """Approval over MQTT is off by default (issue 13): this test turns it on
    (`[approval] mqtt = true`) to check the opt-in path still confirms once and only once."""
    now = [1000.0]
    base = f"{topic_prefix}_z2m"
    mqtt_peer.publish(f"{base}/bridge/devices", json.dumps(Z2M_DEVICES), retain=True)
    mqtt_peer.subscribe(f"{base}/#")
    mqtt_peer.subscribe(f"{topic_prefix}/reply")
    try:
        async with home_stack(running_broker, topic_prefix, clock=lambda: now[0],
                              approval={"mqtt": True}, **_config(topic_prefix)) as s:
            await s.wait_for(lambda: s.home.registry.resolve("front door") is not None)
            mqtt_peer.drain()
            reply = await s.text("HassTurnOff", name="front door")
            action = reply.data["actions"][0]
            assert action["status"] == "pending" and action["needs_confirmation"]
            assert "hearth confirm" in reply.text
            assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.5) == []
            # Confirmed over MQTT: now (and only now) the unlock goes out.
            mqtt_peer.publish(f"{topic_prefix}/confirm", action["pending_id"])
            msg = await mqtt_peer.expect(f"{base}/front door/set")
            assert json.loads(msg.payload) == {"state": "UNLOCK"}
            answer = await mqtt_peer.expect(f"{topic_prefix}/reply")
            assert json.loads(answer.payload)["ok"] is True
            # A second confirmation of the same id does nothing.
            mqtt_peer.publish(f"{topic_prefix}/confirm", json.dumps({"id": action["pending_id"]}))
            answer = await mqtt_peer.expect(f"{topic_prefix}/reply")
            assert json.loads(answer.payload)["ok"] is False
            # An expired one never actuates.
            reply = await s.text("HassTurnOff", name="front door")
            late_id = reply.data["actions"][0]["pending_id"]
            now[0] += 31
            assert (await s.home.confirm(late_id))["ok"] is False
            assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.5) == []
    finally:
        mqtt_peer.publish(f"{base}/bridge/devices", b"", retain=True)


async def test_rule_turns_a_button_press_into_a_toggle(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    rules = [{"topic": f"{topic_prefix}_z2m/hall button", "field": "action",
              "equals": "single", "action": "toggle", "args": {"device": "hall light"}}]
    devices = [{"name": "hall light", "kind": "light", "protocol": "zigbee2mqtt",
                "address": "hall_light", "area": "hall"}]
    mqtt_peer.subscribe(f"{topic_prefix}_z2m/hall_light/set")
    async with home_stack(running_broker, topic_prefix, rules=rules, devices=devices,
                          **_config(topic_prefix)) as s:
        mqtt_peer.publish(f"{topic_prefix}_z2m/hall button", '{"action":"double"}')
        mqtt_peer.publish(f"{topic_prefix}_z2m/hall button", '{"action":"single","battery":90}')
        msg = await mqtt_peer.expect(f"{topic_prefix}_z2m/hall_light/set")
        assert json.loads(msg.payload) == {"state": "TOGGLE"}
        # The broker forwards the command before it acknowledges it to hearth, whose
        # reply follows the acknowledgement.
        for _ in range(100):
            if s.replies:
                break
            await asyncio.sleep(0.02)
        assert s.replies[-1].text == "Hall light toggled"
        # Only the single press fired.
        assert await mqtt_peer.nothing_on(f"{topic_prefix}_z2m/hall_light/set", 0.3) == []
        assert NoModelRouter.calls == 0


async def test_flood_of_garbage_actuates_nothing(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    """MQTT approval is on here (issue 13 made it opt-in): otherwise hearth would not even
    subscribe to <prefix>/confirm, and the garbage sent there would not be tested."""
    base = f"{topic_prefix}_z2m"
    ha = f"{topic_prefix}_ha"
    rules = [{"topic": f"{base}/hall button", "field": "action", "equals": "single",
              "action": "toggle", "args": {"device": "hall light"}}]
    devices = [{"name": "hall light", "kind": "light", "protocol": "zigbee2mqtt",
                "address": "hall_light"},
               {"name": "back door", "kind": "lock", "protocol": "zigbee2mqtt"}]
    mqtt_peer.subscribe(f"{base}/+/set")
    async with home_stack(running_broker, topic_prefix, rules=rules, devices=devices,
                          approval={"mqtt": True},
                          **_config(topic_prefix, max_payload_bytes=4096,
                                    queue_size=5000)) as s:
        targets = [f"{base}/bridge/devices", f"{base}/hall button", f"{base}/hall_light",
                   f"{ha}/switch/x/config", f"{ha}/lock/y/z/config", f"{topic_prefix}/confirm",
                   "tasmota/discovery/AABBCC/config"]
        bodies = [b"\x00\xff\xfe" * 10, b"{", b"[1,2,", b"x" * 10_000, b'{"action": 5}',
                  b'"single"', b"null", b'{"name": "evil", "cmd_t": "#"}', b"\xc3\x28",
                  b'[{"friendly_name": "+/#", "definition": {"exposes": [{"type": "lock"}]}}]']
        for i in range(1000):
            mqtt_peer.client.publish(targets[i % len(targets)], bodies[i % len(bodies)], qos=0)
        mqtt_peer.publish(f"{topic_prefix}/flood-done", b"1")  # not subscribed: just a fence
        await s.wait_for(lambda: s.bridge.stats.received >= 1000, 30)
        await asyncio.sleep(0.3)
        stats = s.bridge.stats
        assert stats.dropped_oversize > 0 and stats.dropped_malformed > 0
        assert stats.handler_errors == 0
        assert s.bridge.connected
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.3) == []
        assert s.home.pending.pending() == []
        # Still serving: the next real command goes out.
        await s.text("HassTurnOn", name="hall light")
        msg = await mqtt_peer.expect(f"{base}/hall_light/set")
        assert json.loads(msg.payload) == {"state": "ON"}


async def test_broker_restart_then_next_command_is_handled(
    running_broker: Broker, topic_prefix: str
) -> None:
    devices = [{"name": "porch light", "kind": "light", "protocol": "tasmota",
                "address": f"porch_{topic_prefix[-6:]}"}]
    rules = [{"topic": f"{topic_prefix}/porch/button", "payload": "press", "action": "toggle",
              "args": {"device": "porch light"}}]
    async with home_stack(running_broker, topic_prefix, rules=rules, devices=devices,
                          **_config(topic_prefix)) as s:
        running_broker.restart()
        await s.wait_for(lambda: s.bridge.stats.reconnects >= 2 and s.bridge.connected, 20)
        peer = PeerClient(running_broker)
        try:
            peer.subscribe(f"cmnd/porch_{topic_prefix[-6:]}/POWER")
            # The rule's topic was re-subscribed: a press after the restart still toggles.
            for _ in range(20):
                peer.publish(f"{topic_prefix}/porch/button", "press")
                try:
                    msg = await peer.expect(f"cmnd/porch_{topic_prefix[-6:]}/POWER", 1.0)
                    break
                except AssertionError:
                    continue
            else:
                raise AssertionError("no command after the broker restart")
            assert msg.payload == b"TOGGLE"
        finally:
            peer.close()


async def test_offline_device_is_not_commanded(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    devices = [{"name": "shed light", "kind": "light", "protocol": "tasmota",
                "address": f"shed_{topic_prefix[-6:]}"}]
    address = f"shed_{topic_prefix[-6:]}"
    mqtt_peer.subscribe(f"cmnd/{address}/#")
    async with home_stack(running_broker, topic_prefix, devices=devices,
                          **_config(topic_prefix)) as s:
        mqtt_peer.publish(f"tele/{address}/LWT", "Offline")
        await s.wait_for(lambda: s.handled >= 1)
        reply = await s.text("HassTurnOn", name="shed light")
        assert reply.data["ok"] is False and "offline" in reply.text
        assert await mqtt_peer.nothing_on(f"cmnd/{address}/#", 0.3) == []
        mqtt_peer.publish(f"tele/{address}/LWT", "Online")
        await s.wait_for(lambda: s.handled >= 2)
        await s.text("HassTurnOn", name="shed light")
        assert (await mqtt_peer.expect(f"cmnd/{address}/POWER")).payload == b"ON"


async def test_a_large_zigbee2mqtt_device_list_is_not_dropped(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    base = f"{topic_prefix}_z2m"
    # A realistic list is kilobytes per device; 200 of them outgrow the per-message limit.
    big = [{"friendly_name": f"plug_{i}", "ieee_address": f"0x{i:04x}",
            "definition": {"description": "x" * 500,
                           "exposes": [{"type": "switch", "features": [{"name": "state"}]}]}}
           for i in range(200)]
    async with home_stack(running_broker, topic_prefix,
                          **_config(topic_prefix, max_payload_bytes=4096)) as s:
        mqtt_peer.publish(f"{base}/bridge/devices", json.dumps(big))
        await s.wait_for(lambda: s.home.registry.resolve("plug 199") is not None)
        assert await s.bridge.wait_subscribed(10)
        mqtt_peer.publish(f"{base}/plug_1", json.dumps({"state": "ON", "pad": "y" * 5000}))
        await s.wait_for(lambda: s.bridge.stats.dropped_oversize == 1)
        assert len(s.home.registry.devices()) == 200
