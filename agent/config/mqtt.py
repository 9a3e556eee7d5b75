"""The `[mqtt]` section: the broker hearth talks to."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from agent.config.base import SecretRef, Section


class TlsSection(Section):
    """TLS to the broker; needed whenever a password crosses the network."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure: bool = False


class MqttSection(Section):
    """Broker connection and hearth's own topics."""

    host: str = "localhost"
    port: int = Field(1883, ge=1, le=65535)
    username: str | None = None
    password: SecretRef | None = None
    tls: TlsSection | None = None
    # None: "<hearth.name>-<host name>-<hash of the state directory>", unique per installation.
    # Two clients with one id take the broker session from each other at every reconnect.
    client_id: str | None = None
    # MQTT v5 carries the response topic and correlation data `<prefix>/ask` replies use;
    # "3.1.1" is there for brokers that still speak only that.
    protocol: Literal["5", "3.1.1"] = "5"
    keepalive: int = Field(60, ge=5, le=3600)
    # Root of hearth's own topics: <prefix>/status, /ask, /reply, /confirm, /briefing.
    prefix: str = Field("hearth", pattern=r"^[^#+\s]+$")
    # Bounded inbound queue: a flood is dropped and counted, never buffered without end.
    queue_size: int = Field(1000, ge=10, le=1_000_000)
    # Largest inbound payload handled; anything bigger is counted and dropped.
    max_payload_bytes: int = Field(65536, ge=256, le=16 * 1024 * 1024)
    reconnect_min_delay: float = Field(1.0, gt=0)
    reconnect_max_delay: float = Field(60.0, gt=0)
    # Seconds a command may wait for the broker: one in flight when the connection drops is
    # sent again if it returns within this long of the request, else answered "not sent"
    # (and never sent later). Also how long the broker has to acknowledge a command.
    resend_window: float = Field(5.0, gt=0, le=300)
    # Seconds `stop()` waits for the retained "offline" to reach the broker.
    stop_timeout: float = Field(2.0, gt=0, le=30)
    # Home Assistant MQTT discovery prefix (device discovery and hearth's own sensors).
    discovery_prefix: str = "homeassistant"

    @model_validator(mode="after")
    def _delays_ordered(self) -> MqttSection:
        if self.reconnect_min_delay > self.reconnect_max_delay:
            raise ValueError("reconnect_min_delay is larger than reconnect_max_delay")
        return self
