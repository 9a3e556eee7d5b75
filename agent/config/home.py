"""`[[devices]]`, `[[rules]]` and `[discovery]`: the home hearth may act on."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from agent.config.base import Section

DeviceKind = Literal["light", "switch", "fan", "cover", "lock", "garage", "alarm", "climate",
                     "valve", "sensor", "other"]
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
