"""Plain data for devices: what a device is, what is wanted of it, what would be published."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.config.home import DeviceKind, Protocol

Action = Literal["on", "off", "toggle"]
ACTIONS: tuple[Action, ...] = ("on", "off", "toggle")

# Kinds that wait for a person to confirm unless a config entry waives it for one device:
# what lets someone in (locks, garage doors, gates, door covers), disarms the house, or
# floods it (valves).
SENSITIVE_KINDS: frozenset[str] = frozenset({"lock", "garage", "alarm", "valve"})
# Kinds that only report; nothing to command.
READ_ONLY_KINDS: frozenset[str] = frozenset({"sensor", "binary_sensor"})

# hassil's `domain` for each kind (home-assistant-intents sentences are written per domain).
KIND_DOMAIN: Mapping[str, str] = {
    "light": "light", "switch": "switch", "fan": "fan", "cover": "cover", "garage": "cover",
    "lock": "lock", "alarm": "alarm_control_panel", "climate": "climate", "valve": "valve",
    "sensor": "sensor", "binary_sensor": "binary_sensor", "scene": "scene", "other": "switch",
}
# Cover classes people name ("close the blinds"); garage, gate and door covers are kind garage.
COVER_CLASSES: frozenset[str] = frozenset({
    "blind", "curtain", "shade", "shutter", "awning", "window", "damper", "garage", "gate", "door"})

# What "on" and "off" mean, per kind, in words a reply can use.
_VERBS: Mapping[str, tuple[str, str]] = {
    "lock": ("locked", "unlocked"),
    "garage": ("open", "closed"),
    "cover": ("open", "closed"),
    "alarm": ("armed", "disarmed"),
    "valve": ("open", "closed"),
}


def normalise(text: str) -> str:
    """Lower-case, single-spaced, without a leading "the": how names are compared."""
    words = re.sub(r"[\s_]+", " ", text.strip().lower()).split(" ")
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def slug(text: str) -> str:
    """A stable id fragment: lower-case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "device"


@dataclass(frozen=True, slots=True)
class Device:
    """A device hearth may command. ``payloads`` maps an action to its command payload."""

    id: str
    name: str
    kind: DeviceKind
    protocol: Protocol
    source: str                              # "config" | "zigbee2mqtt" | "homeassistant" | "tasmota"
    aliases: tuple[str, ...] = ()
    area: str | None = None
    address: str | None = None               # z2m friendly name, tasmota topic
    command_topic: str | None = None
    state_topic: str | None = None
    payloads: Mapping[str, str] = field(default_factory=dict)
    # State payloads meaning on/off, when they differ from the command payloads (HA state_on).
    state_values: Mapping[str, str] = field(default_factory=dict)
    brightness_topic: str | None = None      # HA default-schema lights
    brightness_scale: int = 255
    position_topic: str | None = None        # HA covers
    json_commands: bool = False              # HA lights with schema: json
    dimmable: bool = False
    # True/False: the config entry's explicit choice; None: decided by kind.
    sensitivity: bool | None = None
    # Home Assistant device class (blind, curtain, temperature, door, ...), when known.
    device_class: str | None = None
    floor: str | None = None
    unit: str | None = None
    # Where a sensor's value sits: a JSON property (Zigbee2MQTT, HA json) or "Sensor.Key"
    # (Tasmota's tele/SENSOR); None: the whole payload.
    value_key: str | None = None
    # Protocol details learnt from discovery (agent/devices/state.py FEATURE_KEYS lists them).
    features: Mapping[str, Any] = field(default_factory=dict)
    # Seconds a reading stays fresh: the household's `max_age`, the announcement's `expire_after`.
    max_age: float | None = None
    expire_after: float | None = None

    @property
    def sensitive(self) -> bool:
        """Whether commands to it wait for a person: by kind, unless the config said otherwise."""
        if self.sensitivity is not None:
            return self.sensitivity
        return self.kind in SENSITIVE_KINDS

    @property
    def domain(self) -> str:
        """The Home Assistant domain the intent sentences use for this device."""
        return KIND_DOMAIN.get(self.kind, "switch")

    @property
    def controllable(self) -> bool:
        """Whether hearth can send it anything."""
        return self.kind not in READ_ONLY_KINDS

    def spoken_names(self) -> tuple[str, ...]:
        """The name and aliases, as people say them."""
        return (self.name, *self.aliases)

    def describe(self, action: Action, brightness: int | None = None,
                 position: int | None = None) -> str:
        """A short reply: "Kitchen light is off", "Front door is unlocked"."""
        title = self.name[:1].upper() + self.name[1:]
        if brightness is not None:
            return f"{title} is at {brightness}%" if brightness else f"{title} is off"
        if position is not None:
            return f"{title} is at position {position}%"
        if action == "toggle":
            return f"{title} toggled"
        on_word, off_word = _VERBS.get(self.kind, ("on", "off"))
        return f"{title} is {on_word if action == 'on' else off_word}"


@dataclass(frozen=True, slots=True)
class DesiredState:
    """What a request wants of one device. Brightness and position are percentages."""

    action: Action = "on"
    brightness: int | None = None
    position: int | None = None
    temperature: float | None = None   # a thermostat's target, in the device's unit
    percentage: int | None = None      # a fan's speed
    stop: bool = False                 # stop a moving cover
    step: int | None = None            # relative brightness in percent (+ brighter, - dimmer)
    scene: bool = False                # recall a scene

    def as_dict(self) -> dict[str, Any]:
        """For dry-run output and tool results."""
        out: dict[str, Any] = {"state": self.action}
        for key in ("brightness", "position", "temperature", "percentage", "step"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.stop:
            out["stop"] = True
        if self.scene:
            out["scene"] = True
        return out


@dataclass(frozen=True, slots=True)
class PlannedCommand:
    """One publish that would carry out a desired state. Commands are never retained."""

    topic: str
    payload: str
    retain: bool = False
    qos: int = 1
    needs_confirmation: bool = False


@dataclass(slots=True)
class DeviceState:
    """The last state a device reported (never assumed from what hearth sent)."""

    values: dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0
    available: bool | None = None
