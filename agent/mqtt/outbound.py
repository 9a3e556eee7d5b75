"""A message hearth wants to publish, built by a codec and sent by whoever holds the bridge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """Topic, payload and flags of one publish. ``properties`` is a paho v5 `Properties`."""

    topic: str
    payload: str
    qos: int = 1
    retain: bool = False
    properties: Any = None

    async def send(self, bridge: Any) -> None:
        """Publish through `bridge` (an `MqttBridge` or anything with the same `publish`)."""
        await bridge.publish(self.topic, self.payload, qos=self.qos, retain=self.retain,
                             properties=self.properties)
