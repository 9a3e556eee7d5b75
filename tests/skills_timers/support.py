"""A fake clock (the Services clock), a household, and a real-broker watcher for timer tests."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from agent.config import HearthConfig
from agent.daemon.core import Core, open_core
from agent.mqtt import OneShotClient
from tests.support.broker import Broker


@dataclass
class FakeClock:
    """Time moves only when a test calls `advance`; sleepers wake when their time comes."""

    current: datetime
    _sleepers: list[tuple[datetime, asyncio.Future[None]]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.current

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.current + timedelta(seconds=seconds), future))
        await future

    @property
    def sleeping(self) -> int:
        return sum(1 for _, f in self._sleepers if not f.done())

    async def advance(self, seconds: float) -> None:
        """Move time on and wake whoever is due, then let them run."""
        self.current += timedelta(seconds=seconds)
        due = [(w, f) for w, f in self._sleepers if w <= self.current]
        self._sleepers = [(w, f) for w, f in self._sleepers if w > self.current]
        for _, future in due:
            if not future.done():
                future.set_result(None)
        for _ in range(5):
            await asyncio.sleep(0)


def household(state_dir: Path, *, broker: Broker | None = None, prefix: str = "casa",
              notifiers: tuple[str, ...] = ("mqtt", "file")) -> HearthConfig:
    """A household with a kitchen light, in Europe/Berlin."""
    return HearthConfig.model_validate({
        "hearth": {"state_dir": str(state_dir), "timezone": "Europe/Berlin"},
        "mqtt": {"host": broker.host if broker else "127.0.0.1",
                 "port": broker.port if broker else 1, "prefix": prefix},
        "briefing": {"notifiers": list(notifiers)},
        "devices": [{"name": "kitchen light", "kind": "light", "protocol": "zigbee2mqtt",
                     "address": "kitchen_light", "area": "kitchen"}],
    })


@asynccontextmanager
async def opened(config: HearthConfig, state_dir: Path, clock: FakeClock, *,
                 broker: bool = True) -> AsyncIterator[Core]:
    """The household's core on the fake clock, with a real MQTT bridge unless `broker` is off."""
    bridge = OneShotClient(config.mqtt, lazy=True) if broker else None
    try:
        async with open_core(config, state_dir, bridge=bridge, api_key=None,
                             clock=clock) as core:
            yield core
    finally:
        if bridge is not None:
            await bridge.aclose()


class Watcher:
    """A real MQTT subscriber on every topic, collecting (topic, payload)."""

    def __init__(self, broker: Broker, pattern: str = "#") -> None:
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.seen: list[str] = []
        ready = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: (c.subscribe(pattern, qos=1), None)[1]
        self.client.on_subscribe = lambda *_: ready.set()
        self.client.on_message = lambda _c, _u, m: self.messages.put((m.topic, m.payload))
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert ready.wait(10)

    async def take(self, topic: str, wait: float = 5.0) -> list[dict[str, Any]]:
        """Every JSON payload received on `topic` until `wait` seconds pass with none (the
        event loop keeps running meanwhile, so hearth's own tasks can publish)."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                got, payload = self.messages.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            self.seen.append(got)
            if got == topic:
                found.append(json.loads(payload))
                deadline = time.monotonic() + 0.5
        return found

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
