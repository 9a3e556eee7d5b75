"""Discovery payloads to devices: Zigbee2MQTT, Home Assistant MQTT discovery, Tasmota.

Every payload here is untrusted: each parser raises MalformedMessage (the bridge counts it as
malformed) or skips what it does not understand. No payload can choose a topic outside
what its own protocol's conventions allow a device to have.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from agent.config.home import DeviceKind
from agent.devices.model import Device, normalise, slug
from agent.errors import MalformedMessage
from agent.mqtt.payload import load_json

_T = TypeVar("_T")
_ID_PART = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_NAME = 80

# Home Assistant's abbreviations for the keys hearth reads.
_HA_ABBREVIATIONS = {
    "cmd_t": "command_topic", "stat_t": "state_topic", "pl_on": "payload_on",
    "pl_off": "payload_off", "pl_open": "payload_open", "pl_cls": "payload_close",
    "pl_stop": "payload_stop", "pl_lock": "payload_lock", "pl_unlk": "payload_unlock",
    "pl_arm_away": "payload_arm_away", "pl_disarm": "payload_disarm",
    "stat_on": "state_on", "stat_off": "state_off", "stat_locked": "state_locked",
    "stat_unlocked": "state_unlocked", "stat_open": "state_open", "stat_clsd": "state_closed",
    "bri_cmd_t": "brightness_command_topic", "bri_scl": "brightness_scale",
    "set_pos_t": "set_position_topic", "uniq_id": "unique_id", "dev": "device",
    "dev_cla": "device_class", "sa": "suggested_area", "avty_t": "availability_topic",
}
_HA_COMPONENT_KIND: dict[str, DeviceKind] = {
    "switch": "switch", "light": "light", "fan": "fan", "cover": "cover", "lock": "lock",
    "alarm_control_panel": "alarm", "climate": "climate", "valve": "valve",
}
_GARAGE_CLASSES = frozenset({"garage", "gate", "door"})
# A discovery config is a flat object with a `device` block and a few small lists.
_CONFIG_MAX_DEPTH = 8
# Zigbee2MQTT's device list: list, device, definition, exposes, feature, composite features...
Z2M_MAX_DEPTH = 16
Z2M_MAX_DEVICES = 2000


def _text(value: Any, limit: int = _MAX_NAME) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _topic(value: Any) -> str | None:
    if not isinstance(value, str) or not value or len(value) > 256:
        return None
    if "+" in value or "#" in value or value.startswith("$") or "\x00" in value:
        return None
    return value


def _of(doc: dict[str, Any], key: str, kind: type[_T], default: _T) -> _T:
    value = doc.get(key)
    return value if isinstance(value, kind) else default


def _load_object(payload: bytes) -> dict[str, Any]:
    doc = load_json(payload, max_depth=_CONFIG_MAX_DEPTH)
    if not isinstance(doc, dict):
        raise MalformedMessage("discovery payload is not a JSON object")
    return doc


# -- Zigbee2MQTT ------------------------------------------------------------------------

_Z2M_EXPOSE_KIND: dict[str, DeviceKind] = {
    "light": "light", "switch": "switch", "lock": "lock", "cover": "cover", "fan": "fan",
    "climate": "climate",
}


def _z2m_kind(definition: Any) -> tuple[DeviceKind, bool] | None:
    exposes = definition.get("exposes") if isinstance(definition, dict) else None
    if not isinstance(exposes, list):
        return None
    for expose in exposes:
        if not isinstance(expose, dict):
            continue
        kind = _Z2M_EXPOSE_KIND.get(str(expose.get("type")))
        if kind is not None:
            features = expose.get("features")
            dimmable = isinstance(features, list) and any(
                isinstance(f, dict) and f.get("name") == "brightness" for f in features)
            return kind, dimmable
    # Buttons and sensors report but take no commands.
    return ("sensor", False) if exposes else None


def _check_z2m_list(doc: Any) -> list[dict[str, Any]]:
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


def parse_z2m_devices(payload: bytes, base: str) -> list[Device]:
    """The retained `<base>/bridge/devices` list, minus the coordinator and unsupported ones.

    MalformedMessage when the payload is not a well-formed device list (wrong types, more than
    `Z2M_MAX_DEVICES` entries, nesting over `Z2M_MAX_DEPTH`): the caller keeps what it knew.
    """
    doc = _check_z2m_list(load_json(payload, max_depth=Z2M_MAX_DEPTH))
    devices: list[Device] = []
    for entry in doc:
        if entry.get("type") == "Coordinator":
            continue
        if entry.get("supported") is False or entry.get("disabled") is True:
            continue
        friendly = _text(entry.get("friendly_name"), 200)
        if friendly is None or _topic(friendly) is None:
            continue
        found = _z2m_kind(entry.get("definition"))
        if found is None:
            continue
        kind, dimmable = found
        ieee = _text(entry.get("ieee_address"), 40) or friendly
        devices.append(Device(
            id=f"z2m_{slug(ieee)}",
            name=normalise(friendly.replace("/", " "))[:_MAX_NAME],
            kind=kind,
            protocol="zigbee2mqtt",
            source="zigbee2mqtt",
            address=friendly,
            command_topic=f"{base}/{friendly}/set",
            state_topic=f"{base}/{friendly}",
            dimmable=dimmable,
        ))
    return devices


# -- Home Assistant MQTT discovery ------------------------------------------------------


def ha_config_key(topic: str, prefix: str) -> tuple[str, str] | None:
    """(component, object key) for `<prefix>/<component>/[<node>/]<object>/config`, else None."""
    parts = topic.split("/")
    head = prefix.split("/")
    if parts[: len(head)] != head or parts[-1] != "config":
        return None
    rest = parts[len(head):-1]
    if len(rest) not in (2, 3) or not all(_ID_PART.match(p) for p in rest):
        return None
    return rest[0], "/".join(rest[1:])


def _expand(doc: dict[str, Any]) -> dict[str, Any]:
    out = {_HA_ABBREVIATIONS.get(k, k): v for k, v in doc.items()}
    base = out.get("~")
    if isinstance(base, str):
        for key, value in list(out.items()):
            if key.endswith("_topic") and isinstance(value, str):
                if value.startswith("~"):
                    out[key] = base + value[1:]
                elif value.endswith("~"):
                    out[key] = value[:-1] + base
    device = out.get("device")
    if isinstance(device, dict):
        out["device"] = {_HA_ABBREVIATIONS.get(k, k): v for k, v in device.items()}
    return out


def parse_ha_config(topic: str, payload: bytes, prefix: str) -> tuple[str, Device | None] | None:
    """(registry key, device) from one discovery config; device None means "removed".

    Returns None for topics and components hearth does not command.
    """
    key = ha_config_key(topic, prefix)
    if key is None:
        return None
    component, object_key = key
    kind = _HA_COMPONENT_KIND.get(component)
    if kind is None:
        return None
    reg_key = f"ha_{component}_{slug(object_key)}"
    if not payload.strip():
        return reg_key, None  # an empty retained config deletes the entity
    doc = _expand(_load_object(payload))
    command_topic = _topic(doc.get("command_topic"))
    if command_topic is None:
        return None
    raw_info = doc.get("device")
    device_info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    name = _text(doc.get("name")) or _text(device_info.get("name"))
    if name is None:
        name = object_key.rsplit("/", 1)[-1].replace("_", " ")
    if kind == "cover" and doc.get("device_class") in _GARAGE_CLASSES:
        kind = "garage"
    payloads = _ha_payloads(kind, doc)
    state_values = _ha_state_values(kind, doc)
    scale = doc.get("brightness_scale", 255)
    json_schema = component == "light" and doc.get("schema") == "json"
    brightness_topic = _topic(doc.get("brightness_command_topic"))
    area = _text(device_info.get("suggested_area"))
    return reg_key, Device(
        id=reg_key,
        name=normalise(name)[:_MAX_NAME],
        kind=kind,
        protocol="homeassistant",
        source="homeassistant",
        area=normalise(area) if area else None,
        command_topic=command_topic,
        state_topic=_topic(doc.get("state_topic")),
        payloads=payloads,
        state_values=state_values,
        brightness_topic=brightness_topic,
        brightness_scale=scale if isinstance(scale, int) and 1 <= scale <= 65535 else 255,
        position_topic=_topic(doc.get("set_position_topic")),
        json_commands=json_schema,
        dimmable=(json_schema and bool(doc.get("brightness"))) or brightness_topic is not None,
    )


def _str(doc: dict[str, Any], key: str, default: str) -> str:
    value = doc.get(key, default)
    return value[:64] if isinstance(value, str) else default


def _ha_payloads(kind: str, doc: dict[str, Any]) -> dict[str, str]:
    if kind in ("cover", "garage", "valve"):
        return {"on": _str(doc, "payload_open", "OPEN"), "off": _str(doc, "payload_close", "CLOSE")}
    if kind == "lock":
        return {"on": _str(doc, "payload_lock", "LOCK"), "off": _str(doc, "payload_unlock", "UNLOCK")}
    if kind == "alarm":
        return {"on": _str(doc, "payload_arm_away", "ARM_AWAY"),
                "off": _str(doc, "payload_disarm", "DISARM")}
    return {"on": _str(doc, "payload_on", "ON"), "off": _str(doc, "payload_off", "OFF")}


def _ha_state_values(kind: str, doc: dict[str, Any]) -> dict[str, str]:
    if kind == "lock":
        return {"on": _str(doc, "state_locked", "LOCKED"),
                "off": _str(doc, "state_unlocked", "UNLOCKED")}
    if kind in ("cover", "garage", "valve"):
        return {"on": _str(doc, "state_open", "open"), "off": _str(doc, "state_closed", "closed")}
    payloads = _ha_payloads(kind, doc)
    return {"on": _str(doc, "state_on", payloads["on"]), "off": _str(doc, "state_off", payloads["off"])}


# -- Tasmota ----------------------------------------------------------------------------


def parse_tasmota_config(payload: bytes) -> list[Device]:
    """`tasmota/discovery/<MAC>/config`: one device per relay (POWER, or POWER<n>)."""
    doc = _load_object(payload)
    topic = _text(doc.get("t"), 64)
    if topic is None or not _ID_PART.match(topic):
        raise MalformedMessage("Tasmota discovery without a usable topic `t`")
    full = _of(doc, "ft", str, "%prefix%/%topic%/")
    prefixes: list[Any] = _of(doc, "tp", list, ["cmnd", "stat", "tele"])
    cmnd = str(prefixes[0]) if prefixes else "cmnd"
    stat = str(prefixes[1]) if len(prefixes) > 1 else "stat"
    host = _text(doc.get("hn"), 64) or topic
    mac = _text(doc.get("mac"), 32) or topic

    def expand(prefix: str) -> str:
        out = full.replace("%prefix%", prefix).replace("%topic%", topic).replace("%hostname%", host)
        return out.replace("%id%", mac[-6:])

    relays: list[Any] = _of(doc, "rl", list, [1])
    names: list[Any] = _of(doc, "fn", list, [])
    device_name = _text(doc.get("dn")) or topic
    active = [i for i, r in enumerate(relays[:8]) if r in (1, 2, 3)]
    devices: list[Device] = []
    for index in active:
        suffix = "" if len(active) == 1 else str(index + 1)
        power = f"POWER{suffix}"
        name = _text(names[index]) if index < len(names) else None
        name = name or (device_name if not suffix else f"{device_name} {suffix}")
        command = _topic(expand(cmnd) + power)
        if command is None:
            continue
        devices.append(Device(
            id=f"tasmota_{slug(mac)}{'_' + suffix if suffix else ''}",
            name=normalise(name)[:_MAX_NAME],
            kind="light" if relays[index] == 2 else "switch",
            protocol="tasmota",
            source="tasmota",
            address=topic,
            command_topic=command,
            state_topic=_topic(expand(stat) + power),
            payloads={"on": "ON", "off": "OFF", "toggle": "TOGGLE"},
            dimmable=relays[index] == 2,
        ))
    return devices
