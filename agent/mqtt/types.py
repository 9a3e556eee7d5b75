"""Plain data of the MQTT bridge: message metadata and counters."""

from __future__ import annotations

from dataclasses import dataclass

from agent.errors import BrokerUnavailable

__all__ = ["BridgeCounters", "BridgeStats", "BrokerUnavailable", "MessageMeta"]


@dataclass(frozen=True, slots=True)
class MessageMeta:
    """What came with an inbound message besides topic and payload."""

    qos: int = 0
    retain: bool = False
    # MQTT v5 request/response: where the sender wants its answer, and what to echo back.
    response_topic: str | None = None
    correlation_data: bytes | None = None
    # time.monotonic() when the bridge read it off the socket, for latency figures.
    received_at: float = 0.0


@dataclass(frozen=True, slots=True)
class BridgeStats:
    """Counters since start; a snapshot, safe to hand to `hearth status`."""

    received: int = 0
    dropped_full: int = 0
    dropped_oversize: int = 0
    dropped_malformed: int = 0
    handler_errors: int = 0
    reconnects: int = 0
    queue_depth: int = 0
    connected: bool = False


class BridgeCounters:
    """The bridge's counters, bumped on the event loop only (no lock needed).

    `MqttBridge.stats` hands out a `BridgeStats` snapshot of them.
    """

    def __init__(self) -> None:
        self.received = 0
        self.dropped_full = 0
        self.dropped_oversize = 0
        self.dropped_malformed = 0
        self.handler_errors = 0
        self.reconnects = 0

    def bump(self, name: str) -> int:
        value: int = getattr(self, name) + 1
        setattr(self, name, value)
        return value
