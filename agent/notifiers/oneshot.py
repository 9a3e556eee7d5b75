"""Kept for imports from before the one-shot client: `OneShotPublisher` is `OneShotClient`,
except that an unreachable broker raises `PublishFailed`, as its callers expect."""

from __future__ import annotations

from agent.errors import BrokerUnavailable, PublishFailed
from agent.mqtt.oneshot import OneShotClient

__all__ = ["OneShotPublisher", "PublishFailed"]


class OneShotPublisher(OneShotClient):
    """A connected `OneShotClient` on entry; `PublishFailed` when it cannot connect."""

    async def __aenter__(self) -> OneShotPublisher:
        try:
            await self.connect()
        except BrokerUnavailable as exc:
            raise PublishFailed(str(exc)) from exc
        return self
