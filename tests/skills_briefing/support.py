"""A household for briefing tests: feeds on loopback, fake Ollama, real ledger, real broker."""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from agent.config import HearthConfig, parse_config
from agent.daemon.core import Core, open_core
from agent.db import Database
from agent.ledger import Ledger
from agent.plugins.services import SystemClock
from agent.router import Router
from skills.briefing.service import BriefingService
from skills.news.desk import NewsDesk
from tests.support.broker import Broker
from tests.support.fake_ollama import answer as ollama_answer
from tests.support.model_fixtures import HttpRequest

_DATA = re.compile(r"<news-data>\n(.*)\n</news-data>", re.S)


def quoted_items(text: str) -> list[dict[str, Any]]:
    """The items a summarising request quoted (the JSON between the data markers)."""
    found = _DATA.search(text)
    assert found, "feed text must sit inside the data markers"
    items: list[dict[str, Any]] = json.loads(found.group(1))
    return items


def good_summaries(items: list[dict[str, Any]]) -> dict[str, Any]:
    """What a well-behaved model answers: one summary per quoted item."""
    return {"items": [{"id": i["id"], "headline": f"H: {i['title']}"[:100],
                       "summary": f"In short: {i['title']}.", "topic": "local"}
                      for i in items]}


def ollama_summariser(request: HttpRequest) -> Any:
    """A fake-Ollama responder that summarises like a good small model."""
    body = request.json
    return ollama_answer(json=good_summaries(quoted_items(body["messages"][-1]["content"])))


def household(state_dir: Path, feed_urls: list[str], *, ollama: str, broker: Broker | None,
              prefix: str, extra: dict[str, Any] | None = None) -> HearthConfig:
    """A config for one test household."""
    data: dict[str, Any] = {
        "hearth": {"state_dir": str(state_dir), "timezone": "Europe/Berlin"},
        "ollama": {"host": ollama, "timeout": 10},
        "router": {"max_attempts": 1, "deadline": 20},
        "feeds": {"feeds": [{"url": u, "name": u.rsplit("/", 1)[-1]} for u in feed_urls],
                  "allow_private_addresses": True, "timeout": 5},
        "mqtt": {"host": broker.host if broker else "127.0.0.1",
                 "port": broker.port if broker else 1, "prefix": prefix},
    }
    for key, value in (extra or {}).items():
        data[key] = {**data.get(key, {}), **value}
    return parse_config(data)


@dataclass
class Stack:
    """One household opened by `open_core` (as the daemon opens it), closed by `close`."""

    config: HearthConfig
    core: Core
    exit: AsyncExitStack

    @property
    def db(self) -> Database:
        return self.core.db

    @property
    def ledger(self) -> Ledger:
        return self.core.ledger

    @property
    def router(self) -> Router:
        return self.core.router

    def served(self, skill: str) -> Any:
        """The object a built-in skill's setup bound its handler to (`partial(handle, obj)`)."""
        loaded = self.core.dispatcher.skills.get(skill)
        assert loaded is not None, f"{skill} is not enabled"
        assert isinstance(loaded.handler, partial)
        return loaded.handler.args[0]

    @property
    def briefing(self) -> BriefingService:
        service: BriefingService = self.served("briefing")
        return service

    @property
    def desk(self) -> NewsDesk:
        desk: NewsDesk = self.served("news")
        return desk

    async def close(self) -> None:
        await self.exit.aclose()


async def open_stack(config: HearthConfig, state_dir: Path, *, api_key: Any = None,
                     clock: Any = None, bridge: Any = None,
                     entry_points: Any = None) -> Stack:
    stack = AsyncExitStack()
    core = await stack.enter_async_context(open_core(
        config, state_dir, bridge=bridge, api_key=api_key,
        clock=SystemClock(clock) if clock is not None else None, entry_points=entry_points))
    return Stack(config, core, stack)


@dataclass
class RecordingBridge:
    """A bridge over a one-shot publisher that records the topics hearth published on."""

    inner: Any
    topics: list[str] = field(default_factory=list)

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """The briefing subscribes to nothing."""

    async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                      retain: bool = False) -> None:
        self.topics.append(topic)
        await self.inner.publish(topic, payload.encode() if isinstance(payload, str)
                                 else payload, retain)


@dataclass
class Recorder:
    """A publish callable that records what hearth published, then publishes for real."""

    inner: Any
    topics: list[str] = field(default_factory=list)

    async def __call__(self, topic: str, payload: bytes, retain: bool) -> None:
        self.topics.append(topic)
        await self.inner(topic, payload, retain)


class Watcher:
    """A real MQTT subscriber on `<prefix>/#`, collecting (topic, payload, retain)."""

    def __init__(self, broker: Broker, prefix: str) -> None:
        self.messages: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        self._ready = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: (c.subscribe(f"{prefix}/#", qos=1), None)[1]
        self.client.on_subscribe = lambda *_: self._ready.set()
        self.client.on_message = lambda _c, _u, m: self.messages.put(
            (m.topic, m.payload, bool(m.retain)))
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert self._ready.wait(10)

    def drain(self, wait: float = 1.0) -> Iterator[tuple[str, bytes, bool]]:
        while True:
            try:
                yield self.messages.get(timeout=wait)
            except queue.Empty:
                return

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def berlin(hour: int, minute: int, day: int = 24) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin"))
