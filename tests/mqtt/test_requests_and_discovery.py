"""`<prefix>/ask` codec and HA discovery of hearth, over the real broker."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from agent.mqtt import (
    HaDiscovery,
    HearthSensors,
    MessageMeta,
    MqttBridge,
    build_reply,
    parse_ask,
)
from tests.mqtt.client import PeerClient, make_config
from tests.support.broker import Broker


def test_parse_plain_and_json() -> None:
    plain = parse_ask(b"  turn off the kitchen light ", MessageMeta(), prefix="h")
    assert (plain.text, plain.reply_topic, plain.id, plain.json) == (
        "turn off the kitchen light", "h/reply", None, False)
    assert build_reply(plain, "Kitchen light is off").payload == "Kitchen light is off"
    req = parse_ask(b'{"id": 42, "text": "hi", "dry_run": true}', MessageMeta(), prefix="h")
    assert (req.id, req.dry_run) == ("42", True)
    out = build_reply(req, "hello", data={"actions": []})
    assert json.loads(out.payload) == {"id": "42", "text": "hello", "data": {"actions": []}}
    assert (out.qos, out.retain) == (1, False)
    assert (req.area, req.satellite) == (None, None)


def test_a_request_carries_its_area_or_satellite() -> None:
    req = parse_ask(b'{"text": "lights on in here", "area": " Kitchen ", "satellite": "puck-1"}',
                    MessageMeta(), prefix="h")
    assert (req.text, req.area, req.satellite) == ("lights on in here", "Kitchen", "puck-1")


@pytest.mark.parametrize("payload", [b'{"text": "x", "area": 3}',
                                     b'{"text": "x", "satellite": ["a"]}',
                                     b'{"text": "x", "area": "' + b"k" * 81 + b'"}'])
def test_a_bad_area_or_satellite_is_malformed_and_named(payload: bytes) -> None:
    with pytest.raises(ValueError, match=r"area|satellite"):
        parse_ask(payload, MessageMeta(), prefix="h")


@pytest.mark.parametrize("payload", [
    b"", b"   ", b"\xff\xfe", b"{", b'{"text": 5}', b'{"id": [1], "text": "x"}', b"hi\x00there",
    ("x" * 2001).encode(), b'{"text": "x", "a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
])
def test_garbage_requests_are_value_errors(payload: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - every refusal is a ValueError by contract
        parse_ask(payload, MessageMeta(), prefix="h")


@pytest.mark.parametrize("topic", ["h/status", "h/confirm", "h/ask", "a/+/b", "$SYS/x",
                                   "zigbee2mqtt/lock/set"])
def test_harmful_response_topics_fall_back_to_reply(topic: str) -> None:
    meta = MessageMeta(response_topic=topic, correlation_data=b"c1")
    req = parse_ask(b"hello", meta, prefix="h",
                    refuse_topic=lambda t: t == "zigbee2mqtt/lock/set")
    assert req.reply_topic == "h/reply"


async def test_v5_response_topic_and_correlation_data(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    bridge = MqttBridge(make_config(running_broker, topic_prefix))
    answered = asyncio.Event()

    async def on_message(topic: str, payload: bytes, meta: MessageMeta) -> None:
        request = parse_ask(payload, meta, prefix=topic_prefix)
        await build_reply(request, f"you said {request.text}").send(bridge)
        answered.set()

    bridge.on_message = on_message
    bridge.subscribe(f"{topic_prefix}/ask")
    await bridge.start()
    assert await bridge.wait_subscribed(10)
    try:
        mqtt_peer.subscribe(f"{topic_prefix}/reply/me")
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = f"{topic_prefix}/reply/me"
        props.CorrelationData = b"req-7"
        mqtt_peer.publish(f"{topic_prefix}/ask", "ping", properties=props)
        msg = await mqtt_peer.expect(f"{topic_prefix}/reply/me")
        assert msg.payload == b"you said ping"
        assert msg.properties.CorrelationData == b"req-7"
    finally:
        await bridge.stop()


async def test_ha_discovery_announces_and_reannounces_on_birth(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient
) -> None:
    ha = f"{topic_prefix}_ha"
    cfg = make_config(running_broker, topic_prefix, mqtt={"discovery_prefix": ha})
    bridge = MqttBridge(cfg)
    calls = 0

    async def sensors() -> HearthSensors:
        nonlocal calls
        calls += 1
        return HearthSensors(0.0123, 1.5, 8.5, datetime(2026, 11, 24, 7, 0, tzinfo=UTC))

    disco = HaDiscovery(cfg, bridge, sensors, rejoin_delay=(0.0, 0.05))

    async def on_message(topic: str, payload: bytes, _meta: MessageMeta) -> None:
        await disco.handle_message(topic, payload)

    bridge.on_message = on_message
    for topic in disco.topics():
        bridge.subscribe(topic)
    await bridge.start()
    assert await bridge.wait_connected(10)
    try:
        mqtt_peer.subscribe(f"{ha}/sensor/#")
        mqtt_peer.subscribe(f"{topic_prefix}/sensors")
        await disco.announce()
        configs = {}
        for _ in range(4):
            msg = await mqtt_peer.expect(f"{ha}/sensor/#")
            configs[msg.topic] = json.loads(msg.payload)
        assert len(configs) == 4
        for doc in configs.values():
            assert doc["avty_t"] == f"{topic_prefix}/status"
            assert doc["stat_t"] == f"{topic_prefix}/sensors"
        state = json.loads((await mqtt_peer.expect(f"{topic_prefix}/sensors")).payload)
        assert state == {"spend_today": 0.0123, "spend_month": 1.5, "budget_left": 8.5,
                         "last_briefing": "2026-11-24T07:00:00+00:00"}
        # A late subscriber (HA starting later) gets the retained configs.
        late = PeerClient(running_broker)
        late.subscribe(f"{ha}/sensor/#")
        retained = [await late.expect(f"{ha}/sensor/#") for _ in range(4)]
        assert all(m.retain for m in retained)
        late.close()
        # HA's birth message makes hearth announce again.
        mqtt_peer.drain()
        mqtt_peer.publish(f"{ha}/status", "online")
        await mqtt_peer.expect(f"{ha}/sensor/#")
        await mqtt_peer.expect(f"{topic_prefix}/sensors")
        assert calls == 2
    finally:
        await bridge.stop()
        for topic in configs:
            mqtt_peer.publish(topic, b"", retain=True)
