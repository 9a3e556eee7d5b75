"""`[[devices]]`, `[[rules]]`, `[discovery]` and the household around them.

The household sections (`[[floors]]`, `[[areas]]`, `[[device_overrides]]`, `[[satellites]]`,
`[[sentences]]`) name rooms, give discovered devices local names, map a voice satellite to its
room and add a household's own sentences. Cross-section checks live in `agent.config.root`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, model_validator

from agent.config.base import Section

DeviceKind = Literal["light", "switch", "fan", "cover", "lock", "garage", "alarm", "climate",
                     "valve", "sensor", "binary_sensor", "scene", "other"]
Protocol = Literal["zigbee2mqtt", "tasmota", "homeassistant", "topic"]


class DeviceSection(Section):
    """One device declared in config."""

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    area: str | None = None
    kind: DeviceKind = "switch"
    protocol: Protocol = "topic"
    # zigbee2mqtt: friendly name; tasmota: topic (tasmota_XXXXXX); others: unused.
    address: str | None = None
    command_topic: str | None = None
    state_topic: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    # Unset: decided by kind (lock, garage, alarm, valve wait for confirmation). true: this
    # device waits too. false: the household waives confirmation for this one device.
    sensitive: bool | None = None
    # Home Assistant style class: blind, curtain, shade, shutter, awning, garage, gate, door for
    # covers; temperature, humidity, ... for sensors; door, window, motion, ... for binary sensors.
    # "close the blinds" moves only covers whose class is exactly "blind".
    device_class: str | None = None
    # Unit a sensor reports in ("°C", "%", "W"); spoken with its value.
    unit: str | None = None
    # Seconds after which a reading is too old to answer with ("I don't know"); unset: the
    # discovery default for sensors (`discovery.state_max_age`), never for on/off states.
    max_age: float | None = Field(None, gt=0)


class RuleSection(Section):
    """A trigger topic mapped to a skill action with no model involved."""

    topic: str = Field(min_length=1)
    payload: str | None = None
    # Dotted JSON field and the value it must have, e.g. field="action", equals="single".
    field: str | None = None
    equals: Any = None
    skill: str = "home"
    action: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _equals_needs_field(self) -> RuleSection:
        if self.equals is not None and self.field is None:
            raise ValueError("`equals` needs `field` (the dotted JSON field it compares)")
        return self


class DiscoverySection(Section):
    """Which discovery sources fill the device registry."""

    zigbee2mqtt_base: str | None = "zigbee2mqtt"
    homeassistant: bool = True
    tasmota: bool = True
    # Seconds a sensitive action waits for confirmation before it expires.
    confirm_timeout: float = Field(60.0, gt=0, le=3600)
    # Seconds a sensor reading stays fresh when neither the device nor its announcement says.
    state_max_age: float = Field(7200.0, gt=0)
    # Percent one "brighter" / "dim it a bit" changes a light's brightness by.
    brightness_step: int = Field(25, ge=1, le=100)


def name_key(text: str) -> str:
    """How area, floor and device names compare: case, spacing, `_` and a leading "the" ignored."""
    words = re.sub(r"[\s_]+", " ", text.strip().lower()).split(" ")
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


class FloorSection(Section):
    """A floor of the house ("ground floor", aliases "downstairs"). An area's `floor` creates one too."""

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()


class AreaSection(Section):
    """A room or outdoor area; devices name it with `area`, requests with "in the <area>"."""

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    floor: str | None = None


class DeviceOverrideSection(Section):
    """Local names and settings for a discovered device, found by its address (not redefined).

    `address` is any of: the hearth id, a Zigbee2MQTT IEEE address or friendly name, a Tasmota
    topic or MAC, a Home Assistant unique_id or discovery object id.
    """

    address: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    # May name an area not in `[[areas]]`: it then exists for this device.
    area: str | None = None
    sensitive: bool | None = None
    device_class: str | None = None
    max_age: float | None = Field(None, gt=0)


class SatelliteSection(Section):
    """A voice satellite (or any `<prefix>/ask` client id) and the area it stands in."""

    id: str = Field(min_length=1)
    area: str = Field(min_length=1)


class SentenceSection(Section):
    """A household's own sentences (hassil templates) for an intent a skill handles."""

    intent: str = Field(min_length=1)
    templates: tuple[str, ...] = Field(min_length=1)
    # Fixed slot values the sentences carry, e.g. {scope = "everything"}.
    slots: dict[str, Any] = Field(default_factory=dict)
