"""Protocol adapters: a desired state becomes a publish; a state message becomes values.

One function pair per protocol. Commands are QoS 1 and never retained: a retained command
is replayed to the device on every reconnect ("ghost switching", REFERENCE.md §4.3).
"""

from __future__ import annotations

import json
from typing import Any

from agent.devices.model import DesiredState, Device, PlannedCommand
from agent.errors import DeviceError, MalformedMessage
from agent.mqtt.payload import decode_text, load_json

# Zigbee2MQTT brightness runs 0-254.
_Z2M_MAX_BRIGHTNESS = 254


def _z2m_state_word(device: Device, action: str) -> str:
    if device.kind == "lock":
        return {"on": "LOCK", "off": "UNLOCK"}.get(action, "TOGGLE")
    if device.kind in ("cover", "garage"):
        return {"on": "OPEN", "off": "CLOSE"}.get(action, "TOGGLE")
    return action.upper()


def plan_zigbee2mqtt(device: Device, desired: DesiredState, base: str) -> PlannedCommand:
    """`<base>/<friendly name>/set` with a JSON body."""
    name = device.address or device.name
    topic = device.command_topic or f"{base}/{name}/set"
    body: dict[str, Any]
    if desired.position is not None:
        body = {"position": desired.position}
    elif desired.brightness is not None:
        level = round(desired.brightness * _Z2M_MAX_BRIGHTNESS / 100)
        body = {"state": "ON" if level else "OFF"}
        if level:
            body["brightness"] = level
    else:
        if desired.action == "toggle" and device.kind in ("lock", "cover", "garage"):
            raise DeviceError(f"{device.name} cannot be toggled; say open/close or lock/unlock")
        body = {"state": _z2m_state_word(device, desired.action)}
    return PlannedCommand(topic, json.dumps(body, separators=(",", ":")),
                          needs_confirmation=device.sensitive)


def plan_tasmota(device: Device, desired: DesiredState) -> PlannedCommand:
    """`cmnd/<topic>/POWER[n]` with ON/OFF/TOGGLE, or `cmnd/<topic>/Dimmer` with a percentage."""
    if device.command_topic is None:
        raise DeviceError(f"{device.name} has no Tasmota command topic")
    if desired.position is not None:
        raise DeviceError(f"{device.name} has no position to set")
    if desired.brightness is not None:
        if not desired.brightness:
            return PlannedCommand(device.command_topic, device.payloads.get("off", "OFF"),
                                  needs_confirmation=device.sensitive)
        base = device.command_topic.rsplit("/", 1)[0]
        return PlannedCommand(f"{base}/Dimmer", str(desired.brightness),
                              needs_confirmation=device.sensitive)
    payload = device.payloads.get(desired.action, desired.action.upper())
    return PlannedCommand(device.command_topic, payload, needs_confirmation=device.sensitive)


def plan_topic(device: Device, desired: DesiredState) -> PlannedCommand:
    """Plain topics and HA-discovered entities: the configured payloads on the command topic."""
    if device.command_topic is None:
        raise DeviceError(f"{device.name} has no command topic")
    sensitive = device.sensitive
    if desired.position is not None:
        if device.position_topic is None:
            raise DeviceError(f"{device.name} has no position to set")
        return PlannedCommand(device.position_topic, str(desired.position),
                              needs_confirmation=sensitive)
    if desired.brightness is not None:
        if device.json_commands:
            level = round(desired.brightness * device.brightness_scale / 100)
            body: dict[str, Any] = {"state": "ON" if level else "OFF"}
            if level:
                body["brightness"] = level
            return PlannedCommand(device.command_topic, json.dumps(body, separators=(",", ":")),
                                  needs_confirmation=sensitive)
        if device.brightness_topic is None:
            raise DeviceError(f"{device.name} cannot be dimmed")
        level = round(desired.brightness * device.brightness_scale / 100)
        return PlannedCommand(device.brightness_topic, str(level), needs_confirmation=sensitive)
    if device.json_commands:
        word = {"on": "ON", "off": "OFF", "toggle": "TOGGLE"}[desired.action]
        return PlannedCommand(device.command_topic, json.dumps({"state": word}),
                              needs_confirmation=sensitive)
    payload = device.payloads.get(desired.action)
    if payload is None:
        raise DeviceError(f"{device.name} has no payload for {desired.action!r}")
    return PlannedCommand(device.command_topic, payload, needs_confirmation=sensitive)


def plan(device: Device, desired: DesiredState, *, z2m_base: str = "zigbee2mqtt") -> PlannedCommand:
    """The publish that would move `device` to `desired`; DeviceError when it cannot."""
    if not device.controllable:
        raise DeviceError(f"{device.name} is a sensor; it cannot be switched")
    if desired.brightness is not None and not 0 <= desired.brightness <= 100:
        raise DeviceError(f"brightness must be 0-100, not {desired.brightness}")
    if desired.position is not None and not 0 <= desired.position <= 100:
        raise DeviceError(f"position must be 0-100, not {desired.position}")
    if device.protocol == "zigbee2mqtt":
        return plan_zigbee2mqtt(device, desired, z2m_base)
    if device.protocol == "tasmota":
        return plan_tasmota(device, desired)
    return plan_topic(device, desired)


def parse_state(device: Device, topic: str, payload: bytes) -> dict[str, Any]:
    """Values from a state message; MalformedMessage when the payload is not what the device sends."""
    text = decode_text(payload)
    if device.protocol == "zigbee2mqtt" or device.json_commands:
        doc = load_json(text)
        if not isinstance(doc, dict):
            raise MalformedMessage("state is not a JSON object")
        values = {k: v for k, v in doc.items() if isinstance(v, str | int | float | bool)}
        state = values.get("state")
        if isinstance(state, str):
            values["state"] = _on_off(device, state)
        return values
    if device.protocol == "tasmota":
        if topic.endswith(("/RESULT", "/STATE")):
            doc = load_json(text)
            if not isinstance(doc, dict):
                raise MalformedMessage("Tasmota state is not a JSON object")
            key = (device.command_topic or "POWER").rsplit("/", 1)[-1]
            if key not in doc:
                return {}
            return {"state": _on_off(device, str(doc[key]))}
        return {"state": _on_off(device, text)}
    return {"state": _on_off(device, text)}


def _on_off(device: Device, word: str) -> str:
    """Map a device's own words (ON, LOCKED, open, 1, ...) to "on"/"off" where known."""
    raw = word.strip()
    if raw == device.state_values.get("on"):
        return "on"
    if raw == device.state_values.get("off"):
        return "off"
    lowered = raw.lower()
    if lowered in ("on", "locked", "open", "1", "true", "armed_away", "armed_home"):
        return "on"
    if lowered in ("off", "unlocked", "closed", "0", "false", "disarmed"):
        return "off"
    return lowered[:32]
