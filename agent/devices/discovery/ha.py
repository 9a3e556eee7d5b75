"""Home Assistant MQTT discovery: one config per entity, commandable or read-only.

Commandable components (switch, light, fan, cover, lock, alarm, climate, valve, scene) need
a command topic; `sensor` and `binary_sensor` need a state topic. A `value_template` outside
the subset in agent/devices/templates.py skips the entity (never evaluated as code).
"""

from __future__ import annotations

import logging
from typing import Any

from agent.config.home import DeviceKind
from agent.devices.discovery.common import ID_PART, MAX_NAME, load_object, number, text, topic
from agent.devices.model import Device, normalise, slug
from agent.devices.templates import UnsupportedTemplate, parse_template

log = logging.getLogger(__name__)

# Home Assistant's abbreviations for the keys hearth reads.
HA_ABBREVIATIONS = {
    "cmd_t": "command_topic", "stat_t": "state_topic", "pl_on": "payload_on",
    "pl_off": "payload_off", "pl_open": "payload_open", "pl_cls": "payload_close",
    "pl_stop": "payload_stop", "pl_lock": "payload_lock", "pl_unlk": "payload_unlock",
    "pl_arm_away": "payload_arm_away", "pl_disarm": "payload_disarm",
    "stat_on": "state_on", "stat_off": "state_off", "stat_locked": "state_locked",
    "stat_unlocked": "state_unlocked", "stat_open": "state_open", "stat_clsd": "state_closed",
    "bri_cmd_t": "brightness_command_topic", "bri_scl": "brightness_scale",
    "set_pos_t": "set_position_topic", "uniq_id": "unique_id", "dev": "device",
    "dev_cla": "device_class", "sa": "suggested_area", "avty_t": "availability_topic",
    "avty": "availability", "pl_avail": "payload_available",
    "pl_not_avail": "payload_not_available", "val_tpl": "value_template",
    "unit_of_meas": "unit_of_measurement", "exp_aft": "expire_after",
    "temp_cmd_t": "temperature_command_topic", "temp_stat_t": "temperature_state_topic",
    "temp_stat_tpl": "temperature_state_template", "curr_temp_t": "current_temperature_topic",
    "curr_temp_tpl": "current_temperature_template", "min_temp": "min_temp",
    "max_temp": "max_temp", "temp_step": "temp_step", "temp_unit": "temperature_unit",
    "pct_cmd_t": "percentage_command_topic", "pct_stat_t": "percentage_state_topic",
    "spd_rng_min": "speed_range_min", "spd_rng_max": "speed_range_max",
    "pos_t": "position_topic", "pos_tpl": "position_template", "obj_id": "object_id",
}
_COMPONENT_KIND: dict[str, DeviceKind] = {
    "switch": "switch", "light": "light", "fan": "fan", "cover": "cover", "lock": "lock",
    "alarm_control_panel": "alarm", "climate": "climate", "valve": "valve",
    "sensor": "sensor", "binary_sensor": "binary_sensor", "scene": "scene",
}
_READ_ONLY = frozenset({"sensor", "binary_sensor"})
_GARAGE_CLASSES = frozenset({"garage", "gate", "door"})
_TEMPLATES = ("value_template", "current_temperature_template", "temperature_state_template",
              "position_template")
_skipped_logged: set[str] = set()


def ha_config_key(topic_: str, prefix: str) -> tuple[str, str] | None:
    """(component, object key) for `<prefix>/<component>/[<node>/]<object>/config`, else None."""
    parts = topic_.split("/")
    head = prefix.split("/")
    if parts[: len(head)] != head or parts[-1] != "config":
        return None
    rest = parts[len(head):-1]
    if len(rest) not in (2, 3) or not all(ID_PART.match(p) for p in rest):
        return None
    return rest[0], "/".join(rest[1:])


def _expand(doc: dict[str, Any]) -> dict[str, Any]:
    out = {HA_ABBREVIATIONS.get(k, k): v for k, v in doc.items()}
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
        out["device"] = {HA_ABBREVIATIONS.get(k, k): v for k, v in device.items()}
    return out


def _availability(doc: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The availability topic and its online/offline words (first entry of a list)."""
    found = topic(doc.get("availability_topic"))
    entry: dict[str, Any] = doc
    listed = doc.get("availability")
    if found is None and isinstance(listed, list) and listed and isinstance(listed[0], dict):
        entry = {HA_ABBREVIATIONS.get(str(k), str(k)): v for k, v in listed[0].items()}
        found = topic(entry.get("topic") or entry.get("t"))
    words = {"online": _str(entry, "payload_available", "online"),
             "offline": _str(entry, "payload_not_available", "offline")}
    return found, words


def _features(component: str, doc: dict[str, Any]) -> dict[str, Any] | None:
    """Protocol details; None when a template is outside the supported subset."""
    out: dict[str, Any] = {}
    for key in _TEMPLATES:
        source = doc.get(key)
        if isinstance(source, str) and source.strip():
            try:
                parse_template(source)
            except UnsupportedTemplate:
                return None
            out[key] = source[:200]
    avail, words = _availability(doc)
    if avail is not None:
        out["availability_topic"] = avail
        out["availability_words"] = words
    out.update(_component_features(component, doc))
    return out


def _component_features(component: str, doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if component == "climate":
        for key in ("temperature_command_topic", "temperature_state_topic",
                    "current_temperature_topic"):
            if topic(doc.get(key)):
                out[key] = doc[key]
        for key, src in (("setpoint_min", "min_temp"), ("setpoint_max", "max_temp"),
                         ("setpoint_step", "temp_step")):
            if number(doc.get(src)) is not None:
                out[key] = number(doc.get(src))
    elif component == "fan":
        if topic(doc.get("percentage_command_topic")):
            out["percentage_command_topic"] = doc["percentage_command_topic"]
        low, high = number(doc.get("speed_range_min")), number(doc.get("speed_range_max"))
        out["speed_range"] = (int(low or 1), int(high or 100))
    elif component in ("cover", "valve"):
        out["stop_payload"] = _str(doc, "payload_stop", "STOP")
        if topic(doc.get("position_topic")):
            out["position_state_topic"] = doc["position_topic"]
    elif component == "binary_sensor":
        # Zigbee2MQTT's own configs use JSON values here (`payload_on: false` for a contact).
        out["binary_words"] = {"on": _word(doc.get("payload_on", "ON")),
                               "off": _word(doc.get("payload_off", "OFF"))}
    return out


def parse_ha_config(topic_: str, payload: bytes, prefix: str) -> tuple[str, Device | None] | None:
    """(registry key, device) from one discovery config; device None means "removed".

    Returns None for topics and components hearth does not use.
    """
    key = ha_config_key(topic_, prefix)
    if key is None:
        return None
    component, object_key = key
    kind = _COMPONENT_KIND.get(component)
    if kind is None:
        return None
    reg_key = f"ha_{component}_{slug(object_key)}"
    if not payload.strip():
        return reg_key, None  # an empty retained config deletes the entity
    doc = _expand(load_object(payload))
    command_topic = topic(doc.get("command_topic"))
    if component == "climate":
        command_topic = topic(doc.get("temperature_command_topic")) or command_topic
    state_topic = topic(doc.get("state_topic"))
    if component in _READ_ONLY:
        command_topic = None
    if (state_topic if component in _READ_ONLY else command_topic) is None:
        return None
    features = _features(component, doc)
    if features is None:
        if reg_key not in _skipped_logged and len(_skipped_logged) < 10_000:
            _skipped_logged.add(reg_key)
            log.info("discovered %s %s skipped: its template is outside what hearth evaluates",
                     component, object_key)
        return None
    raw_info = doc.get("device")
    device_info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    name = text(doc.get("name")) or text(device_info.get("name"))
    if name is None:
        name = object_key.rsplit("/", 1)[-1].replace("_", " ")
    device_class = text(doc.get("device_class"), 32)
    if kind == "cover" and device_class in _GARAGE_CLASSES:
        kind = "garage"
    if component == "climate":
        state_topic = topic(doc.get("current_temperature_topic")) or state_topic
    payloads = _ha_payloads(kind, doc)
    scale = doc.get("brightness_scale", 255)
    json_schema = component == "light" and doc.get("schema") == "json"
    brightness_topic = topic(doc.get("brightness_command_topic"))
    area = text(device_info.get("suggested_area"))
    unit = text(doc.get("unit_of_measurement") or doc.get("temperature_unit"), 8)
    expire = number(doc.get("expire_after"))
    return reg_key, Device(
        id=reg_key,
        name=normalise(name)[:MAX_NAME],
        kind=kind,
        protocol="homeassistant",
        source="homeassistant",
        area=normalise(area) if area else None,
        address=text(doc.get("unique_id"), 120),
        command_topic=command_topic,
        state_topic=state_topic,
        payloads=payloads,
        state_values=_ha_state_values(kind, doc),
        brightness_topic=brightness_topic,
        brightness_scale=scale if isinstance(scale, int) and 1 <= scale <= 65535 else 255,
        position_topic=topic(doc.get("set_position_topic")),
        json_commands=json_schema,
        dimmable=(json_schema and bool(doc.get("brightness"))) or brightness_topic is not None,
        device_class=device_class,
        unit=unit,
        features=features,
        expire_after=expire if expire and expire > 0 else None,
    )


def _word(value: Any) -> str:
    """A payload word as text: JSON `false` and the string "false" compare alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)[:64] if isinstance(value, str | int | float) else ""


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
    if kind == "scene":
        return {"on": _str(doc, "payload_on", "ON")}
    if kind in ("climate", "sensor", "binary_sensor"):
        return {}
    return {"on": _str(doc, "payload_on", "ON"), "off": _str(doc, "payload_off", "OFF")}


def _ha_state_values(kind: str, doc: dict[str, Any]) -> dict[str, str]:
    if kind == "lock":
        return {"on": _str(doc, "state_locked", "LOCKED"),
                "off": _str(doc, "state_unlocked", "UNLOCKED")}
    if kind in ("cover", "garage", "valve"):
        return {"on": _str(doc, "state_open", "open"), "off": _str(doc, "state_closed", "closed")}
    if kind == "binary_sensor":
        return {"on": _str(doc, "payload_on", "ON"), "off": _str(doc, "payload_off", "OFF")}
    if kind in ("climate", "sensor", "scene"):
        return {}
    payloads = _ha_payloads(kind, doc)
    return {"on": _str(doc, "state_on", payloads["on"]), "off": _str(doc, "state_off", payloads["off"])}
