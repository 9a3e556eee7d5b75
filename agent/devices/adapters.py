"""Protocol adapters: a desired state becomes a publish; a state message becomes values.

One function pair per protocol. Commands are QoS 1 and never retained: a retained command
is replayed to the device on every reconnect ("ghost switching").
"""

from __future__ import annotations

import json
from typing import Any

from agent.devices.model import DesiredState, Device, PlannedCommand
from agent.errors import DeviceError, MalformedMessage
from agent.mqtt.payload import decode_text, load_json

# Zigbee2MQTT brightness runs 0-254.
_Z2M_MAX_BRIGHTNESS = 254
# Fan speeds a mode-only Zigbee fan offers, slowest first (herdsman-converters `fanMode`).
_FAN_SPEEDS = ("low", "medium", "high")
_DEFAULT_SETPOINT = "occupied_heating_setpoint"


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))


def _fan_mode(device: Device, percentage: int) -> str:
    if percentage == 0:
        return "off"
    offered = [m for m in _FAN_SPEEDS if m in device.features.get("fan_modes", _FAN_SPEEDS)]
    if not offered:
        raise DeviceError(f"{device.name} offers no fan speeds")
    # Each offered speed covers an equal share of 1-100%: with low/medium/high, 50% is medium.
    index = min(len(offered) - 1, (percentage - 1) * len(offered) // 100)
    return offered[index]


def _setpoint(device: Device, temperature: float) -> float:
    low = device.features.get("setpoint_min")
    high = device.features.get("setpoint_max")
    step = device.features.get("setpoint_step") or 0.5
    value = round(round(temperature / step) * step, 2)
    if low is not None:
        value = max(float(low), value)
    if high is not None:
        value = min(float(high), value)
    return int(value) if value == int(value) else value


def _z2m_special(device: Device, desired: DesiredState) -> dict[str, Any] | None:  # noqa: PLR0911 - one per field
    """The body for a fan speed, setpoint, stop, step or scene; None for on/off/level."""
    if desired.scene:
        if device.kind != "scene":
            raise DeviceError(f"{device.name} is not a scene")
        return {"scene_recall": device.features.get("scene_id")}
    if desired.stop:
        if device.kind not in ("cover", "garage"):
            raise DeviceError(f"{device.name} cannot be stopped")
        return {"state": "STOP"}
    if desired.temperature is not None:
        if device.kind != "climate":
            raise DeviceError(f"{device.name} has no temperature to set")
        prop = device.features.get("setpoint_property") or _DEFAULT_SETPOINT
        return {prop: _setpoint(device, desired.temperature)}
    if desired.percentage is not None:
        if device.kind != "fan":
            raise DeviceError(f"{device.name} is not a fan")
        top = device.features.get("speed_max")
        if top and "fan_modes" not in device.features:
            return {"speed": round(desired.percentage * int(top) / 100)}
        return {"fan_mode": _fan_mode(device, desired.percentage)}
    if desired.step is not None:
        if not device.dimmable:
            raise DeviceError(f"{device.name} cannot be dimmed")
        return {"brightness_step": round(_Z2M_MAX_BRIGHTNESS * desired.step / 100)}
    return None


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
    special = _z2m_special(device, desired)
    if special is not None:
        body = special
    elif desired.position is not None:
        body = {"position": desired.position}
    elif desired.brightness is not None:
        level = round(desired.brightness * _Z2M_MAX_BRIGHTNESS / 100)
        body = {"state": "ON" if level else "OFF"}
        if level:
            body["brightness"] = level
    else:
        if desired.action == "toggle" and device.kind in ("lock", "cover", "garage"):
            raise DeviceError(f"{device.name} cannot be toggled; say open/close or lock/unlock")
        if device.kind == "climate" or (device.kind == "scene" and desired.action != "on"):
            raise DeviceError(f"{device.name} cannot be switched {desired.action}")
        prop = "state"
        if device.kind == "fan":
            prop = device.features.get("state_property") or "fan_state"
        body = {prop: _z2m_state_word(device, desired.action)}
        if device.kind == "scene":
            body = {"scene_recall": device.features.get("scene_id")}
    return PlannedCommand(topic, _json(body),
                          needs_confirmation=device.sensitive)


def plan_tasmota(device: Device, desired: DesiredState) -> PlannedCommand:
    """`cmnd/<topic>/POWER[n]` with ON/OFF/TOGGLE, or `cmnd/<topic>/Dimmer` with a percentage."""
    if device.command_topic is None:
        raise DeviceError(f"{device.name} has no Tasmota command topic")
    base = device.command_topic.rsplit("/", 1)[0]
    if desired.stop:
        return PlannedCommand(f"{base}/ShutterStop", "", needs_confirmation=device.sensitive)
    if desired.percentage is not None:
        if device.kind != "fan":
            raise DeviceError(f"{device.name} is not a fan")
        # Sonoff iFan: FanSpeed 0 (off) to 3.
        return PlannedCommand(f"{base}/FanSpeed", str(round(desired.percentage * 3 / 100)),
                              needs_confirmation=device.sensitive)
    if desired.step is not None:
        if not device.dimmable:
            raise DeviceError(f"{device.name} cannot be dimmed")
        return PlannedCommand(f"{base}/Dimmer", "+" if desired.step > 0 else "-",
                              needs_confirmation=device.sensitive)
    if desired.temperature is not None or desired.scene:
        raise DeviceError(f"{device.name} cannot do that over Tasmota")
    if desired.position is not None:
        raise DeviceError(f"{device.name} has no position to set")
    if desired.brightness is not None:
        if not desired.brightness:
            return PlannedCommand(device.command_topic, device.payloads.get("off", "OFF"),
                                  needs_confirmation=device.sensitive)
        return PlannedCommand(f"{base}/Dimmer", str(desired.brightness),
                              needs_confirmation=device.sensitive)
    payload = device.payloads.get(desired.action, desired.action.upper())
    return PlannedCommand(device.command_topic, payload, needs_confirmation=device.sensitive)


def _ha_special(device: Device, desired: DesiredState,  # noqa: PLR0911 - one per field
                brightness_now: Any) -> PlannedCommand | None:
    """HA discovery: fan speed, setpoint, stop, step and scene; None for the rest."""
    feats, sensitive = device.features, device.sensitive
    if desired.scene and device.kind == "scene" and device.command_topic:
        return PlannedCommand(device.command_topic, device.payloads.get("on", "ON"),
                              needs_confirmation=sensitive)
    if desired.stop and "stop_payload" in feats and device.command_topic:
        return PlannedCommand(device.command_topic, str(feats["stop_payload"]),
                              needs_confirmation=sensitive)
    if desired.temperature is not None and isinstance(feats.get("temperature_command_topic"), str):
        value = _setpoint(device, desired.temperature)
        return PlannedCommand(feats["temperature_command_topic"], str(value),
                              needs_confirmation=sensitive)
    if desired.percentage is not None and isinstance(feats.get("percentage_command_topic"), str):
        low, high = feats.get("speed_range", (1, 100))
        if desired.percentage == 0:
            return None  # off: the command topic's payload_off
        level = max(low, min(high, round(low - 1 + desired.percentage * (high - low + 1) / 100)))
        return PlannedCommand(feats["percentage_command_topic"], str(level),
                              needs_confirmation=sensitive)
    if desired.step is not None and device.dimmable:
        if not isinstance(brightness_now, int | float) or isinstance(brightness_now, bool):
            raise DeviceError(f"I don't know how bright {device.name} is now; say a percentage")
        scale = device.brightness_scale
        level = max(0, min(scale, round(brightness_now + scale * desired.step / 100)))
        if device.json_commands and device.command_topic:
            return PlannedCommand(device.command_topic, _json(
                {"state": "ON" if level else "OFF", "brightness": level}),
                needs_confirmation=sensitive)
        if device.brightness_topic:
            return PlannedCommand(device.brightness_topic, str(level), needs_confirmation=sensitive)
    return None


def _plain(device: Device, desired: DesiredState) -> DesiredState:
    """What is left for a plain payload: refuse what needs a topic the device lacks."""
    if desired.stop or desired.temperature is not None or desired.step is not None or (
            desired.percentage not in (None, 0)):
        raise DeviceError(f"{device.name} cannot do that (it has no topic for it)")
    return DesiredState("off") if desired.percentage == 0 else desired


def plan_topic(device: Device, desired: DesiredState,
               brightness_now: Any = None) -> PlannedCommand:
    """Plain topics and HA-discovered entities: the configured payloads on the command topic."""
    if device.protocol == "homeassistant":
        special = _ha_special(device, desired, brightness_now)
        if special is not None:
            return special
    desired = _plain(device, desired)
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


def plan(device: Device, desired: DesiredState, *, z2m_base: str = "zigbee2mqtt",
         brightness_now: Any = None) -> PlannedCommand:
    """The publish that would move `device` to `desired`; DeviceError when it cannot.

    `brightness_now` (the last reported level) is needed only for a relative step on
    protocols with no relative command (HA discovery).
    """
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
    return plan_topic(device, desired, brightness_now)


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
            found: dict[str, Any] = {}
            if key in doc:
                found["state"] = _on_off(device, str(doc[key]))
            if isinstance(doc.get("Dimmer"), int) and device.dimmable:
                found["brightness"] = doc["Dimmer"]  # percent, as Tasmota reports it
            return found
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
