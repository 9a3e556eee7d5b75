"""Device state: which topics report it, what a message says, and whether it is still true.

`parse` turns one state message into values for one device (`{"state": "on"}` for switches
and binary sensors, `{"value": 21.5}` for sensors, `{"current", "target"}` for thermostats);
`reading` says whether the last values may be answered with: never reported, offline, or
older than the device's age limit (override `max_age`, then the announcement's
`expire_after`, then `[discovery] state_max_age` for sensors) all answer "unknown".
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from agent.devices import adapters
from agent.devices.model import Device, DeviceState
from agent.devices.templates import Template, parse_template
from agent.errors import MalformedMessage
from agent.mqtt.payload import decode_text, load_json

SENSOR_KINDS = frozenset({"sensor", "binary_sensor"})


@dataclass(frozen=True, slots=True)
class Reading:
    """One device's last value and whether it may be answered with."""

    value: Any
    unit: str | None
    at: float | None           # wall-clock seconds of the report, None when never
    fresh: bool
    why: str | None = None     # when not fresh: "has not reported", "is offline", ...


def state_topics(device: Device) -> Iterable[str]:
    """Every topic carrying `device`'s state or availability."""
    if device.state_topic:
        yield device.state_topic
    for key in ("temperature_state_topic", "position_state_topic", "availability_topic"):
        value = device.features.get(key)
        if isinstance(value, str):
            yield value
    if device.protocol == "tasmota" and device.address:
        if device.controllable:
            yield f"stat/{device.address}/RESULT"
            yield f"tele/{device.address}/STATE"
        yield f"tele/{device.address}/LWT"
    if device.protocol == "zigbee2mqtt" and device.state_topic:
        yield f"{device.state_topic}/availability"


def availability_of(device: Device, topic: str, payload: bytes) -> bool | None:
    """True/False when `topic` is `device`'s availability topic, else None."""
    words = device.features.get("availability_words")
    if topic == device.features.get("availability_topic") and isinstance(words, Mapping):
        text = decode_text(payload).strip()
        if text == words.get("online"):
            return True
        return False if text == words.get("offline") else None
    if topic.endswith(("/availability", "/LWT")) and topic != device.state_topic:
        text = decode_text(payload).strip()
        if text.startswith("{"):
            doc = load_json(text)
            text = str(doc.get("state", "")) if isinstance(doc, dict) else ""
        return text.lower() in ("online", "true", "1")
    return None


@lru_cache(maxsize=512)
def _template(source: str) -> Template:
    return parse_template(source)  # checked at discovery; cached per source


def _render(device: Device, key: str, payload: bytes) -> Any:
    source = device.features.get(key)
    text = decode_text(payload)
    if isinstance(source, str):
        return _template(source).render(text)
    return text.strip()


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value.strip()[:32]
    return value


def parse(device: Device, topic: str, payload: bytes) -> dict[str, Any]:
    """Values from one state message; MalformedMessage when it is not what the device sends."""
    if device.protocol == "homeassistant":
        return _parse_ha(device, topic, payload)
    if device.protocol == "zigbee2mqtt":
        return _parse_z2m(device, payload)
    if device.protocol == "tasmota" and device.kind == "sensor":
        return _parse_tasmota_sensor(device, topic, payload)
    values = adapters.parse_state(device, topic, payload)
    if device.kind == "binary_sensor" and "state" in values:
        return {"state": values["state"]}
    if device.kind == "sensor":
        return {"value": _number(decode_text(payload).strip())}
    return values


def _parse_ha(device: Device, topic: str, payload: bytes) -> dict[str, Any]:
    feats = device.features
    if device.kind == "climate":
        if topic == feats.get("temperature_state_topic"):
            return {"target": _number(_render(device, "temperature_state_template", payload))}
        return {"current": _number(_render(device, "current_temperature_template", payload))}
    if topic == feats.get("position_state_topic") and topic != device.state_topic:
        return {"position": _number(_render(device, "position_template", payload))}
    if device.kind == "sensor":
        return {"value": _number(_render(device, "value_template", payload))}
    if device.kind == "binary_sensor":
        return _ha_binary(device, payload)
    return adapters.parse_state(device, topic, payload)


def _ha_binary(device: Device, payload: bytes) -> dict[str, Any]:
    value = _render(device, "value_template", payload)
    raw = ("true" if value else "false") if isinstance(value, bool) else str(value)
    words = device.features.get("binary_words") or {"on": "ON", "off": "OFF"}
    if raw == words.get("on"):
        return {"state": "on"}
    return {"state": "off"} if raw == words.get("off") else {}


def _parse_z2m(device: Device, payload: bytes) -> dict[str, Any]:
    doc = load_json(decode_text(payload))
    if not isinstance(doc, dict):
        raise MalformedMessage("state is not a JSON object")
    at = _last_seen(doc.get("last_seen"))
    stamp = {"_at": at} if at is not None else {}
    if device.value_key is not None:
        if device.value_key not in doc:
            return {}
        value = doc[device.value_key]
        if device.kind == "binary_sensor":
            if not isinstance(value, bool):
                return {}
            on_when = device.features.get("on_when", True)
            return {"state": "on" if value == on_when else "off", **stamp}
        return {"value": _number(value), **stamp} if isinstance(value, int | float | str) \
            else {}
    values = adapters.parse_state(device, "", payload)
    prop = device.features.get("state_property")
    if prop == "fan_state" and isinstance(doc.get("fan_state"), str):
        values["state"] = "on" if doc["fan_state"].upper() == "ON" else "off"
    for key, name in (("setpoint_property", "target"), ("current_property", "current")):
        source = device.features.get(key)
        if isinstance(source, str) and isinstance(doc.get(source), int | float):
            values[name] = doc[source]
    return {**values, **stamp}


def _parse_tasmota_sensor(device: Device, topic: str, payload: bytes) -> dict[str, Any]:
    if not topic.endswith("/SENSOR") or device.value_key is None:
        return {}
    doc = load_json(decode_text(payload))
    sensor, _, key = device.value_key.partition(".")
    block = doc.get(sensor) if isinstance(doc, dict) else None
    value = block.get(key) if isinstance(block, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {}
    if device.features.get("fahrenheit"):
        value = round((value - 32) * 5 / 9, 1)
    return {"value": value}


def _last_seen(value: Any) -> float | None:
    """Zigbee2MQTT's `last_seen`: ISO 8601 text or epoch milliseconds."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1e11:
        return float(value) / 1000
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def update(state: DeviceState, values: dict[str, Any], now: float) -> None:
    """Merge parsed values into `state`, stamped with the report's own time when it has one."""
    at = values.pop("_at", None)
    state.values.update(values)
    state.updated_at = at if isinstance(at, float) and at <= now + 60 else now


def max_age(device: Device, default: float) -> float | None:
    """Seconds a reading stays true: override/config, announcement, sensor default; None: forever."""
    if device.max_age is not None:
        return device.max_age
    if device.expire_after is not None:
        return device.expire_after
    return default if device.kind in SENSOR_KINDS else None


def reading(device: Device, state: DeviceState | None, *, default_max_age: float,
            now: float | None = None) -> Reading:
    """Whether `device`'s last report may be answered with, and what it said."""
    now = time.time() if now is None else now
    values = state.values if state is not None else {}
    key = "value" if device.kind == "sensor" else "current" if device.kind == "climate" \
        else "state"
    value = values.get(key)
    if state is not None and state.available is False:
        return Reading(value, device.unit, state.updated_at or None, False, "is offline")
    if state is None or not state.updated_at or value is None:
        return Reading(None, device.unit, None, False, "has not reported")
    limit = max_age(device, default_max_age)
    age = now - state.updated_at
    if limit is not None and age > limit:
        return Reading(value, device.unit, state.updated_at, False,
                       f"has not reported for {_span(age)}")
    return Reading(value, device.unit, state.updated_at, True)


def _span(seconds: float) -> str:
    if seconds >= 5400:
        return f"{round(seconds / 3600)} hours"
    if seconds >= 90:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds)} seconds"
