"""A real device registry (states fed as MQTT payloads), a real SQLite database and ledger."""

from __future__ import annotations

import json
from typing import Any

from agent.config import HearthConfig
from agent.devices.registry import DeviceRegistry

DEVICES: list[dict[str, Any]] = [
    {"name": "kitchen light", "kind": "light", "protocol": "zigbee2mqtt", "area": "kitchen",
     "address": "kitchen_light"},
    {"name": "living room sensor", "kind": "sensor", "protocol": "zigbee2mqtt",
     "area": "living room", "address": "living_sensor"},
    {"name": "bedroom lamp", "aliases": ["night light"], "kind": "light",
     "protocol": "zigbee2mqtt", "area": "bedroom", "address": "bedroom_lamp"},
    {"name": "front door", "kind": "lock", "protocol": "zigbee2mqtt", "area": "hall",
     "address": "front_door"},
]


def household(state_dir: str, **sections: Any) -> HearthConfig:
    """Config with the devices above, Berlin time, and extra sections."""
    return HearthConfig.model_validate({
        "hearth": {"state_dir": state_dir, "timezone": "Europe/Berlin"},
        "devices": DEVICES, **sections})


def report(registry: DeviceRegistry, address: str, values: dict[str, Any]) -> None:
    """A device reports its state the way Zigbee2MQTT publishes it."""
    assert registry.handle_message(f"zigbee2mqtt/{address}", json.dumps(values).encode())
