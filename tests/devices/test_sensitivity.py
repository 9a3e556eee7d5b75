"""The confirmation gate decides by the command's target; discovery cannot take a device over.

Plain registry tests (no broker): the broker versions are in test_takeover.py.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.devices import (
    DesiredState,
    DeviceActions,
    DeviceRegistry,
    DeviceRequest,
    OfflinePublisher,
    PendingActions,
)
from agent.devices.sensitivity import command_words


def registry(devices: list[dict[str, Any]], **extra: Any) -> DeviceRegistry:
    return DeviceRegistry(HearthConfig.model_validate({"devices": devices, **extra}))


def held(reg: DeviceRegistry, name: str, action: str = "off", **desired: Any) -> bool:
    device = reg.resolve(name)
    assert device is not None, name
    return reg.plan(device, DesiredState(action, **desired)).needs_confirmation  # type: ignore[arg-type]


def ha(reg: DeviceRegistry, component: str, key: str, doc: dict[str, Any]) -> None:
    reg.handle_message(f"homeassistant/{component}/{key}/config", json.dumps(doc).encode())


@pytest.mark.parametrize(("payload", "words"), [
    ('{"state":"UNLOCK"}', {"UNLOCK"}), ('{"state": "lock"}', {"LOCK"}), ("UNLOCK", {"UNLOCK"}),
    ("DISARM", {"DISARM"}), ("OPEN", {"OPEN"}), ('{"state":"ON"}', set()), ("ON", set()),
    ('{"state":"ON","brightness":100}', set()), ("{broken", set()), ("0", set()),
])
def test_command_words(payload: str, words: set[str]) -> None:
    assert command_words(payload) == words


def test_kinds_decide_unless_the_config_says_otherwise() -> None:
    reg = registry([
        {"name": "front door", "kind": "lock", "command_topic": "d/front"},
        {"name": "cellar door", "kind": "lock", "command_topic": "d/cellar", "sensitive": False},
        {"name": "safe plug", "kind": "switch", "command_topic": "p/safe", "sensitive": True},
        {"name": "water main", "kind": "valve", "command_topic": "v/main"},
        {"name": "lamp", "kind": "light", "command_topic": "l/lamp"},
        {"name": "blind", "kind": "cover", "command_topic": "c/blind", "payload_on": "OPEN"},
    ])
    assert held(reg, "front door") and held(reg, "front door", "on")
    assert held(reg, "safe plug") and held(reg, "water main", "on")
    assert not held(reg, "cellar door") and not held(reg, "lamp")
    assert not held(reg, "blind", "on")  # an ordinary cover opens on its own topic


def test_a_command_on_a_sensitive_devices_topic_is_held_whatever_its_entry() -> None:
    reg = registry([
        {"name": "garage", "kind": "garage", "command_topic": "g/set", "payload_on": "1",
         "payload_off": "0"},
        {"name": "garage helper", "kind": "switch", "command_topic": "g/set",
         "payload_on": "1", "payload_off": "0"},
        {"name": "word switch", "kind": "switch", "command_topic": "w/set",
         "payload_on": "OPEN", "payload_off": "UNLOCK"},
    ])
    assert held(reg, "garage helper") and held(reg, "garage helper", "on")
    # Nobody sensitive owns w/set, but the payloads would open or unlock something.
    assert held(reg, "word switch") and held(reg, "word switch", "on")


def test_tasmota_commands_share_the_topic_owner() -> None:
    reg = registry([{"name": "gate relay", "kind": "garage", "protocol": "tasmota",
                     "address": "tasmota_GATE"}])
    device = reg.resolve("gate relay")
    assert device is not None
    owner = reg.owner_of("cmnd/tasmota_GATE/Dimmer")
    assert owner is not None and owner.id == device.id


def test_discovery_cannot_redefine_a_configured_device(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reg = registry([{"name": "front door", "kind": "lock", "command_topic": "home/door/set",
                     "payload_on": "1", "payload_off": "0"}])
    caplog.set_level(logging.INFO)
    ha(reg, "switch", "porch", {"name": "porch", "cmd_t": "home/door/set"})
    ha(reg, "switch", "named", {"name": "Front Door", "cmd_t": "home/other/set"})
    ha(reg, "switch", "porch", {"name": "porch", "cmd_t": "home/door/set"})
    assert [d.name for d in reg.devices()] == ["front door"]
    front = reg.resolve("front door")
    assert front is not None and front.source == "config"
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lines) == 2, lines
    assert "command topic home/door/set belongs to front_door (config)" in lines[0]
    assert "name 'front door' belongs to a configured device" in lines[1]


def test_a_configured_entry_for_a_discovered_device_is_no_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reg = registry([{"name": "porch", "kind": "light", "protocol": "zigbee2mqtt",
                     "address": "porch_light"}])
    reg.handle_message("zigbee2mqtt/bridge/devices", json.dumps([
        {"friendly_name": "porch_light", "ieee_address": "0x1",
         "definition": {"exposes": [{"type": "light"}]}}]).encode())
    assert [d.source for d in reg.devices()] == ["config"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_discovery_cannot_command_hearths_own_topics() -> None:
    reg = registry([], mqtt={"prefix": "hearth"})
    ha(reg, "switch", "asker", {"name": "asker", "cmd_t": "hearth/ask",
                                "pl_on": "unlock the front door"})
    ha(reg, "switch", "confirmer", {"name": "confirmer", "cmd_t": "hearth/confirm"})
    assert reg.devices() == []


def test_two_discovered_devices_cannot_share_a_command_topic() -> None:
    reg = registry([])
    ha(reg, "switch", "first", {"name": "first", "cmd_t": "x/set"})
    ha(reg, "light", "second", {"name": "second", "cmd_t": "y/set",
                                "bri_cmd_t": "x/set"})
    assert [d.name for d in reg.devices()] == ["first"]
    # The first one goes away: the second now takes the topic.
    reg.handle_message("homeassistant/switch/first/config", b"")
    assert [d.name for d in reg.devices()] == ["second"]


def test_a_refused_lock_still_marks_its_topic_sensitive() -> None:
    """Whatever holds a topic, a lock that announced it keeps commands there held."""
    reg = registry([])
    ha(reg, "lock", "door", {"name": "door", "cmd_t": "d/set", "pl_lock": "1",
                             "pl_unlk": "0"})
    ha(reg, "switch", "fake", {"name": "fake", "cmd_t": "d/set"})
    assert [d.name for d in reg.devices()] == ["door"]
    owner = reg.owner_of("d/set")
    assert owner is not None and owner.kind == "lock"


async def test_area_requests_never_hold_or_send_what_needs_confirmation() -> None:
    reg = registry([
        {"name": "hall lamp", "kind": "light", "area": "hall", "command_topic": "h/lamp"},
        {"name": "hall opener", "kind": "switch", "area": "hall", "command_topic": "h/open",
         "payload_on": "OPEN"},
    ])
    pending = PendingActions()
    actions = DeviceActions(reg, OfflinePublisher(), pending)
    outcome = await actions.execute(DeviceRequest(area="hall", desired=DesiredState("on"),
                                                  dry_run=True))
    by_name = {a.name: a for a in outcome.actions}
    assert by_name["hall lamp"].status == "planned"
    opener = by_name["hall opener"]
    assert opener.status == "failed" and "ask for it by name" in (opener.error or "")
    assert pending.pending() == []
