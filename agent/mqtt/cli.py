"""Kept for imports from before the one-shot client: `CliBridge` is a lazy `OneShotClient`."""

from __future__ import annotations

from agent.config.mqtt import MqttSection
from agent.mqtt.oneshot import OneShotClient


class CliBridge(OneShotClient):
    """`OneShotClient(config, lazy=True)`: connects on the first publish."""

    def __init__(self, config: MqttSection) -> None:
        super().__init__(config, lazy=True)
