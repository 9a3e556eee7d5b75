"""Acknowledgements of one paho client's QoS 1/2 publishes, as futures on the event loop.

`MqttBridge.publish` waits on these to know a command reached the broker; a connection
lost first means the command may not have, which the bridge then handles (send it again on
the next connection within `mqtt.resend_window`, or tell the requester it was not sent):
a lost connection fails every future still waiting with BrokerUnavailable (`fail_all`).
Each connection has its own client and so its own `Acks`: message ids are per client.
"""

from __future__ import annotations

import asyncio
from typing import Any

from agent.errors import DeviceError


class Acks:
    """Futures by message id, resolved by the client's `on_publish` (PUBACK / PUBCOMP)."""

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def expect(self, mid: int) -> asyncio.Future[None]:
        """A future for message `mid`; call on the loop before its socket is read again."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[mid] = future
        return future

    def forget(self, mid: int) -> None:
        """Stop waiting for `mid` (its publish gave up or will be sent again)."""
        future = self._waiting.pop(mid, None)
        if future is not None and not future.done():
            future.cancel()

    def fail_all(self, error: BaseException) -> None:
        """The connection is gone: every publish still waiting hears `error`."""
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(error)

    def on_publish(self, _client: Any, _userdata: Any, mid: int, reason_code: Any,
                   _properties: Any) -> None:
        """paho's callback: the broker acknowledged (or, on v5, refused) message `mid`."""
        future = self._waiting.pop(mid, None)
        if future is None or future.done():
            return  # not a command anyone waits for (status, claim)
        if getattr(reason_code, "is_failure", False):
            future.set_exception(DeviceError(f"the broker refused the message: {reason_code}"))
        else:
            future.set_result(None)
