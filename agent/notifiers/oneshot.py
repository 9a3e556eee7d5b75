"""A short-lived MQTT publisher for processes without the daemon's bridge (`hearth briefing now`).

paho's connect and its publish acknowledgement are blocking, so they run in a worker thread;
paho's network loop runs in its own thread (`loop_start`) for the few seconds this lives.
"""

from __future__ import annotations

import asyncio
import logging
import os
from types import TracebackType

from agent.config.mqtt import MqttSection
from agent.errors import HearthError

log = logging.getLogger(__name__)


class PublishFailed(HearthError):
    """The broker could not be reached or did not acknowledge a publish."""


class OneShotPublisher:
    """`async with OneShotPublisher(config.mqtt) as pub: await pub.publish(topic, data, True)`."""

    def __init__(self, config: MqttSection, *, timeout: float = 10.0) -> None:
        from agent.mqtt.connection import new_client, resolve_password

        self.config = config
        self.timeout = timeout
        # Its own client id and no will: the daemon's session and <prefix>/status stay alone.
        client_id = f"{config.client_id or 'hearth'}-oneshot-{os.getpid()}"
        self._client = new_client(config, client_id, resolve_password(config), status_topic=None)
        # An exception in a paho callback would kill its network thread; none are set here.
        self._client.suppress_exceptions = True

    async def __aenter__(self) -> OneShotPublisher:
        try:
            await asyncio.to_thread(self._client.connect, self.config.host, self.config.port,
                                    self.config.keepalive)
        except (OSError, ValueError) as exc:
            raise PublishFailed(f"cannot reach the MQTT broker at {self.config.host}:"
                                f"{self.config.port}: {exc}") from exc
        self._client.loop_start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    async def publish(self, topic: str, payload: bytes, retain: bool) -> None:
        """Publish at QoS 1 and wait for the broker's acknowledgement."""
        info = self._client.publish(topic, payload, qos=1, retain=retain)

        def wait() -> bool:
            info.wait_for_publish(timeout=self.timeout)
            return bool(info.is_published())

        try:
            published = await asyncio.to_thread(wait)
        except (RuntimeError, ValueError) as exc:
            raise PublishFailed(f"publish to {topic} failed: {exc}") from exc
        if not published:
            raise PublishFailed(f"the broker did not acknowledge {topic} in {self.timeout:g} s")
