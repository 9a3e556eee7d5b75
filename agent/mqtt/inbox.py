"""The bounded queue between paho's `on_message` and hearth's handler, with its counters.

A flood is dropped and counted, never buffered without end; an oversized payload is dropped
and counted; the handler is awaited one message at a time, in arrival order, and neither a
malformed message nor a handler bug stops the next one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import paho.mqtt.client as paho

from agent.config.mqtt import MqttSection
from agent.errors import MalformedMessage
from agent.mqtt.types import BridgeCounters, MessageMeta

log = logging.getLogger("agent.mqtt.bridge")

MessageHandler = Callable[[str, bytes, MessageMeta], Awaitable[None]]

# One warning per this many drops of a kind: a flood must not flood the journal too.
DROP_LOG_EVERY = 100


class Inbox:
    """Inbound messages waiting for the handler."""

    def __init__(self, cfg: MqttSection, counters: BridgeCounters) -> None:
        self._cfg = cfg
        self._counters = counters
        # Topics allowed larger payloads than mqtt.max_payload_bytes.
        self.large: dict[str, int] = {}
        self._queue: asyncio.Queue[tuple[str, bytes, MessageMeta]] | None = None

    def open(self) -> None:
        """Create the queue (on the running loop)."""
        self._queue = asyncio.Queue(maxsize=self._cfg.queue_size)

    @property
    def depth(self) -> int:
        """Messages waiting."""
        return self._queue.qsize() if self._queue is not None else 0

    def put(self, msg: paho.MQTTMessage) -> None:
        """Queue `msg` for the handler, or count why not (called from paho's on_message)."""
        assert self._queue is not None
        self._counters.bump("received")
        try:
            topic = msg.topic  # decodes UTF-8; a bad topic counts as malformed
        except UnicodeDecodeError:
            self._counters.bump("dropped_malformed")
            return
        limit = self.large.get(topic, self._cfg.max_payload_bytes)
        if len(msg.payload) > limit:
            n = self._counters.bump("dropped_oversize")
            if n == 1 or n % DROP_LOG_EVERY == 0:
                log.warning("dropped a %d-byte message on %s (limit %d; %d so far)",
                            len(msg.payload), topic, limit, n)
            return
        props = getattr(msg, "properties", None)
        meta = MessageMeta(
            qos=msg.qos,
            retain=bool(msg.retain),
            response_topic=getattr(props, "ResponseTopic", None) if props else None,
            correlation_data=getattr(props, "CorrelationData", None) if props else None,
            received_at=time.monotonic(),
        )
        try:
            self._queue.put_nowait((topic, bytes(msg.payload), meta))
        except asyncio.QueueFull:
            n = self._counters.bump("dropped_full")
            if n == 1 or n % DROP_LOG_EVERY == 0:
                log.warning("inbound MQTT queue full (%d); dropped a message on %s (%d so far)",
                            self._cfg.queue_size, topic, n)

    async def consume(self, handler: Callable[[], MessageHandler | None]) -> None:
        """Hand each message to `handler()` (looked up per message), forever."""
        assert self._queue is not None
        while True:
            topic, payload, meta = await self._queue.get()
            handle = handler()
            if handle is None:
                continue
            try:
                await handle(topic, payload, meta)
            except MalformedMessage as exc:
                # Only bad input from outside; a ValueError of the handler's own is a bug
                # and goes below, with its traceback.
                n = self._counters.bump("dropped_malformed")
                if n == 1 or n % DROP_LOG_EVERY == 0 or exc.log_always:
                    log.warning("malformed message on %s dropped (%d so far): %s", topic, n, exc)
            except Exception:
                # A handler bug must not stop the next message; it is logged in full.
                self._counters.bump("handler_errors")
                log.exception("handler failed on a message from %s", topic)
