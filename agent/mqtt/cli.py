"""The bridge as in-process commands (`hearth ask`) see it: publish only, connected on demand.

It has its own client id and no will, so it never touches the daemon's `<prefix>/status`,
and it connects only when something is actually published: a question for a model works
with the broker down.
"""

from __future__ import annotations

from agent.config.mqtt import MqttSection
from agent.errors import DeviceError, HearthError
from agent.notifiers.oneshot import OneShotPublisher


class CliBridge:
    """Publishes through a one-shot connection opened on first use; `aclose` ends it."""

    def __init__(self, config: MqttSection) -> None:
        self._config = config
        self._publisher: OneShotPublisher | None = None

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Nothing: a command's process handles no inbound messages."""

    async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                      retain: bool = False) -> None:
        """Send one message at QoS 1; DeviceError when the broker cannot be reached."""
        data = payload.encode() if isinstance(payload, str) else payload
        try:
            if self._publisher is None:
                publisher = OneShotPublisher(self._config)
                await publisher.__aenter__()
                self._publisher = publisher
            await self._publisher.publish(topic, data, retain)
        except HearthError as exc:
            raise DeviceError(str(exc)) from exc

    async def aclose(self) -> None:
        """Disconnect, if connected."""
        if self._publisher is not None:
            await self._publisher.__aexit__(None, None, None)
            self._publisher = None
