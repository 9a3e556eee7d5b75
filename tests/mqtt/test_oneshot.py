"""The one-shot client against a real Mosquitto: publish waits for the PUBACK, an
unreachable or silent broker is a clear error, no thread and no socket outlive it."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from pathlib import Path

import pytest

from agent.errors import BrokerUnavailable, DeviceError, PublishFailed
from agent.mqtt import OneShotClient
from tests.mqtt.client import PeerClient, make_config
from tests.support.broker import Broker, free_port


async def test_publish_reaches_the_peer_with_retain_and_its_own_client_id(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    cfg = make_config(running_broker, topic_prefix).mqtt
    async with OneShotClient(cfg) as client:
        assert client.connected
        assert client.client_id != cfg.client_id and "-oneshot-" in client.client_id
        # No paho network thread (loop_start names it paho-mqtt-client-<id>).
        assert not [t for t in threading.enumerate() if "oneshot" in t.name]
        await client.publish(f"{topic_prefix}/briefing", b"good morning", True)
    mqtt_peer.subscribe(f"{topic_prefix}/briefing")  # after: only a retained message arrives
    msg = await mqtt_peer.expect(f"{topic_prefix}/briefing")
    assert (msg.payload, msg.retain) == (b"good morning", True)
    assert not client.connected
    mqtt_peer.client.publish(f"{topic_prefix}/briefing", b"", retain=True)


async def test_lazy_connects_on_the_first_publish_only(
    tmp_path: Path, topic_prefix: str
) -> None:
    down = Broker(tmp_path, port=free_port())  # never started
    client = OneShotClient(make_config(down, topic_prefix).mqtt, lazy=True, timeout=2)
    async with client:
        assert not client.connected  # a question for a model needs no broker
        with pytest.raises(BrokerUnavailable, match=f"127.0.0.1:{down.port}"):
            await client.publish(f"{topic_prefix}/x", "on")


async def test_no_broker_is_broker_unavailable_and_a_device_error(
    tmp_path: Path, topic_prefix: str
) -> None:
    down = Broker(tmp_path, port=free_port())
    with pytest.raises(BrokerUnavailable) as info:
        async with OneShotClient(make_config(down, topic_prefix).mqtt, timeout=2):
            pass
    assert isinstance(info.value, DeviceError)


async def test_publish_waits_for_the_puback_and_fails_when_none_comes(
    tmp_path: Path, topic_prefix: str
) -> None:
    broker = Broker(tmp_path)
    broker.start()
    try:
        async with OneShotClient(make_config(broker, topic_prefix).mqtt,
                                 timeout=0.5) as client:
            await client.publish(f"{topic_prefix}/x", "acked")
            assert broker.proc is not None
            broker.proc.send_signal(signal.SIGSTOP)  # reads nothing, acknowledges nothing
            try:
                started = time.monotonic()
                with pytest.raises(PublishFailed, match="did not acknowledge"):
                    await client.publish(f"{topic_prefix}/x", "never acked")
                assert 0.4 < time.monotonic() - started < 3.0
                # QoS 0 waits for nothing.
                await asyncio.wait_for(client.publish(f"{topic_prefix}/x", "q0", qos=0), 1)
            finally:
                broker.proc.send_signal(signal.SIGCONT)
    finally:
        broker.stop()


async def test_a_broker_that_dies_fails_the_waiting_publish_at_once(
    tmp_path: Path, topic_prefix: str
) -> None:
    broker = Broker(tmp_path)
    broker.start()
    try:
        async with OneShotClient(make_config(broker, topic_prefix).mqtt,
                                 timeout=5) as client:
            broker.stop()
            started = time.monotonic()

            async def until_it_fails() -> None:
                for _ in range(50):  # the loss is noticed at the next read or write
                    await client.publish(f"{topic_prefix}/x", "lost")
                    await asyncio.sleep(0.05)

            with pytest.raises(DeviceError):
                await until_it_fails()
            assert time.monotonic() - started < 4.0
            broker.start()
            await client.publish(f"{topic_prefix}/x", "back")  # connects again
    finally:
        broker.stop()
