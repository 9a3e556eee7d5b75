"""The topics the bridge keeps subscribed, and the SUBACKs it awaits on this connection.

A clean session forgets subscriptions, so the bridge renews every remembered topic on each
connect. Each SUBSCRIBE's acknowledgement is a future: `MqttBridge.wait_subscribed` wakes
on the last one instead of polling.
"""

from __future__ import annotations

import asyncio
from typing import Any

from paho.mqtt.enums import MQTTErrorCode


class Subscriptions:
    """Remembered topics (with QoS) and the SUBACK futures of the current connection."""

    def __init__(self) -> None:
        self.topics: dict[str, int] = {}
        # By SUBSCRIBE message id: True once acknowledged, False when the connection went.
        self._subacks: dict[int, asyncio.Future[bool]] = {}

    def remember(self, topic: str, qos: int) -> bool:
        """Keep `topic` subscribed from now on; True when it is new."""
        known = topic in self.topics
        self.topics[topic] = qos
        return not known

    def expect(self, result: tuple[Any, int | None]) -> None:
        """Note paho's ``subscribe()`` result; call on the loop before its socket is read."""
        rc, mid = result
        if rc == MQTTErrorCode.MQTT_ERR_SUCCESS and mid is not None:
            self._subacks[mid] = asyncio.get_running_loop().create_future()

    def acked(self, mid: int) -> None:
        """The broker acknowledged SUBSCRIBE `mid`."""
        future = self._subacks.pop(mid, None)
        if future is not None and not future.done():
            future.set_result(True)

    def pending(self) -> list[asyncio.Future[bool]]:
        """SUBACKs not yet received on this connection."""
        return [f for f in self._subacks.values() if not f.done()]

    def connection_over(self) -> None:
        """The connection went: nothing more will be acknowledged on it."""
        for future in self._subacks.values():
            if not future.done():
                future.set_result(False)
        self._subacks.clear()
