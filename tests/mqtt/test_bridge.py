"""The bridge against a real Mosquitto: connect, resubscribe, queue limits, status topic."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agent.errors import DeviceError, MalformedMessage
from agent.mqtt import BrokerUnavailable, MessageMeta, MqttBridge
from agent.mqtt.payload import load_json
from agent.mqtt.requests import parse_ask
from agent.mqtt.state import ConnState
from tests.mqtt.client import PeerClient, make_config
from tests.support.broker import Broker
from tests.support.waiting import until as wait_until


class Inbox:
    """Collects what the bridge hands its handler."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes, MessageMeta]] = []
        self.event = asyncio.Event()

    async def __call__(self, topic: str, payload: bytes, meta: MessageMeta) -> None:
        self.items.append((topic, payload, meta))
        self.event.set()

    async def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.items) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"got {len(self.items)} of {count} messages")
            self.event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.event.wait(), 0.2)


@pytest.fixture
async def bridge(running_broker: Broker, topic_prefix: str) -> AsyncIterator[MqttBridge]:
    b = MqttBridge(make_config(running_broker, topic_prefix))
    await b.start()
    assert await b.wait_connected(10)
    yield b
    await b.stop()


async def test_start_does_not_block_when_broker_is_down_then_connects(
    tmp_path: Path, topic_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="agent.mqtt.bridge")
    late = Broker(tmp_path)  # not started: "the broker is down at boot"
    b = MqttBridge(make_config(late, topic_prefix))
    b.subscribe(f"{topic_prefix}/in")
    inbox = Inbox()
    b.on_message = inbox
    started = time.monotonic()
    await b.start()
    assert time.monotonic() - started < 0.5
    await asyncio.sleep(0.3)
    assert not b.connected
    with pytest.raises(BrokerUnavailable):
        await b.publish(f"{topic_prefix}/out", "x")
    assert b.state in (ConnState.CONNECTING, ConnState.BACKING_OFF)
    await wait_until(lambda: _attempts(caplog) >= 4)
    # One warning for the whole outage, however many attempts; the rest at DEBUG.
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert [r.levelno for r in unreachable][:4] == [logging.WARNING] + [logging.DEBUG] * 3
    late.start()
    try:
        assert await b.wait_connected(15)
        assert b.state is ConnState.CONNECTED
        back = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO
                and "reconnected" in r.getMessage()]
        assert len(back) == 1 and f"after {_attempts(caplog)} attempts" in back[0], back
        p = PeerClient(late)
        p.publish(f"{topic_prefix}/in", b"hello")
        await inbox.wait_for(1)
        assert inbox.items[0][:2] == (f"{topic_prefix}/in", b"hello")
        p.close()
    finally:
        await b.stop()
        late.stop()
    assert b.state is ConnState.STOPPED


def _attempts(caplog: pytest.LogCaptureFixture) -> int:
    return sum("unreachable" in r.getMessage() for r in caplog.records)


async def test_wait_subscribed_returns_on_the_suback_and_not_before(
    tmp_path: Path, topic_prefix: str
) -> None:
    broker = Broker(tmp_path)
    broker.start()
    b = MqttBridge(make_config(broker, topic_prefix))
    inbox = Inbox()
    b.on_message = inbox
    await b.start()
    try:
        assert await b.wait_subscribed(10)
        assert broker.proc is not None
        broker.proc.send_signal(signal.SIGSTOP)  # reads the SUBSCRIBE only once thawed
        try:
            b.subscribe(f"{topic_prefix}/late")
            assert not await b.wait_subscribed(0.3)
            waiter = asyncio.create_task(b.wait_subscribed(60))
            await asyncio.sleep(0.1)
            assert not waiter.done()
        finally:
            broker.proc.send_signal(signal.SIGCONT)
        # The SUBACK wakes the waiter (long before its 60 s), and the subscription is live.
        assert await asyncio.wait_for(waiter, 10)
        p = PeerClient(broker)
        p.publish(f"{topic_prefix}/late", b"now")
        await inbox.wait_for(1)
        p.close()
    finally:
        await b.stop()
        broker.stop()


async def test_status_online_retained_and_offline_on_stop(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    b = MqttBridge(make_config(running_broker, topic_prefix))
    await b.start()
    assert await b.wait_connected(10)
    mqtt_peer.subscribe(f"{topic_prefix}/status")
    msg = await mqtt_peer.expect(f"{topic_prefix}/status")
    assert msg.payload == b"online"
    # Someone subscribing later still learns hearth is up: the status is retained.
    late = PeerClient(running_broker)
    late.subscribe(f"{topic_prefix}/status")
    msg = await late.expect(f"{topic_prefix}/status")
    late.close()
    assert (msg.payload, msg.retain) == (b"online", True)
    await b.stop()
    msg = await mqtt_peer.expect(f"{topic_prefix}/status")
    assert msg.payload == b"offline"
    assert not b.connected


async def test_resubscribes_after_broker_restart(
    running_broker: Broker, topic_prefix: str, bridge: MqttBridge
) -> None:
    inbox = Inbox()
    bridge.on_message = inbox
    bridge.subscribe(f"{topic_prefix}/cmd/#")
    assert await bridge.wait_subscribed(10)
    running_broker.restart()
    await wait_until(lambda: bridge.stats.reconnects >= 2 and bridge.connected, 20)
    p = PeerClient(running_broker)
    try:
        # The subscription was renewed on reconnect: the broker forgot it on restart.
        deadline = time.monotonic() + 10
        while not inbox.items and time.monotonic() < deadline:
            p.publish(f"{topic_prefix}/cmd/a", b"after-restart")
            await asyncio.sleep(0.2)
        assert inbox.items and inbox.items[0][1] == b"after-restart"
        await bridge.publish(f"{topic_prefix}/out", "still works")
    finally:
        p.close()


async def test_flood_of_bad_payloads_is_counted_and_survived(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    cfg = make_config(running_broker, topic_prefix,
                      mqtt={"max_payload_bytes": 1024, "queue_size": 10_000})
    b = MqttBridge(cfg)
    handled: list[bytes] = []

    async def strict_json(_topic: str, payload: bytes, _meta: MessageMeta) -> None:
        doc = load_json(payload)  # MalformedMessage on garbage: "malformed"
        if not isinstance(doc, dict):
            raise MalformedMessage("not an object")
        handled.append(payload)

    b.on_message = strict_json
    b.subscribe(f"{topic_prefix}/dev/#")
    await b.start()
    assert await b.wait_subscribed(10)
    try:
        big = b"{" + b"x" * 5000
        for i in range(1000):
            kind = i % 4
            payload = (big if kind == 0 else bytes(range(256)) if kind == 1
                       else b"{not json" if kind == 2 else b"\xff\xfe\x00")
            mqtt_peer.client.publish(f"{topic_prefix}/dev/{i % 7}", payload, qos=0)
        mqtt_peer.publish(f"{topic_prefix}/dev/ok", b'{"fine": true}')
        await wait_until(lambda: handled, 20)
        stats = b.stats
        assert stats.dropped_oversize == 250
        assert stats.dropped_malformed == 750
        assert stats.received == 1001
        assert handled == [b'{"fine": true}']
        assert b.connected
    finally:
        await b.stop()


async def test_full_queue_drops_and_counts(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    cfg = make_config(running_broker, topic_prefix, mqtt={"queue_size": 10})
    b = MqttBridge(cfg)
    gate = asyncio.Event()
    seen: list[bytes] = []

    async def slow(_t: str, payload: bytes, _m: MessageMeta) -> None:
        await gate.wait()
        seen.append(payload)

    b.on_message = slow
    b.subscribe(f"{topic_prefix}/flood")
    await b.start()
    assert await b.wait_subscribed(10)
    try:
        for i in range(200):
            mqtt_peer.client.publish(f"{topic_prefix}/flood", str(i), qos=0)
        await wait_until(lambda: b.stats.received == 200, 20)
        await asyncio.sleep(0.1)
        stats = b.stats
        assert stats.dropped_full > 0
        assert stats.queue_depth <= 10
        gate.set()
        await wait_until(lambda: len(seen) + b.stats.dropped_full == 200, 20)
    finally:
        await b.stop()


@pytest.mark.parametrize("bug", [RuntimeError, ValueError, DeviceError])
async def test_handler_exception_does_not_stop_later_messages(
    topic_prefix: str, bridge: MqttBridge, mqtt_peer: PeerClient, bug: type[Exception],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Any exception but MalformedMessage is the handler's own fault: a handler error, with
    its traceback, never hidden among malformed input."""
    got: list[bytes] = []

    async def flaky(_t: str, payload: bytes, _m: MessageMeta) -> None:
        if payload == b"boom":
            raise bug("handler bug")
        got.append(payload)

    bridge.on_message = flaky
    bridge.subscribe(f"{topic_prefix}/x")
    assert await bridge.wait_subscribed(10)
    mqtt_peer.publish(f"{topic_prefix}/x", b"boom")
    mqtt_peer.publish(f"{topic_prefix}/x", b"next")
    await wait_until(lambda: got == [b"next"])
    assert bridge.stats.handler_errors == 1
    assert bridge.stats.dropped_malformed == 0
    assert any(r.exc_info and "handler bug" in str(r.exc_info[1]) for r in caplog.records)
    assert bridge.connected


async def test_bad_requests_on_ask_count_as_malformed_without_a_traceback(
    topic_prefix: str, bridge: MqttBridge, mqtt_peer: PeerClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    asked: list[str] = []

    async def on_ask(_t: str, payload: bytes, meta: MessageMeta) -> None:
        asked.append(parse_ask(payload, meta, prefix=topic_prefix).text)

    bridge.on_message = on_ask
    bridge.subscribe(f"{topic_prefix}/ask")
    assert await bridge.wait_subscribed(10)
    for bad in (b'{"text": ', b"\xff\xfe", b'{"id": 1}',
                b'{"text": "x", "deep": ' + b"[" * 10 + b"]" * 10 + b"}"):
        mqtt_peer.publish(f"{topic_prefix}/ask", bad)
    mqtt_peer.publish(f"{topic_prefix}/ask", b'{"text": "hello"}')
    await wait_until(lambda: asked == ["hello"])
    assert bridge.stats.dropped_malformed == 4
    assert bridge.stats.handler_errors == 0
    assert not any(r.exc_info for r in caplog.records)


async def test_publish_reaches_peer_with_qos_and_no_retain(
    topic_prefix: str, bridge: MqttBridge, mqtt_peer: PeerClient
) -> None:
    mqtt_peer.subscribe(f"{topic_prefix}/set")
    await bridge.publish(f"{topic_prefix}/set", '{"state":"ON"}')
    msg = await mqtt_peer.expect(f"{topic_prefix}/set")
    assert msg.payload == b'{"state":"ON"}'
    assert not msg.retain
    with pytest.raises(DeviceError):
        await bridge.publish(f"{topic_prefix}/+/bad", "x")


async def test_publish_is_on_the_wire_before_it_returns(
    topic_prefix: str, bridge: MqttBridge, mqtt_peer: PeerClient
) -> None:
    # The loop is blocked after publish() returns: the command arrives only if publish()
    # wrote it itself, not if it left it for a later turn of the loop (or another thread).
    mqtt_peer.subscribe(f"{topic_prefix}/now")
    await bridge.publish(f"{topic_prefix}/now", "ON")
    msg = mqtt_peer.inbox.get(timeout=5)  # blocking on purpose
    assert (msg.topic, msg.payload) == (f"{topic_prefix}/now", b"ON")


async def test_no_network_thread_and_the_bridge_sends_its_own_keepalive(
    tmp_path: Path, topic_prefix: str
) -> None:
    broker = Broker(tmp_path)
    with broker.conf.open("a") as conf:
        # The broker logs each PINGREQ it receives. Run as root it would switch to the
        # `mosquitto` user, which cannot write into pytest's private tmp_path.
        conf.write("log_type all\n" + ("user root\n" if os.geteuid() == 0 else ""))
    broker.start()
    cfg = make_config(broker, topic_prefix, mqtt={"keepalive": 5})
    b = MqttBridge(cfg)
    await b.start()
    try:
        assert await b.wait_connected(10)
        ours = [t.name for t in threading.enumerate() if cfg.mqtt.client_id in t.name]
        assert ours == [], f"paho network thread running: {ours}"
        # Idle for a keepalive period: only the bridge's housekeeping sends a PINGREQ.
        ping = f"Received PINGREQ from {cfg.mqtt.client_id}"
        await wait_until(lambda: broker.log.exists() and ping in broker.log.read_text(), 9)
        assert b.connected and b.stats.reconnects == 1
    finally:
        await b.stop()
        broker.stop()


def test_password_without_value_is_a_config_error(
    running_broker: Broker, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.errors import ConfigError

    monkeypatch.delenv("HEARTH_TEST_MQTT_PW", raising=False)
    cfg = make_config(running_broker, topic_prefix,
                      mqtt={"username": "u", "password": {"env": "HEARTH_TEST_MQTT_PW"}})
    with pytest.raises(ConfigError, match=r"mqtt\.password"):
        MqttBridge(cfg)


async def test_last_will_marks_hearth_offline_when_the_process_dies(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    import os
    import signal
    import subprocess
    import sys

    script = (
        "import asyncio, sys\n"
        "from agent.mqtt import MqttBridge\n"
        "from tests.mqtt.client import make_config\n"
        "from tests.support.broker import Broker\n"
        "class B(Broker):\n"
        "    def __init__(self): self.host, self.port = '127.0.0.1', int(sys.argv[1])\n"
        "async def main():\n"
        "    b = MqttBridge(make_config(B(), sys.argv[2]))\n"
        "    await b.start()\n"
        "    await b.wait_connected(20)\n"
        "    print('up', flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    mqtt_peer.subscribe(f"{topic_prefix}/status")
    child = subprocess.Popen([sys.executable, "-c", script, str(running_broker.port),
                              topic_prefix], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    try:
        assert child.stdout is not None
        assert (await asyncio.to_thread(child.stdout.readline)).strip() == "up"
        assert (await mqtt_peer.expect(f"{topic_prefix}/status")).payload == b"online"
        os.kill(child.pid, signal.SIGKILL)
        msg = await mqtt_peer.expect(f"{topic_prefix}/status")
        assert (msg.payload, msg.retain) == (b"offline", False)
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
        mqtt_peer.publish(f"{topic_prefix}/status", b"", retain=True)


async def test_stop_while_the_broker_is_down_returns_promptly(
    tmp_path: Path, topic_prefix: str
) -> None:
    never = Broker(tmp_path)  # never started
    b = MqttBridge(make_config(never, topic_prefix,
                               mqtt={"reconnect_min_delay": 5, "reconnect_max_delay": 30}))
    await b.start()
    await asyncio.sleep(0.3)  # now inside a multi-second backoff sleep
    started = time.monotonic()
    await b.stop()
    assert time.monotonic() - started < 2.0
    assert not b.connected


def _mqtt_tasks() -> list[str]:
    return sorted(t.get_name() for t in asyncio.all_tasks()
                  if t.get_name().startswith("mqtt-") and not t.done())


@contextlib.asynccontextmanager
async def _connected_then_frozen(tmp_path: Path, prefix: str, stop_timeout: float
                                 ) -> AsyncIterator[tuple[MqttBridge, Any]]:
    """A bridge connected to its own broker, which is then SIGSTOPped: no PUBACK for
    "offline", nothing read. Yields the bridge and its socket."""
    broker = Broker(tmp_path)
    broker.start()
    b = MqttBridge(make_config(broker, prefix, mqtt={"stop_timeout": stop_timeout}))
    await b.start()
    try:
        assert await b.wait_connected(10)
        sock = b._client.socket()
        assert sock is not None and broker.proc is not None
        broker.proc.send_signal(signal.SIGSTOP)
        yield b, sock
    finally:
        if broker.proc is not None:
            broker.proc.send_signal(signal.SIGCONT)
        broker.stop()


async def test_stop_against_a_frozen_broker_is_bounded_and_leaves_nothing(
    tmp_path: Path, topic_prefix: str
) -> None:
    async with _connected_then_frozen(tmp_path, topic_prefix, 0.5) as (b, sock):
        started = time.monotonic()
        await b.stop()
        assert time.monotonic() - started < 3.0
        assert _mqtt_tasks() == []
        assert sock.fileno() == -1


async def test_cancelled_stop_still_releases_tasks_and_socket(
    tmp_path: Path, topic_prefix: str
) -> None:
    # A shutdown stage that runs out of time cancels stop(): the bridge must not live on.
    async with _connected_then_frozen(tmp_path, topic_prefix, 5) as (b, sock):
        stopping = asyncio.create_task(b.stop())
        await asyncio.sleep(0.3)  # inside the wait for the "offline" PUBACK
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopping
        assert _mqtt_tasks() == []
        assert sock.fileno() == -1
        assert not b.connected
