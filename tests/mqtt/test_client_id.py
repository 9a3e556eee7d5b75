"""Client ids: unique per installation by default, and a session taken over is named."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from agent.config import HearthConfig
from agent.mqtt import MqttBridge
from agent.mqtt.connection import default_client_id
from tests.mqtt.client import make_config
from tests.support.broker import Broker, free_port


def _config(broker: Broker, prefix: str, state: Path, protocol: str = "5") -> HearthConfig:
    config = make_config(broker, prefix, hearth={"state_dir": str(state)},
                         mqtt={"protocol": protocol})
    mqtt = config.mqtt.model_copy(update={"client_id": None})
    return config.model_copy(update={"mqtt": mqtt})


def test_default_id_differs_per_state_directory_and_is_stable(tmp_path: Path) -> None:
    one = HearthConfig.model_validate({"hearth": {"state_dir": str(tmp_path / "one")}})
    two = HearthConfig.model_validate({"hearth": {"state_dir": str(tmp_path / "two")}})
    assert default_client_id(one) != default_client_id(two)
    assert default_client_id(one) == default_client_id(
        HearthConfig.model_validate({"hearth": {"state_dir": str(tmp_path / "one")}}))
    assert default_client_id(one).startswith("hearth-")
    explicit = HearthConfig.model_validate({"mqtt": {"client_id": "kitchen-hearth"}})
    assert MqttBridge(explicit).client_id == "kitchen-hearth"


async def test_two_daemons_with_default_ids_both_stay_connected(
    running_broker: Broker, topic_prefix: str, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = MqttBridge(_config(running_broker, f"{topic_prefix}a", tmp_path / "a"))
    second = MqttBridge(_config(running_broker, f"{topic_prefix}b", tmp_path / "b"))
    assert first.client_id != second.client_id
    await first.start()
    await second.start()
    try:
        assert await first.wait_connected(10) and await second.wait_connected(10)
        await asyncio.sleep(1.0)
        assert first.connected and second.connected
        assert first.stats.reconnects == 1 and second.stats.reconnects == 1
        assert "connection lost" not in caplog.text
    finally:
        await second.stop()
        await first.stop()


async def _two_with_one_id(broker: Broker, prefix: str, protocol: str,
                           caplog: pytest.LogCaptureFixture, needle: str) -> list[str]:
    base = make_config(broker, prefix, mqtt={"protocol": protocol})
    first, second = MqttBridge(base), MqttBridge(base)  # one explicit id for both
    caplog.set_level(logging.INFO, logger="agent.mqtt.bridge")
    await first.start()
    assert await first.wait_connected(10)
    await second.start()
    try:
        deadline = time.monotonic() + 5
        while needle not in caplog.text and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        # They fight on; give them time to do it a few more times.
        await asyncio.sleep(2.0)
        return [r.getMessage() for r in caplog.records
                if needle in r.getMessage() and r.levelno >= logging.WARNING]
    finally:
        await second.stop()
        await first.stop()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
async def test_a_session_taken_over_is_said_once_naming_the_client_id(
    running_broker: Broker, topic_prefix: str, caplog: pytest.LogCaptureFixture,
    protocol: str,
) -> None:
    # Mosquitto 2.0 closes the old connection without a reason even on MQTT v5 (no 0x8E),
    # and 3.1.1 has no reasons at all: the bridges learn it from each other's claims.
    said = await _two_with_one_id(running_broker, topic_prefix, protocol, caplog,
                                  "taken over")
    assert 1 <= len(said) <= 2, said  # at most once per bridge, not once per reconnect
    assert all(f"hearth-{topic_prefix}"[:60] in line for line in said), said
    assert all("mqtt.client_id" in line for line in said)
    lost = [r for r in caplog.records
            if "connection lost" in r.getMessage() and r.levelno >= logging.WARNING]
    assert len(lost) <= 2, [r.getMessage() for r in lost]


async def test_a_v5_session_taken_over_reason_is_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Brokers that send DISCONNECT 0x8E (newer Mosquitto, EMQX, HiveMQ) say it outright;
    # Mosquitto 2.0.11 here does not, so paho's own reason code is handed in directly.
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.reasoncodes import ReasonCode

    bridge = MqttBridge(HearthConfig.model_validate(
        {"mqtt": {"client_id": "twin", "host": "127.0.0.1", "port": free_port()}}))
    await bridge.start()  # nothing listens there: it only retries
    try:
        reason = ReasonCode(PacketTypes.DISCONNECT, identifier=0x8E)
        assert str(reason) == "Session taken over"
        bridge._on_disconnect(None, None, None, reason, None)  # type: ignore[arg-type]
    finally:
        await bridge.stop()
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING
            and "unreachable" not in r.getMessage()]  # the retries to the empty port
    assert len(said) == 1 and "taken over" in said[0] and "'twin'" in said[0], said
