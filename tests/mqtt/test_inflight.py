"""Commands in flight when the broker dies: sent again when it returns within
`mqtt.resend_window`, otherwise answered "not sent" and never sent late.

The broker is frozen (SIGSTOP) while the commands are published, so they are written to its
socket but certainly not read, then killed: exactly "in flight when the broker died".
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.mqtt import BrokerUnavailable, MqttBridge
from tests.mqtt.client import PeerClient, make_config
from tests.support.broker import Broker

N = 40


@pytest.fixture
async def own_broker(tmp_path: Path) -> AsyncIterator[Broker]:
    broker = Broker(tmp_path)
    broker.start()
    yield broker
    if broker.proc is not None:
        broker.proc.send_signal(signal.SIGCONT)
    broker.stop()


def _kill(broker: Broker) -> None:
    assert broker.proc is not None
    broker.proc.send_signal(signal.SIGKILL)
    broker.proc.wait()
    broker.stop()


async def _in_flight(bridge: MqttBridge, broker: Broker, topic: str
                     ) -> list[asyncio.Task[None]]:
    """N commands published to a frozen broker: written, unacknowledged."""
    assert broker.proc is not None
    broker.proc.send_signal(signal.SIGSTOP)
    tasks = [asyncio.create_task(bridge.publish(topic, f"cmd-{i}")) for i in range(N)]
    await asyncio.sleep(0.3)
    assert not any(t.done() for t in tasks), "published without an acknowledgement"
    return tasks


def _received(peer: PeerClient, topic: str) -> set[str]:
    return {m.payload.decode() for m in peer.drain() if m.topic == topic}


async def test_in_flight_commands_are_sent_when_the_broker_returns_in_time(
    own_broker: Broker, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}/cmd"
    # The bridge reconnects after >= 0.5 s: the peer below has resubscribed by then.
    bridge = MqttBridge(make_config(own_broker, topic_prefix, mqtt={
        "resend_window": 10.0, "reconnect_min_delay": 1.0, "reconnect_max_delay": 2.0}))
    await bridge.start()
    try:
        assert await bridge.wait_connected(10)
        tasks = await _in_flight(bridge, own_broker, topic)
        _kill(own_broker)
        own_broker.start()
        peer = PeerClient(own_broker)
        try:
            peer.subscribe(topic)
            results = await asyncio.wait_for(
                asyncio.gather(*tasks, return_exceptions=True), 15)
            assert [r for r in results if r is not None] == []
            deadline = time.monotonic() + 5
            got: set[str] = set()
            while len(got) < N and time.monotonic() < deadline:
                got |= _received(peer, topic)
                await asyncio.sleep(0.05)
            assert got == {f"cmd-{i}" for i in range(N)}
        finally:
            peer.close()
    finally:
        await bridge.stop()


async def test_in_flight_commands_are_answered_not_sent_and_never_sent_late(
    own_broker: Broker, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}/cmd"
    bridge = MqttBridge(make_config(own_broker, topic_prefix, mqtt={
        "resend_window": 1.0, "reconnect_min_delay": 0.2, "reconnect_max_delay": 0.5}))
    await bridge.start()
    try:
        assert await bridge.wait_connected(10)
        tasks = await _in_flight(bridge, own_broker, topic)
        killed = time.monotonic()
        _kill(own_broker)
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
        answered = time.monotonic() - killed
        assert all(isinstance(r, BrokerUnavailable) for r in results), results
        assert all("not sent" in str(r) for r in results)
        assert answered < 2.5  # the window (1 s) and a little, not the reconnect backoff
        # A command asked for while the broker has been away longer than the window is
        # refused at once.
        await asyncio.sleep(max(0.0, killed + 1.1 - time.monotonic()))
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable, match="not sent"):
            await bridge.publish(topic, "late")
        assert time.monotonic() - started < 0.2

        await asyncio.sleep(1.0)
        own_broker.start()
        peer = PeerClient(own_broker)
        try:
            peer.subscribe(topic)
            assert await bridge.wait_connected(10)
            await asyncio.sleep(1.0)
            assert _received(peer, topic) == set()  # nothing stale arrives
            await bridge.publish(topic, "fresh")
            await asyncio.sleep(0.3)
            assert _received(peer, topic) == {"fresh"}
        finally:
            peer.close()
    finally:
        await bridge.stop()
