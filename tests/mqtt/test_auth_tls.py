"""Username/password and TLS from config, against a Mosquitto that demands both."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.mqtt import MessageMeta, MqttBridge
from tests.mqtt.client import make_config
from tests.support.broker import Broker

PASSWORD = "s3cret-Mqtt-pw-4242"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    d = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "1", "-subj", "/CN=hearth-test-ca", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
             "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.ext", cwd=d)
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(d / "passwd"), "hearth", PASSWORD],
                   check=True, capture_output=True)
    broker = Broker(d)
    broker.conf.write_text(
        f"listener {broker.port} 127.0.0.1\n"
        f"cafile {d / 'ca.crt'}\ncertfile {d / 'server.crt'}\nkeyfile {d / 'server.key'}\n"
        f"allow_anonymous false\npassword_file {d / 'passwd'}\n"
        f"persistence false\nlog_dest file {broker.log}\n"
        # As root, mosquitto drops to user "mosquitto", who cannot read pytest's 0700 dirs.
        + ("user root\n" if os.geteuid() == 0 else "")
    )
    broker.start()
    yield broker
    broker.stop()


def _config(broker: Broker, prefix: str, password_env: str) -> object:
    return make_config(broker, prefix, mqtt={
        "username": "hearth", "password": {"env": password_env},
        "tls": {"ca_file": str(broker.workdir / "ca.crt")}})


async def test_password_and_tls_connect_and_round_trip(
    tls_broker: Broker, topic_prefix: str, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("HEARTH_TEST_MQTT_PW", PASSWORD)
    caplog.set_level(logging.DEBUG)
    bridge = MqttBridge(_config(tls_broker, topic_prefix, "HEARTH_TEST_MQTT_PW"))  # type: ignore[arg-type]
    got: list[bytes] = []

    async def on_message(_t: str, payload: bytes, _m: MessageMeta) -> None:
        got.append(payload)

    bridge.on_message = on_message
    bridge.subscribe(f"{topic_prefix}/echo")
    await bridge.start()
    try:
        assert await bridge.wait_subscribed(15)
        await bridge.publish(f"{topic_prefix}/echo", "over tls")
        for _ in range(100):
            if got:
                break
            await asyncio.sleep(0.05)
        assert got == [b"over tls"]
    finally:
        await bridge.stop()
    assert PASSWORD not in caplog.text


async def test_a_burst_over_tls_arrives_whole(
    tls_broker: Broker, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The event loop, not paho's thread, reads the TLS socket: a burst must come through
    # whole and in order (QoS 0: nothing is re-sent to cover a gap).
    monkeypatch.setenv("HEARTH_TEST_MQTT_PW", PASSWORD)
    bridge = MqttBridge(_config(tls_broker, topic_prefix, "HEARTH_TEST_MQTT_PW"))  # type: ignore[arg-type]
    got: list[bytes] = []

    async def on_message(_t: str, payload: bytes, _m: MessageMeta) -> None:
        got.append(payload)

    bridge.on_message = on_message
    bridge.subscribe(f"{topic_prefix}/burst", qos=0)
    await bridge.start()
    try:
        assert await bridge.wait_subscribed(15)
        sent = [f"m{i}".encode() for i in range(300)]
        for payload in sent:
            await bridge.publish(f"{topic_prefix}/burst", payload, qos=0)
        for _ in range(100):
            if len(got) == len(sent):
                break
            await asyncio.sleep(0.05)
        assert got == sent
    finally:
        await bridge.stop()


async def test_wrong_password_keeps_retrying_without_crashing(
    tls_broker: Broker, topic_prefix: str, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("HEARTH_TEST_MQTT_PW", "wrong-password-123")
    bridge = MqttBridge(_config(tls_broker, topic_prefix, "HEARTH_TEST_MQTT_PW"))  # type: ignore[arg-type]
    await bridge.start()
    try:
        assert not await bridge.wait_connected(1.5)
        # Refused, backed off, tried again: the supervisor survives a bad password.
        assert caplog.text.count("refused the connection") >= 2
        assert bridge.stats.reconnects == 0
    finally:
        await bridge.stop()
    assert "wrong-password-123" not in caplog.text
