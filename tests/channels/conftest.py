"""A house on the real broker and core, with a Telegram chat against the loopback fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agent.channels.telegram import TelegramChannel
from agent.daemon.core import Core, open_core
from agent.mqtt import MqttBridge
from tests.mqtt.client import PeerClient, make_config, peer
from tests.support.broker import Broker, free_port
from tests.support.fake_telegram import FakeTelegram

# Unique enough that finding it anywhere is a leak (the canary).
TOKEN = "987654321:CANARYtokenNeverPrint-0123456789abcdef"
ME = 4242001         # a private chat: its id is its person's id
STRANGER = 5151002   # not allowlisted
GROUP = -100777      # an allowlisted group, where only ME may act


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started fake Bot API for TOKEN."""
    fake = FakeTelegram(TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def mqtt_peer(running_broker: Broker) -> Iterator[PeerClient]:
    """A client on the test broker that plays the devices."""
    yield from peer(running_broker)


@dataclass
class Sleeps:
    """The chat's sleep seam: records every wait, sleeps a token amount."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(min(seconds, 0.01))


@dataclass
class House:
    """What a chat test works with."""

    core: Core
    fake: FakeTelegram
    peer: PeerClient
    prefix: str
    state_dir: Path
    sleeps: Sleeps
    channel: TelegramChannel

    def new_channel(self, **telegram: Any) -> TelegramChannel:
        """Another channel object on the same state directory (a restart)."""
        cfg = self.core.config.telegram.model_copy(update=telegram)
        return TelegramChannel(cfg, token=TOKEN, dispatcher=self.core.dispatcher,
                               home=self.core.home, state_dir=self.state_dir, sleep=self.sleeps)


HouseFactory = Callable[..., Any]


@pytest.fixture
def house(running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, state_dir: Path,
          fake_telegram: FakeTelegram) -> HouseFactory:
    """``async with house(**telegram) as h``: core, bridge and a started channel."""

    @asynccontextmanager
    async def build(**telegram: Any) -> AsyncIterator[House]:
        settings = {"enabled": True, "allowed_chats": [ME, GROUP], "allowed_users": [ME],
                    "api_url": fake_telegram.url, "poll_timeout": 1, **telegram}
        cfg = make_config(
            running_broker, topic_prefix, hearth={"state_dir": str(state_dir)},
            ollama={"host": f"http://127.0.0.1:{free_port()}", "timeout": 2},
            devices=[{"name": "kitchen light", "area": "kitchen", "kind": "light",
                      "command_topic": f"{topic_prefix}/dev/kitchen/set"},
                     {"name": "back door", "kind": "lock", "protocol": "topic",
                      "command_topic": f"{topic_prefix}/dev/lock/set"}],
            telegram=settings)
        bridge = MqttBridge(cfg)
        async with open_core(cfg, state_dir, bridge=bridge, api_key=None) as core:
            await bridge.start()
            assert await bridge.wait_connected(10)
            mqtt_peer.subscribe(f"{topic_prefix}/dev/#")
            sleeps = Sleeps()
            channel = TelegramChannel(cfg.telegram, token=TOKEN, dispatcher=core.dispatcher,
                                      home=core.home, state_dir=state_dir, sleep=sleeps)
            h = House(core, fake_telegram, mqtt_peer, topic_prefix, state_dir, sleeps, channel)
            await channel.start()
            try:
                yield h
            finally:
                await h.channel.stop()
                await bridge.stop()

    return build


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    """The texts sent to `chat_id`, in order."""
    return [str(p["text"]) for p in fake.sent(chat_id)]
