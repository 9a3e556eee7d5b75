"""Tasmota discovery: relays from `tasmota/discovery/<MAC>/config`, sensors from `.../sensors`.

Relays are commanded on `cmnd/<topic>/POWER[n]`; sensor readings arrive on
`tele/<topic>/SENSOR` as `{"<Sensor>": {"<Key>": value}}`, and `tele/<topic>/LWT` says
Online/Offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.devices.discovery.common import ID_PART, MAX_NAME, load_object, of, text, topic
from agent.devices.model import Device, normalise, slug
from agent.errors import MalformedMessage

# Sensor keys hearth learns: key -> (spoken label, device class, unit).
SENSOR_KEYS: Mapping[str, tuple[str, str, str | None]] = {
    "Temperature": ("temperature", "temperature", None),   # unit from TempUnit
    "Humidity": ("humidity", "humidity", "%"),
    "Pressure": ("pressure", "pressure", None),            # unit from PressureUnit
    "Illuminance": ("illuminance", "illuminance", "lx"),
    "CarbonDioxide": ("co2", "carbon_dioxide", "ppm"),
    "Power": ("power", "power", "W"),
    "Total": ("energy", "energy", "kWh"),
    "Voltage": ("voltage", "voltage", "V"),
    "Current": ("current", "current", "A"),
}
_MAX_SENSORS = 16


def tasmota_identity(payload: bytes) -> tuple[str, str, str]:
    """(topic, device name, MAC) from a config; MalformedMessage without a usable topic."""
    doc = load_object(payload)
    topic_ = text(doc.get("t"), 64)
    if topic_ is None or not ID_PART.match(topic_):
        raise MalformedMessage("Tasmota discovery without a usable topic `t`")
    return topic_, text(doc.get("dn")) or topic_, text(doc.get("mac"), 32) or topic_


def parse_tasmota_config(payload: bytes) -> list[Device]:
    """`tasmota/discovery/<MAC>/config`: one device per relay (POWER, or POWER<n>)."""
    doc = load_object(payload)
    topic_, device_name, mac = tasmota_identity(payload)
    full = of(doc, "ft", str, "%prefix%/%topic%/")
    prefixes: list[Any] = of(doc, "tp", list, ["cmnd", "stat", "tele"])
    cmnd = str(prefixes[0]) if prefixes else "cmnd"
    stat = str(prefixes[1]) if len(prefixes) > 1 else "stat"
    host = text(doc.get("hn"), 64) or topic_

    def expand(prefix: str) -> str:
        out = full.replace("%prefix%", prefix).replace("%topic%", topic_).replace("%hostname%", host)
        return out.replace("%id%", mac[-6:])

    relays: list[Any] = of(doc, "rl", list, [1])
    names: list[Any] = of(doc, "fn", list, [])
    active = [i for i, r in enumerate(relays[:8]) if r in (1, 2, 3)]
    devices: list[Device] = []
    for index in active:
        suffix = "" if len(active) == 1 else str(index + 1)
        power = f"POWER{suffix}"
        name = text(names[index]) if index < len(names) else None
        name = name or (device_name if not suffix else f"{device_name} {suffix}")
        command = topic(expand(cmnd) + power)
        if command is None:
            continue
        devices.append(Device(
            id=f"tasmota_{slug(mac)}{'_' + suffix if suffix else ''}",
            name=normalise(name)[:MAX_NAME],
            kind="light" if relays[index] == 2 else "switch",
            protocol="tasmota",
            source="tasmota",
            address=topic_,
            command_topic=command,
            state_topic=topic(expand(stat) + power),
            payloads={"on": "ON", "off": "OFF", "toggle": "TOGGLE"},
            dimmable=relays[index] == 2,
            features={"mac": mac},
        ))
    return devices


def parse_tasmota_sensors(payload: bytes, topic_: str, device_name: str, mac: str) -> list[Device]:
    """`tasmota/discovery/<MAC>/sensors` (`{"sn": {...}}`): one sensor per known key."""
    doc = load_object(payload)
    sn = doc.get("sn")
    if not isinstance(sn, dict):
        raise MalformedMessage("Tasmota sensors without an `sn` object")
    temp_unit = "°F" if sn.get("TempUnit") == "F" else "°C"
    pressure_unit = text(sn.get("PressureUnit"), 8) or "hPa"
    found: list[tuple[str, str]] = [(name, key) for name, block in sn.items()
                                    if isinstance(block, dict) for key in block
                                    if key in SENSOR_KEYS][:_MAX_SENSORS]
    labels = [SENSOR_KEYS[key][0] for _, key in found]
    devices: list[Device] = []
    base = normalise(device_name)
    for sensor, key in found:
        label, device_class, unit = SENSOR_KEYS[key]
        # Two thermometers (DS18B20-1, DS18B20-2) need their sensor's name to tell them apart.
        spoken = f"{base} {label}" if labels.count(label) == 1 else \
            f"{base} {normalise(sensor.replace('-', ' '))} {label}"
        features: dict[str, Any] = {"mac": mac}
        if key == "Temperature":
            unit = "°C"
            features["fahrenheit"] = temp_unit == "°F"  # converted on read
        elif key == "Pressure":
            unit = pressure_unit
        devices.append(Device(
            id=f"tasmota_{slug(mac)}_{slug(sensor)}_{slug(key)}",
            name=spoken[:MAX_NAME],
            kind="sensor",
            protocol="tasmota",
            source="tasmota",
            address=topic_,
            state_topic=f"tele/{topic_}/SENSOR",
            device_class=device_class,
            unit=unit,
            value_key=f"{sensor}.{key}",
            features=features,
        ))
    return devices


