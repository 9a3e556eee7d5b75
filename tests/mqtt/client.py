"""A plain paho client for tests: plays the devices, the user and Home Assistant."""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties

from agent.config import HearthConfig
from agent.mqtt import topic_matches
from tests.support.broker import Broker

_ids = itertools.count()


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retain: bool
    properties: Any
    at: float


class PeerClient:
    """A second MQTT client on the test broker, with a queue of what it received."""

    def __init__(self, broker: Broker) -> None:
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"peer-{next(_ids)}",
                                  protocol=paho.MQTTv5)
        self.inbox: queue.Queue[Received] = queue.Queue()
        self._subacks: dict[int, threading.Event] = {}
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        deadline = time.monotonic() + 10
        while not self.client.is_connected():
            if time.monotonic() > deadline:
                raise RuntimeError("peer client could not connect")
            time.sleep(0.01)

    def _on_message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        self.inbox.put(Received(msg.topic, bytes(msg.payload), bool(msg.retain),
                                msg.properties, time.monotonic()))

    def _on_subscribe(self, _c: Any, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        self._subacks.setdefault(mid, threading.Event()).set()

    def subscribe(self, topic: str) -> None:
        _, mid = self.client.subscribe(topic, qos=1)
        self._subacks.setdefault(mid, threading.Event()).wait(10)

    def publish(self, topic: str, payload: str | bytes, *, retain: bool = False,
                qos: int = 1, properties: Properties | None = None) -> None:
        info = self.client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        info.wait_for_publish(10)

    def drain(self) -> list[Received]:
        out = []
        while True:
            try:
                out.append(self.inbox.get_nowait())
            except queue.Empty:
                return out

    async def expect(self, pattern: str, timeout: float = 10.0) -> Received:
        """The next message matching `pattern`; others are discarded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = await asyncio.to_thread(self.inbox.get, True, 0.2)
            except queue.Empty:
                continue
            if topic_matches(pattern, msg.topic):
                return msg
        raise AssertionError(f"nothing on {pattern} within {timeout} s")

    async def nothing_on(self, pattern: str, wait: float = 0.5) -> list[Received]:
        """Wait `wait` seconds; return what arrived on `pattern` (tests expect [])."""
        await asyncio.sleep(wait)
        return [m for m in self.drain() if topic_matches(pattern, m.topic)]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def peer(broker: Broker) -> Iterator[PeerClient]:
    c = PeerClient(broker)
    try:
        yield c
    finally:
        c.close()


def make_config(broker: Broker, prefix: str, **sections: Any) -> HearthConfig:
    """A config pointing at the test broker, with fast reconnects."""
    mqtt = {"host": broker.host, "port": broker.port, "prefix": prefix,
            "reconnect_min_delay": 0.05, "reconnect_max_delay": 0.5,
            "client_id": f"hearth-{prefix}"[:60]}
    mqtt.update(sections.pop("mqtt", {}))
    return HearthConfig.model_validate({"mqtt": mqtt, **sections})
