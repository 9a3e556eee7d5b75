"""The control socket over a real Unix socket in tmp_path, with handlers the tests supply."""

from __future__ import annotations

import asyncio
import socket
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agent.control import ControlError, ControlServer, DaemonNotRunning, call
from agent.errors import AlreadyRunning, HearthError


async def _echo(args: dict[str, Any]) -> dict[str, Any]:
    return {"echo": args, "money": Decimal("0.125")}


async def _slow(args: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(float(args.get("seconds", 30)))
    return {}


async def _refuses(args: dict[str, Any]) -> dict[str, Any]:
    raise HearthError("no such nonce; key sk-ant-api03-SECRETSECRETSECRET was not used")


async def _crashes(args: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("boom")


async def _not_a_dict(args: dict[str, Any]) -> dict[str, Any]:
    return ["a", "list"]  # type: ignore[return-value]


HANDLERS = {"echo": _echo, "slow": _slow, "refuses": _refuses, "crashes": _crashes,
            "not_a_dict": _not_a_dict}


@pytest.fixture
async def server(tmp_path: Path) -> Any:
    srv = ControlServer(tmp_path / "run" / "control.sock", HANDLERS, handler_timeout=0.5)
    await srv.start()
    yield srv
    await srv.stop()


async def test_round_trip_passes_args_and_encodes_decimals(server: ControlServer) -> None:
    reply = await call(server.socket_path, "echo", {"x": [1, 2], "s": "é"})
    assert reply == {"echo": {"x": [1, 2], "s": "é"}, "money": "0.125"}


async def test_socket_is_private(server: ControlServer) -> None:
    info = server.socket_path.stat()
    assert stat.S_ISSOCK(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o600
    # Nothing left behind from the staging directory.
    assert [p.name for p in server.socket_path.parent.iterdir()] == ["control.sock"]


async def test_no_socket_means_no_daemon(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    with pytest.raises(DaemonNotRunning, match=r"no hearth daemon is running \(no socket at "):
        await call(path, "status")
    assert DaemonNotRunning("x").exit_code == 69


async def test_stale_socket_is_reported_then_replaced(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # the file stays, as after a SIGKILL
    with pytest.raises(DaemonNotRunning, match="stale socket"):
        await call(path, "echo")
    srv = ControlServer(path, HANDLERS)
    await srv.start()
    try:
        assert await call(path, "echo", {"n": 1}) == {"echo": {"n": 1}, "money": "0.125"}
    finally:
        await srv.stop()
    assert not path.exists()


async def test_second_server_on_a_live_socket_refuses(server: ControlServer) -> None:
    other = ControlServer(server.socket_path, HANDLERS)
    with pytest.raises(AlreadyRunning, match="already answers"):
        await other.start()
    # The first server is unharmed.
    assert (await call(server.socket_path, "echo"))["echo"] == {}


async def test_unknown_command_lists_known_ones(server: ControlServer) -> None:
    with pytest.raises(ControlError, match=r"unknown command 'nope' \(known: crashes, echo"):
        await call(server.socket_path, "nope")


async def test_handler_errors_are_redacted_and_survived(
    server: ControlServer, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ControlError, match="no such nonce") as info:
        await call(server.socket_path, "refuses")
    assert "SECRETSECRET" not in str(info.value)
    with pytest.raises(ControlError, match="internal error in 'crashes'"):
        await call(server.socket_path, "crashes")
    assert "boom" in caplog.text  # the traceback goes to the daemon's log, not the client
    with pytest.raises(ControlError, match="internal error in 'not_a_dict'"):
        await call(server.socket_path, "not_a_dict")
    assert (await call(server.socket_path, "echo", {"after": True}))["echo"] == {"after": True}


async def test_slow_handler_times_out_on_both_sides(server: ControlServer) -> None:
    with pytest.raises(ControlError, match=r"did not finish within 0.5 s"):
        await call(server.socket_path, "slow", {"seconds": 30}, timeout=10)
    with pytest.raises(ControlError, match=r"did not answer 'slow' within 0.2 s"):
        await call(server.socket_path, "slow", {"seconds": 0.45}, timeout=0.2)


async def test_a_command_may_have_a_longer_timeout_of_its_own(tmp_path: Path) -> None:
    """`ask` waits on a model: its own limit, while every other command keeps the short one."""
    srv = ControlServer(tmp_path / "run" / "control.sock", {"slow": _slow, "ask": _slow},
                        handler_timeout=0.2, timeouts={"ask": 5.0})
    await srv.start()
    try:
        assert await call(srv.socket_path, "ask", {"seconds": 0.5}) == {}
        with pytest.raises(ControlError, match=r"did not finish within 0.2 s"):
            await call(srv.socket_path, "slow", {"seconds": 0.5})
    finally:
        await srv.stop()


async def test_garbage_lines_get_an_error_and_the_connection_lives(server: ControlServer) -> None:
    reader, writer = await asyncio.open_unix_connection(str(server.socket_path))
    try:
        for bad in (b"not json\n", b"[1,2]\n", b'{"command": 5}\n', b'{"command":"echo","args":3}\n',
                    b"\xff\xfe\n"):
            writer.write(bad)
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), 5)
            assert line.startswith(b'{"ok":false,"error":"bad request'), (bad, line)
        writer.write(b'{"command":"echo","args":{"k":1}}\n')
        await writer.drain()
        assert b'"k":1' in await asyncio.wait_for(reader.readline(), 5)
    finally:
        writer.close()


async def test_oversized_line_is_refused_and_dropped(server: ControlServer) -> None:
    reader, writer = await asyncio.open_unix_connection(str(server.socket_path))
    try:
        writer.write(b"x" * (2 << 20))
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 10)
        assert b"too long" in line
        assert await asyncio.wait_for(reader.read(), 10) == b""
    except ConnectionResetError:
        pass  # the server may close before reading everything; also a refusal
    finally:
        writer.close()
    assert (await call(server.socket_path, "echo"))["money"] == "0.125"


async def test_stop_closes_open_connections_and_removes_socket(tmp_path: Path) -> None:
    srv = ControlServer(tmp_path / "control.sock", HANDLERS)
    await srv.start()
    reader, writer = await asyncio.open_unix_connection(str(srv.socket_path))
    await asyncio.wait_for(srv.stop(), 5)
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    assert not srv.socket_path.exists()
    assert not srv.serving
    with pytest.raises(DaemonNotRunning):
        await call(srv.socket_path, "echo")


async def test_stop_leaves_a_newer_daemons_socket_alone(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    old = ControlServer(path, HANDLERS)
    await old.start()
    path.unlink()  # as if an operator removed it and a newer daemon took the name
    newer = ControlServer(path, HANDLERS)
    await newer.start()
    await old.stop()
    assert path.exists()
    assert (await call(path, "echo"))["money"] == "0.125"
    await newer.stop()


async def test_too_long_path_is_a_clear_startup_error(tmp_path: Path) -> None:
    srv = ControlServer(tmp_path / ("d" * 120) / "control.sock", HANDLERS)
    with pytest.raises(HearthError, match="too long"):
        await srv.start()


async def test_unusable_directory_is_a_clear_startup_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    srv = ControlServer(tmp_path / "afile" / "control.sock", HANDLERS)
    with pytest.raises(HearthError, match=r"cannot create .*afile for the control socket"):
        await srv.start()


def test_control_server_does_not_load_the_daemon() -> None:
    # The daemon wraps the server (agent/daemon/wiring.py), not the other way round.
    code = ("import sys, agent.control.server; "
            "assert not [m for m in sys.modules if m.startswith('agent.daemon')]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
