"""A household of discovered devices in their real announcement shapes (issue 16 tests).

Zigbee2MQTT exposes follow zigbee-herdsman-converters (a fan is `fan_state` + `fan_mode`, a
contact sensor's `contact: true` means closed, a thermostat has one of two setpoints);
Home Assistant configs use the abbreviations real firmware sends; Tasmota sends `sn`.
"""

from __future__ import annotations

import json
from typing import Any

IEEE_LAMP = "0x00158d0001a2b3c4"


def _light(name: str, ieee: str) -> dict[str, Any]:
    return {"friendly_name": name, "ieee_address": ieee, "type": "Router", "supported": True,
            "definition": {"exposes": [{"type": "light", "features": [
                {"name": "state", "property": "state", "access": 7},
                {"name": "brightness", "property": "brightness", "access": 7,
                 "value_max": 254}]}]}}


def z2m_devices() -> list[dict[str, Any]]:
    """`<base>/bridge/devices`."""
    return [
        {"friendly_name": "Coordinator", "type": "Coordinator", "ieee_address": "0x00"},
        _light("kitchen light", "0x0001"),
        _light("bedroom lamp", "0x0002"),
        _light("desk lamp", "0x0003"),
        _light("hall lamp", IEEE_LAMP),
        {"friendly_name": "ceiling fan", "ieee_address": "0x0005", "type": "Router",
         "definition": {"exposes": [{"type": "fan", "features": [
             {"name": "state", "property": "fan_state", "type": "binary", "access": 7,
              "value_on": "ON", "value_off": "OFF"},
             {"name": "mode", "property": "fan_mode", "type": "enum", "access": 7,
              "values": ["off", "low", "medium", "high", "on", "auto", "smart"]}]}]}},
        {"friendly_name": "bathroom fan", "ieee_address": "0x0006", "type": "Router",
         "definition": {"exposes": [{"type": "fan", "features": [
             {"name": "state", "property": "state", "type": "binary", "access": 7},
             {"name": "speed", "property": "speed", "type": "numeric", "access": 7,
              "value_min": 0, "value_max": 254}]}]}},
        {"friendly_name": "living room blind", "ieee_address": "0x0007", "type": "EndDevice",
         "definition": {"exposes": [{"type": "cover", "features": [
             {"name": "state", "property": "state", "type": "enum", "access": 3,
              "values": ["OPEN", "CLOSE", "STOP"]},
             {"name": "position", "property": "position", "type": "numeric", "access": 7,
              "value_min": 0, "value_max": 100}]}]}},
        {"friendly_name": "thermostat", "ieee_address": "0x0008", "type": "EndDevice",
         "definition": {"exposes": [{"type": "climate", "features": [
             {"name": "occupied_heating_setpoint", "property": "occupied_heating_setpoint",
              "type": "numeric", "access": 7, "value_min": 5, "value_max": 30,
              "value_step": 0.5, "unit": "°C"},
             {"name": "local_temperature", "property": "local_temperature", "type": "numeric",
              "access": 5, "unit": "°C"}]}]}},
        {"friendly_name": "front door lock", "ieee_address": "0x0009", "type": "EndDevice",
         "definition": {"exposes": [{"type": "lock", "features": [
             {"name": "state", "property": "state", "access": 7}]}]}},
        {"friendly_name": "bedroom sensor", "ieee_address": "0x000a", "type": "EndDevice",
         "definition": {"exposes": [
             {"type": "numeric", "name": "temperature", "property": "temperature",
              "access": 1, "unit": "°C"},
             {"type": "numeric", "name": "humidity", "property": "humidity", "access": 1,
              "unit": "%"},
             {"type": "numeric", "name": "battery", "property": "battery", "access": 1,
              "unit": "%"}]}},
        {"friendly_name": "back door contact", "ieee_address": "0x000b", "type": "EndDevice",
         "definition": {"exposes": [
             {"type": "binary", "name": "contact", "property": "contact", "access": 1,
              "value_on": False, "value_off": True}]}},
    ]


def z2m_groups() -> list[dict[str, Any]]:
    """`<base>/bridge/groups` with a stored scene."""
    return [{"id": 1, "friendly_name": "living room group", "members": [],
             "scenes": [{"id": 3, "name": "movie night"}]}]


def ha_configs(ha: str, base: str) -> dict[str, dict[str, Any]]:
    """Home Assistant discovery topic -> config; `base` prefixes every state/command topic."""
    return {
        f"{ha}/sensor/bath/temp/config": {
            "name": "bathroom temperature", "stat_t": f"{base}/bath/state",
            "val_tpl": "{{ value_json.temperature }}", "unit_of_meas": "°C",
            "dev_cla": "temperature", "exp_aft": 600, "uniq_id": "bath_temp",
            "dev": {"ids": ["bath"], "sa": "bathroom"}},
        f"{ha}/sensor/bath/odd/config": {
            "name": "odd sensor", "stat_t": f"{base}/bath/state",
            "val_tpl": "{% if value_json.x %}1{% endif %}", "uniq_id": "odd"},
        f"{ha}/binary_sensor/garage_side/door/config": {
            "name": "side door", "stat_t": f"{base}/side/state", "dev_cla": "door",
            "pl_on": "open", "pl_off": "closed", "avty_t": f"{base}/side/status",
            "uniq_id": "side_door", "dev": {"ids": ["side"], "sa": "hall"}},
        f"{ha}/cover/office/blind/config": {
            "name": "office blind", "cmd_t": f"{base}/office_blind/set",
            "set_pos_t": f"{base}/office_blind/pos", "dev_cla": "blind",
            "pl_stop": "STOP", "uniq_id": "office_blind", "dev": {"ids": ["ob"], "sa": "office"}},
        f"{ha}/cover/office/curtain/config": {
            "name": "office curtain", "cmd_t": f"{base}/office_curtain/set",
            "dev_cla": "curtain", "uniq_id": "office_curtain",
            "dev": {"ids": ["oc"], "sa": "office"}},
        f"{ha}/cover/office/shade/config": {
            "name": "office cover", "cmd_t": f"{base}/office_cover/set",
            "uniq_id": "office_cover", "dev": {"ids": ["oo"], "sa": "office"}},
        f"{ha}/climate/office/heat/config": {
            "name": "office heater", "temp_cmd_t": f"{base}/office_heater/target/set",
            "temp_stat_t": f"{base}/office_heater/target", "curr_temp_t":
            f"{base}/office_heater/current", "min_temp": 7, "max_temp": 28,
            "temp_step": 0.5, "uniq_id": "office_heater", "dev": {"ids": ["oh"], "sa": "office"}},
        f"{ha}/fan/office/fan/config": {
            "name": "office fan", "cmd_t": f"{base}/office_fan/set",
            "pct_cmd_t": f"{base}/office_fan/speed", "spd_rng_min": 1, "spd_rng_max": 3,
            "uniq_id": "office_fan", "dev": {"ids": ["of"], "sa": "office"}},
        f"{ha}/scene/house/relax/config": {
            "name": "relax", "cmd_t": f"{base}/scene/relax", "pl_on": "ON",
            "uniq_id": "scene_relax"},
        f"{ha}/switch/garden/lights/config": {
            "name": "garden lights", "cmd_t": f"{base}/garden/set", "stat_t":
            f"{base}/garden/state", "uniq_id": "garden_lights"},
        f"{ha}/light/office/lamp/config": {
            "name": "office lamp", "schema": "json", "brightness": True,
            "cmd_t": f"{base}/office_lamp/set", "stat_t": f"{base}/office_lamp",
            "uniq_id": "office_lamp", "dev": {"ids": ["ol"], "sa": "office"}},
        f"{ha}/cover/garage/door/config": {
            "name": "garage door", "cmd_t": f"{base}/garage/set", "dev_cla": "garage",
            "uniq_id": "garage_door", "dev": {"ids": ["gd"], "sa": "garage"}},
        f"{ha}/valve/garden/water/config": {
            "name": "garden valve", "cmd_t": f"{base}/valve/set", "uniq_id": "garden_valve",
            "dev": {"ids": ["gv"], "sa": "garden shed"}},
    }


TASMOTA_MAC = "DC4F22ABCDEF"
TASMOTA_TOPIC = "tasmota_ABCDEF"


def tasmota_config() -> dict[str, Any]:
    """`tasmota/discovery/<MAC>/config` for a plug with a thermometer."""
    return {"ip": "10.0.0.9", "dn": "Study Plug", "fn": ["Study Plug", None],
            "hn": TASMOTA_TOPIC, "mac": TASMOTA_MAC, "t": TASMOTA_TOPIC,
            "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"], "rl": [1, 0]}


def tasmota_sensors() -> dict[str, Any]:
    """`tasmota/discovery/<MAC>/sensors`: an AM2301 reading °F and the plug's meter."""
    return {"sn": {"Time": "2026-12-01T22:00:00", "AM2301": {"Temperature": 70.0,
                                                             "Humidity": 41.0},
                   "ENERGY": {"Total": 1.5, "Power": 40, "Voltage": 230, "Current": 0.17},
                   "TempUnit": "F"}, "ver": 1}


def config(base: str, ha: str, **extra: Any) -> dict[str, Any]:
    """The household's config: areas, floors, an override, a plain-topic light, a satellite."""
    return {
        "discovery": {"zigbee2mqtt_base": base, "state_max_age": 3600},
        "mqtt": {"discovery_prefix": ha},
        "floors": [{"name": "ground floor", "aliases": ["downstairs"]},
                   {"name": "first floor", "aliases": ["upstairs"]}],
        "areas": [{"name": "living room", "aliases": ["lounge"], "floor": "ground floor"},
                  {"name": "kitchen", "floor": "ground floor"},
                  {"name": "hall", "floor": "ground floor"},
                  {"name": "office", "floor": "ground floor"},
                  {"name": "garage", "floor": "ground floor"},
                  {"name": "bedroom", "floor": "first floor"},
                  {"name": "bathroom", "floor": "first floor"},
                  {"name": "study", "floor": "first floor"}],
        "device_overrides": [
            {"address": IEEE_LAMP, "aliases": ["reading lamp"], "area": "hall",
             "sensitive": True},
            {"address": "kitchen light", "area": "kitchen"},
            {"address": "bedroom lamp", "area": "bedroom"},
            {"address": "desk lamp", "area": "study"},
            {"address": "ceiling fan", "area": "living room"},
            {"address": "bathroom fan", "area": "bathroom"},
            {"address": "living room blind", "area": "lounge", "device_class": "blind"},
            {"address": "thermostat", "area": "living room"},
            {"address": "front door lock", "area": "hall"},
            {"address": "0x000a", "area": "bedroom"},
            {"address": "bedroom sensor", "area": "bedroom"},
            {"address": "back door contact", "area": "kitchen"},
            {"address": TASMOTA_MAC, "area": "study"},
        ],
        "devices": [
            {"name": "porch light", "kind": "light", "protocol": "topic", "area": "hall",
             "command_topic": f"{base}_plain/porch/set", "state_topic": f"{base}_plain/porch"},
            {"name": "alarm", "kind": "alarm", "protocol": "topic", "area": "hall",
             "command_topic": f"{base}_plain/alarm/set", "payload_on": "ARM_AWAY",
             "payload_off": "DISARM"},
        ],
        "satellites": [{"id": "bedroom-puck", "area": "bedroom"}],
        **extra,
    }


def announce(handle: Any, base: str, ha: str) -> None:
    """Feed every announcement to `handle(topic, payload_bytes)` (a registry or a peer)."""
    handle(f"{base}/bridge/devices", json.dumps(z2m_devices()).encode())
    handle(f"{base}/bridge/groups", json.dumps(z2m_groups()).encode())
    for topic, doc in ha_configs(ha, base).items():
        handle(topic, json.dumps(doc).encode())
    handle(f"tasmota/discovery/{TASMOTA_MAC}/config", json.dumps(tasmota_config()).encode())
    handle(f"tasmota/discovery/{TASMOTA_MAC}/sensors", json.dumps(tasmota_sensors()).encode())
