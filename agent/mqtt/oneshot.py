"""A one-message MQTT exchange for CLI commands (`hearth confirm` without a control socket).

It connects with its own client id and no will, so it never touches the daemon's
`<prefix>/status`. Synchronous on purpose: it runs in a CLI process with no event loop.
"""

from __future__ import annotations

import os
import queue
import threading
from typing import Any

from agent.config import HearthConfig
from agent.errors import DeviceError


def exchange(config: HearthConfig, topic: str, payload: str, *, reply_topic: str | None = None,
             timeout: float = 5.0) -> bytes | None:
    """Publish `payload` (QoS 1) and return the first message on `reply_topic`, if any."""
    from agent.mqtt.connection import new_client, resolve_password

    cfg = config.mqtt
    client = new_client(cfg, f"hearth-cli-{os.getpid()}", resolve_password(cfg),
                        status_topic=None)
    replies: queue.Queue[bytes] = queue.Queue()
    subscribed = threading.Event()

    def on_message(_c: Any, _u: Any, msg: Any) -> None:
        replies.put(bytes(msg.payload))

    def on_subscribe(*_args: Any) -> None:
        subscribed.set()

    client.on_message = on_message
    client.on_subscribe = on_subscribe
    try:
        client.connect(cfg.host, cfg.port, keepalive=30)
    except (OSError, ValueError) as exc:
        raise DeviceError(f"cannot reach the MQTT broker at {cfg.host}:{cfg.port}: {exc}") from exc
    client.loop_start()
    try:
        if reply_topic is not None:
            client.subscribe(reply_topic, qos=1)
            subscribed.wait(timeout)
        info = client.publish(topic, payload, qos=1, retain=False)
        info.wait_for_publish(timeout)
        if not info.is_published():
            raise DeviceError(f"the broker did not acknowledge the message on {topic}")
        if reply_topic is None:
            return None
        try:
            return replies.get(timeout=timeout)
        except queue.Empty:
            return None
    finally:
        client.disconnect()
        client.loop_stop()
