"""`hearth confirm ID` against a running home stack: only over the control socket."""

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


async def test_confirm_never_falls_back_to_mqtt(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, tmp_path: Path, *,
    state_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Was `test_confirm_over_mqtt`: `hearth confirm` used to publish the id on
    <prefix>/confirm when no control socket was found. Issue 13: an id on the broker can be
    read and replayed by any client, so without a daemon's socket confirm fails (69) and
    sends nothing, even when the daemon side would accept MQTT approval."""
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    cfg = _write_config(tmp_path / "hearth.toml", running_broker, topic_prefix, state_dir)
    devices = [{"name": "garage door", "kind": "garage", "protocol": "topic",
                "command_topic": f"{topic_prefix}/garage/set", "payload_on": "OPEN"}]
    mqtt_peer.subscribe(f"{topic_prefix}/confirm")
    mqtt_peer.subscribe(f"{topic_prefix}/garage/set")
    async with home_stack(running_broker, topic_prefix, devices=devices,
                          approval={"mqtt": True}) as s:
        reply = await s.text("HassTurnOn", name="garage door")
        action_id = reply.data["actions"][0]["pending_id"]
        code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", action_id])
        assert code == 69
        assert "no hearth daemon is running" in capsys.readouterr().err
        assert await mqtt_peer.nothing_on(f"{topic_prefix}/#", 0.5) == []
        assert [p.id for p in s.home.pending.pending()] == [action_id]


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
        server = ControlServer(state_dir / "control.sock", s.home.control_handlers())
        await server.start()
        try:
            reply = await s.text("HassTurnOff", name="back door")
            action_id = reply.data["actions"][0]["pending_id"]
            code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", action_id])
            assert code == 0, capsys.readouterr()
            msg = await mqtt_peer.expect(f"{topic_prefix}/lock/set")
            assert msg.payload == b"OFF"
            assert "Back door is unlocked" in capsys.readouterr().out
            code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", action_id])
            assert code == 1
            assert "already used" in capsys.readouterr().err
            code = await asyncio.to_thread(main, ["--config", str(cfg), "confirm", "zzzzzz"])
            assert code == 1
        finally:
            await server.stop()
    assert s.home.pending.pending() == []
