"""Building paho clients from `[mqtt]`: credentials, TLS, the last will."""

from __future__ import annotations

import hashlib
import logging
import socket
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from agent.config.mqtt import MqttSection
from agent.config.root import HearthConfig
from agent.errors import ConfigError
from agent.logs import register_secret

log = logging.getLogger("agent.mqtt.bridge")


def default_client_id(config: HearthConfig) -> str:
    """`<hearth.name>-<host name>-<8 hex digits of the state directory>`.

    Stable for one installation (a restarted daemon takes over its own old session) and
    different for two installations on one host, which would otherwise take the session
    from each other at every reconnect, forever.
    """
    from agent.paths import state_dir

    where = str(state_dir(config).expanduser().absolute())
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{config.hearth.name}-{socket.gethostname()}-{digest}"


def no_delay(_client: paho.Client, _userdata: Any, sock: Any) -> None:
    """paho's ``on_socket_open``: turn Nagle off (paho leaves it on).

    A command written right after a PUBACK would otherwise wait for the broker's delayed
    ACK (~40 ms per hop). Commands are small and urgent. Runs in connect()'s thread.
    """
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError) as exc:
        log.debug("TCP_NODELAY not set: %s", exc)


def resolve_password(cfg: MqttSection) -> str | None:
    """The broker password (registered for log redaction), or None without credentials."""
    if cfg.username is None or cfg.password is None:
        return None
    password = cfg.password.resolve()
    if password is None:
        raise ConfigError(
            "MQTT password is not available",
            [f"mqtt.password: {cfg.password.describe()} is unset or empty"],
        )
    register_secret(password)
    return password


def new_client(cfg: MqttSection, client_id: str, password: str | None, *,
               status_topic: str | None) -> paho.Client:
    """A fresh paho client for one connection (callback API v2, no automatic reconnect).

    ``status_topic`` None makes a client without a will (CLI one-shots must never mark the
    daemon offline).

    A new client per connection leaves no stale in-flight command from the last session to
    be re-sent late.
    """
    protocol = paho.MQTTv5 if cfg.protocol == "5" else paho.MQTTv311
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=protocol,
        reconnect_on_failure=False,
    )
    if cfg.username is not None:
        client.username_pw_set(cfg.username, password)
    if cfg.tls is not None:
        try:
            client.tls_set(
                ca_certs=str(cfg.tls.ca_file) if cfg.tls.ca_file else None,
                certfile=str(cfg.tls.cert_file) if cfg.tls.cert_file else None,
                keyfile=str(cfg.tls.key_file) if cfg.tls.key_file else None,
            )
        except (OSError, ValueError) as exc:
            raise ConfigError("MQTT TLS settings are unusable", [f"mqtt.tls: {exc}"]) from exc
        client.tls_insecure_set(cfg.tls.insecure)
    if status_topic is not None:
        # The broker announces our death for us: a retained "offline" on the status topic.
        client.will_set(status_topic, "offline", qos=1, retain=True)
    # A flood of QoS 1 publishes during a slow ack must not grow memory without end.
    client.max_queued_messages_set(max(100, cfg.queue_size))
    return client
