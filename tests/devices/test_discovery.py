"""Discovery payloads: real shapes in, devices out; garbage refused or skipped."""

from __future__ import annotations

import json

import pytest

from agent.devices.discovery import (
    ha_config_key,
    parse_ha_config,
    parse_tasmota_config,
    parse_z2m_devices,
)


def test_z2m_devices_list() -> None:
    """Unsupported, definition-less and wildcard-named devices are skipped one by one.

    (Updated for issue 13: entries of the wrong type, a string or a numeric friendly name,
    used to be skipped too; now they make the whole list refused: see
    test_z2m_list_with_wrong_types_is_refused_whole.)
    """
    payload = json.dumps([
        {"friendly_name": "Coordinator", "type": "Coordinator"},
        {"friendly_name": "living/floor lamp", "type": "Router", "ieee_address": "0xA1",
         "supported": True, "definition": {"exposes": [
             {"type": "light", "features": [{"name": "state"}, {"name": "brightness"}]}]}},
        {"friendly_name": "plug", "type": "Router", "ieee_address": "0xA2",
         "definition": {"exposes": [{"type": "switch", "features": [{"name": "state"}]}]}},
        {"friendly_name": "unsupported", "supported": False, "definition": {"exposes": []}},
        {"friendly_name": "no definition", "type": "EndDevice", "definition": None},
        {"friendly_name": "bad/+/name", "definition": {"exposes": [{"type": "switch"}]}},
    ]).encode()
    devices = {d.name: d for d in parse_z2m_devices(payload, "z2m")}
    assert set(devices) == {"living floor lamp", "plug"}
    lamp = devices["living floor lamp"]
    assert (lamp.kind, lamp.dimmable, lamp.command_topic, lamp.state_topic) == (
        "light", True, "z2m/living/floor lamp/set", "z2m/living/floor lamp")
    assert devices["plug"].kind == "switch" and not devices["plug"].dimmable


@pytest.mark.parametrize("payload", [b"{}", b"not json", b"\xff", b'"x"'])
def test_z2m_garbage_is_a_value_error(payload: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - json and unicode errors are both ValueError
        parse_z2m_devices(payload, "z2m")


_LAMP = {"friendly_name": "lamp", "ieee_address": "0xA1",
         "definition": {"exposes": [{"type": "light"}]}}


@pytest.mark.parametrize(("entries", "why"), [
    ([_LAMP, "not a dict"], r"\[1\] is not an object"),
    ([_LAMP, {"friendly_name": 7}], r"\[1\]\.friendly_name is not a string"),
    ([_LAMP, {"ieee_address": "0xA2"}], r"\[1\]\.friendly_name is missing"),
    ([_LAMP, {"friendly_name": "x", "definition": "light"}], "definition is not an object"),
    ([_LAMP, {"friendly_name": "x", "definition": {"exposes": {}}}], "exposes is not a list"),
    ([_LAMP] * 2001, "2001 devices"),
    ([_LAMP, {"friendly_name": "x", "definition": {"deep": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}}],
     "nested deeper than 16"),
])
def test_z2m_list_with_wrong_types_is_refused_whole(entries: list[object], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_z2m_devices(json.dumps(entries).encode(), "z2m")


def test_z2m_30000_deep_nesting_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="nested deeper"):
        parse_z2m_devices(b"[" * 30_000 + b"]" * 30_000, "z2m")


def test_ha_config_key() -> None:
    assert ha_config_key("homeassistant/switch/node/obj/config", "homeassistant") == (
        "switch", "node/obj")
    assert ha_config_key("homeassistant/light/obj/config", "homeassistant") == ("light", "obj")
    assert ha_config_key("homeassistant/light/a/b/c/config", "homeassistant") is None
    assert ha_config_key("homeassistant/light/o b/config", "homeassistant") is None
    assert ha_config_key("other/light/obj/config", "homeassistant") is None


def test_ha_switch_with_abbreviations_and_base() -> None:
    payload = json.dumps({"name": "Coffee", "~": "home/plug", "cmd_t": "~/set",
                          "stat_t": "~/state", "pl_on": "1", "pl_off": "0",
                          "dev": {"name": "Plug", "sa": "Kitchen"}}).encode()
    parsed = parse_ha_config("homeassistant/switch/esp/plug/config", payload, "homeassistant")
    assert parsed is not None
    key, device = parsed
    assert device is not None
    assert (device.name, device.area, device.command_topic, device.state_topic) == (
        "coffee", "kitchen", "home/plug/set", "home/plug/state")
    assert dict(device.payloads) == {"on": "1", "off": "0"}
    assert parse_ha_config("homeassistant/switch/esp/plug/config", b"", "homeassistant") == (
        key, None)


def test_ha_lock_cover_light_and_refusals() -> None:
    lock = parse_ha_config("ha/lock/door/config",
                           json.dumps({"name": "Front door", "cmd_t": "d/set"}).encode(), "ha")
    assert lock is not None and lock[1] is not None
    assert lock[1].sensitive and dict(lock[1].payloads) == {"on": "LOCK", "off": "UNLOCK"}
    garage = parse_ha_config("ha/cover/g/config", json.dumps(
        {"name": "Garage", "cmd_t": "g/set", "dev_cla": "garage"}).encode(), "ha")
    assert garage is not None and garage[1] is not None
    assert garage[1].kind == "garage" and garage[1].sensitive
    light = parse_ha_config("ha/light/l/config", json.dumps(
        {"name": "Desk", "cmd_t": "l/set", "schema": "json", "brightness": True}).encode(), "ha")
    assert light is not None and light[1] is not None
    assert light[1].json_commands and light[1].dimmable
    # No command topic, a wildcard topic, or a component hearth does not command: ignored.
    assert parse_ha_config("ha/switch/x/config", b'{"name": "x"}', "ha") is None
    assert parse_ha_config("ha/switch/x/config", b'{"cmd_t": "a/#"}', "ha") is None
    assert parse_ha_config("ha/sensor/x/config", b'{"cmd_t": "a/b"}', "ha") is None
    with pytest.raises(ValueError):  # noqa: PT011
        parse_ha_config("ha/switch/x/config", b"[1]", "ha")


def test_tasmota_discovery() -> None:
    payload = json.dumps({"dn": "Power Strip", "fn": ["Lamp", "Radio", None], "t": "strip_1",
                          "hn": "strip-1", "mac": "AABBCCDDEEFF", "ft": "%prefix%/%topic%/",
                          "tp": ["cmnd", "stat", "tele"], "rl": [1, 1, 0]}).encode()
    devices = parse_tasmota_config(payload)
    assert [(d.name, d.command_topic, d.state_topic) for d in devices] == [
        ("lamp", "cmnd/strip_1/POWER1", "stat/strip_1/POWER1"),
        ("radio", "cmnd/strip_1/POWER2", "stat/strip_1/POWER2"),
    ]
    single = parse_tasmota_config(json.dumps({"t": "plug_9", "rl": [1]}).encode())
    assert single[0].command_topic == "cmnd/plug_9/POWER"
    with pytest.raises(ValueError, match="topic"):
        parse_tasmota_config(b'{"t": "a/b/#"}')
