"""Zigbee2MQTT: `bridge/devices` exposes become devices and sensors; `bridge/groups` scenes.

One controllable entity per device from its specific expose (light, switch, fan, cover, lock,
climate) with what the expose says it can do in `features`, plus one sensor entity per
readable generic expose hearth answers questions about (temperature, contact, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from agent.config.home import DeviceKind
from agent.devices.discovery.common import MAX_NAME, number, text, topic
from agent.devices.model import Device, normalise, slug
from agent.errors import MalformedMessage
from agent.mqtt.payload import load_json

# Zigbee2MQTT's device list: list, device, definition, exposes, feature, composite features...
Z2M_MAX_DEPTH = 16
Z2M_MAX_DEVICES = 2000

_EXPOSE_KIND: dict[str, DeviceKind] = {
    "light": "light", "switch": "switch", "lock": "lock", "cover": "cover", "fan": "fan",
    "climate": "climate",
}
# Generic exposes hearth learns as sensors: property -> (spoken label, device class, kind).
SENSOR_PROPERTIES: Mapping[str, tuple[str, str, DeviceKind]] = {
    "temperature": ("temperature", "temperature", "sensor"),
    "humidity": ("humidity", "humidity", "sensor"),
    "pressure": ("pressure", "pressure", "sensor"),
    "illuminance": ("illuminance", "illuminance", "sensor"),
    "illuminance_lux": ("illuminance", "illuminance", "sensor"),
    "co2": ("co2", "carbon_dioxide", "sensor"),
    "power": ("power", "power", "sensor"),
    "energy": ("energy", "energy", "sensor"),
    "voltage": ("voltage", "voltage", "sensor"),
    "current": ("current", "current", "sensor"),
    "battery": ("battery", "battery", "sensor"),
    "contact": ("contact", "door", "binary_sensor"),
    "occupancy": ("motion", "occupancy", "binary_sensor"),
    "water_leak": ("leak", "moisture", "binary_sensor"),
    "smoke": ("smoke", "smoke", "binary_sensor"),
    "tamper": ("tamper", "tamper", "binary_sensor"),
}
_READ = 1  # `access` bit: the value is published in the state


def _features(expose: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = expose.get("features")
    return [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []


def _prop(feature: Mapping[str, Any]) -> str:
    return str(feature.get("property") or feature.get("name") or "")


def _specific(kind: DeviceKind, expose: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
    """(dimmable, features) of a light/switch/fan/cover/lock/climate expose."""
    feats = _features(expose)
    props = {_prop(f): f for f in feats}
    out: dict[str, Any] = {}
    if kind == "fan":
        out["state_property"] = "fan_state" if "fan_state" in props or "state" not in props \
            else "state"
        mode = props.get("fan_mode")
        if mode is not None and isinstance(mode.get("values"), list):
            out["fan_modes"] = tuple(str(v) for v in mode["values"] if isinstance(v, str))[:12]
        speed = props.get("speed")
        if speed is not None and (top := number(speed.get("value_max"))):
            out["speed_max"] = int(top)
    elif kind == "climate":
        for name in ("occupied_heating_setpoint", "current_heating_setpoint",
                     "occupied_cooling_setpoint"):
            if name in props:
                feature = props[name]
                out["setpoint_property"] = name
                for key, src in (("setpoint_min", "value_min"), ("setpoint_max", "value_max"),
                                 ("setpoint_step", "value_step")):
                    value = number(feature.get(src))
                    if value is not None:
                        out[key] = value
                if isinstance(feature.get("unit"), str):
                    out["unit"] = str(feature["unit"])[:8]
                break
        if "local_temperature" in props:
            out["current_property"] = "local_temperature"
    elif kind == "cover":
        out["position"] = "position" in props
        state = props.get("state")
        values = state.get("values") if state else None
        out["stop"] = isinstance(values, list) and "STOP" in values
    return "brightness" in props, out


def _sensor(ieee: str, friendly: str, name: str, base: str, expose: Mapping[str, Any],
            ) -> Device | None:
    prop = _prop(expose)
    known = SENSOR_PROPERTIES.get(prop)
    access = expose.get("access")
    if known is None or (isinstance(access, int) and not access & _READ):
        return None
    label, device_class, kind = known
    # "hall thermometer temperature" reads badly: a name that says it already stays as is.
    spoken = name if label in name.split() else f"{name} {label}"
    features: dict[str, Any] = {}
    if prop == "contact":
        features["on_when"] = False  # contact true means closed: "on" (open) is false
    unit = expose.get("unit")
    return Device(
        id=f"z2m_{slug(ieee)}_{slug(prop)}",
        name=spoken[:MAX_NAME],
        kind=kind,
        protocol="zigbee2mqtt",
        source="zigbee2mqtt",
        address=friendly,
        state_topic=f"{base}/{friendly}",
        device_class=device_class,
        unit=str(unit)[:8] if isinstance(unit, str) else None,
        value_key=prop,
        features=features,
    )


def _check_list(doc: Any) -> list[dict[str, Any]]:
    """The device list, or MalformedMessage naming what makes it not one (so it is refused whole)."""
    if not isinstance(doc, list):
        raise MalformedMessage("bridge/devices is not a JSON list")
    if len(doc) > Z2M_MAX_DEVICES:
        raise MalformedMessage(f"bridge/devices lists {len(doc)} devices (at most {Z2M_MAX_DEVICES})")
    for index, entry in enumerate(doc):
        where = f"bridge/devices[{index}]"
        if not isinstance(entry, dict):
            raise MalformedMessage(f"{where} is not an object")
        for key in ("friendly_name", "ieee_address", "type"):
            if key in entry and not isinstance(entry[key], str):
                raise MalformedMessage(f"{where}.{key} is not a string")
        if not isinstance(entry.get("friendly_name"), str):
            raise MalformedMessage(f"{where}.friendly_name is missing")
        definition = entry.get("definition")
        if definition is not None and not isinstance(definition, dict):
            raise MalformedMessage(f"{where}.definition is not an object")
        exposes = definition.get("exposes") if definition else None
        if exposes is not None and not isinstance(exposes, list):
            raise MalformedMessage(f"{where}.definition.exposes is not a list")
    return doc


def _entities(entry: dict[str, Any], base: str) -> list[Device]:
    friendly = text(entry.get("friendly_name"), 200)
    definition = entry.get("definition")
    exposes = definition.get("exposes") if isinstance(definition, dict) else None
    if friendly is None or topic(friendly) is None or not isinstance(exposes, list):
        return []  # `definition` is null for devices Zigbee2MQTT does not support
    ieee = text(entry.get("ieee_address"), 40) or friendly
    name = normalise(friendly.replace("/", " "))[:MAX_NAME]
    out: list[Device] = []
    sensors: list[Device] = []
    for expose in exposes:
        if not isinstance(expose, dict):
            continue
        kind = _EXPOSE_KIND.get(str(expose.get("type")))
        if kind is not None and not out:
            dimmable, features = _specific(kind, expose)
            out.append(Device(
                id=f"z2m_{slug(ieee)}", name=name, kind=kind, protocol="zigbee2mqtt",
                source="zigbee2mqtt", address=friendly, command_topic=f"{base}/{friendly}/set",
                state_topic=f"{base}/{friendly}", dimmable=dimmable, features=features,
                unit=features.get("unit")))
            continue
        sensor = _sensor(ieee, friendly, name, base, expose)
        if sensor is not None and all(s.id != sensor.id for s in sensors):
            sensors.append(sensor)
    if not out and not sensors and exposes:
        # Buttons and the like report but take no commands: known by name, nothing to ask.
        out.append(Device(id=f"z2m_{slug(ieee)}", name=name, kind="sensor",
                          protocol="zigbee2mqtt", source="zigbee2mqtt", address=friendly,
                          state_topic=f"{base}/{friendly}"))
    if out and any(s.name == name for s in sensors):
        sensors = [s if s.name != name else _renamed(s) for s in sensors]
    return out + sensors


def _renamed(sensor: Device) -> Device:
    return replace(sensor, name=f"{sensor.name} {sensor.value_key}"[:MAX_NAME])


def parse_z2m_devices(payload: bytes, base: str) -> list[Device]:
    """The retained `<base>/bridge/devices` list, minus the coordinator and unsupported ones.

    MalformedMessage when the payload is not a well-formed device list (wrong types, more than
    `Z2M_MAX_DEVICES` entries, nesting over `Z2M_MAX_DEPTH`): the caller keeps what it knew.
    """
    doc = _check_list(load_json(payload, max_depth=Z2M_MAX_DEPTH))
    devices: list[Device] = []
    for entry in doc:
        if entry.get("type") == "Coordinator":
            continue
        if entry.get("supported") is False or entry.get("disabled") is True:
            continue
        devices += _entities(entry, base)
    return devices


def parse_z2m_groups(payload: bytes, base: str) -> list[Device]:
    """Scenes stored in groups (`<base>/bridge/groups`): recalled with `{"scene_recall": id}`."""
    doc = load_json(payload, max_depth=Z2M_MAX_DEPTH)
    if not isinstance(doc, list):
        raise MalformedMessage("bridge/groups is not a JSON list")
    scenes: list[Device] = []
    for group in doc[:500]:
        if not isinstance(group, dict):
            continue
        friendly = text(group.get("friendly_name"), 200)
        found = group.get("scenes")
        if friendly is None or topic(friendly) is None or not isinstance(found, list):
            continue
        for scene in found[:64]:
            if not isinstance(scene, dict) or isinstance(scene.get("id"), bool) \
                    or not isinstance(scene.get("id"), int):
                continue
            scene_name = text(scene.get("name")) or f"{friendly} scene {scene['id']}"
            scenes.append(Device(
                id=f"z2m_scene_{slug(friendly)}_{scene['id']}", name=normalise(scene_name),
                kind="scene", protocol="zigbee2mqtt", source="zigbee2mqtt", address=friendly,
                command_topic=f"{base}/{friendly}/set", features={"scene_id": scene["id"]}))
    return scenes
