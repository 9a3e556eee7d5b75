"""`hearth confirm ID` against a running home stack: over MQTT and over the control socket."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agent.cli.main import main
from tests.devices.stack import home_stack
from tests.mqtt.client import PeerClient
from tests.support.broker import Broker


def _write_config(path: Path, broker: Broker, prefix: str, state_dir: Path) -> Path:
    path.write_text(
        f'[hearth]\nstate_dir = "{state_dir}"\n'
        f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\nprefix = "{prefix}"\n'
    )
    return path


async def test_confirm_over_mqtt(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, tmp_path: Path, *,
    state_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    cfg = _write_config(tmp_path / "hearth.toml", running_broker, topic_prefix, state_dir)
    devices = [{"name": "garage door", "kind": "garage", "protocol": "topic",
                "command_topic": f"{topic_prefix}/garage/set", "payload_on": "OPEN"}]
    mqtt_peer.subscribe(f"{topic_prefix}/garage/set")
    async with home_stack(running_broker, topic_prefix, devices=devices) as s:
        reply = await s.text("HassTurnOn", name="garage door")
        action_id = reply.data["actions"][0]["pending_id"]
        assert await mqtt_peer.nothing_on(f"{topic_prefix}/garage/set", 0.3) == []
        code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", action_id])
        assert code == 0, capsys.readouterr()
        assert "Garage door is open" in capsys.readouterr().out
        msg = await mqtt_peer.expect(f"{topic_prefix}/garage/set")
        assert msg.payload == b"OPEN"
        code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", action_id])
        assert code == 1
        assert "unknown or expired" in capsys.readouterr().err


async def test_confirm_over_the_control_socket(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, tmp_path: Path, *,
    state_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agent.control import ControlServer

    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    cfg = _write_config(tmp_path / "hearth.toml", running_broker, topic_prefix, state_dir)
    devices = [{"name": "back door", "kind": "lock", "protocol": "topic",
                "command_topic": f"{topic_prefix}/lock/set"}]
    mqtt_peer.subscribe(f"{topic_prefix}/lock/set")
    async with home_stack(running_broker, topic_prefix, devices=devices) as s:
        server = ControlServer(state_dir / "control.sock", {"confirm": s.home.control_confirm})
        await server.start()
        try:
            reply = await s.text("HassTurnOff", name="back door")
            action_id = reply.data["actions"][0]["pending_id"]
            code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", action_id])
            assert code == 0, capsys.readouterr()
            msg = await mqtt_peer.expect(f"{topic_prefix}/lock/set")
            assert msg.payload == b"OFF"
            assert "Back door is unlocked" in capsys.readouterr().out
            code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", "zzzzzz"])
            assert code == 1
        finally:
            await server.stop()
    assert s.home.pending.pending() == []
