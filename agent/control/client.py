"""The CLI's side of the control socket: send one command to the running daemon."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent.config.root import HearthConfig
from agent.control.protocol import MAX_LINE, SOCKET_NAME, ProtocolError, decode_reply, encode
from agent.errors import ControlError, DaemonNotRunning

# Where the packaged unit's RuntimeDirectory=hearth puts the socket. An admin's shell has no
# $RUNTIME_DIRECTORY, so the CLI looks here too.
SYSTEMD_SOCKET = Path("/run/hearth") / SOCKET_NAME


def socket_path(config: HearthConfig, environ: Mapping[str, str] | None = None) -> Path:
    """The daemon's socket: ``runtime_dir(config)/control.sock``."""
    from agent.paths import runtime_dir

    return runtime_dir(config, environ) / SOCKET_NAME


def find_socket(config: HearthConfig, environ: Mapping[str, str] | None = None) -> Path:
    """The socket a CLI should talk to: the configured one, else the systemd one if present."""
    own = socket_path(config, environ)
    if not own.exists() and SYSTEMD_SOCKET.exists():
        return SYSTEMD_SOCKET
    return own


async def call(
    socket_path: Path,
    command: str,
    args: dict[str, Any] | None = None,
    *,
    timeout: float = 5.0,
) -> dict[str, Any]:
    """Send `command` with `args` and return the daemon's result.

    Raises DaemonNotRunning when nothing listens, ControlError when the daemon refuses the
    command, answers garbage, or does not answer within `timeout` seconds.
    """
    try:
        return await asyncio.wait_for(_exchange(socket_path, command, args or {}), timeout)
    except TimeoutError:
        raise ControlError(
            f"the hearth daemon did not answer {command!r} within {timeout:g} s ({socket_path})"
        ) from None


async def _exchange(path: Path, command: str, args: dict[str, Any]) -> dict[str, Any]:
    try:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=MAX_LINE)
    except FileNotFoundError:
        raise DaemonNotRunning(f"no hearth daemon is running (no socket at {path})") from None
    except ConnectionRefusedError:
        raise DaemonNotRunning(
            f"no hearth daemon is running (stale socket at {path}: nothing listens)"
        ) from None
    except PermissionError:
        who = "root" if os.geteuid() == 0 else "this user"
        raise ControlError(
            f"permission denied on {path} for {who}; run the command as the user hearth runs "
            "as, or with sudo"
        ) from None
    except OSError as exc:
        raise ControlError(f"cannot reach the hearth daemon at {path}: {exc}") from exc
    try:
        writer.write(encode({"command": command, "args": args}))
        await writer.drain()
        line = await reader.readline()
    except (ConnectionError, ValueError) as exc:
        raise ControlError(f"the hearth daemon dropped the connection: {exc}") from exc
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    if not line:
        raise ControlError(f"the hearth daemon closed the socket without answering {command!r}")
    try:
        reply = decode_reply(line)
    except ProtocolError as exc:
        raise ControlError(f"the hearth daemon answered {command!r} with garbage: {exc}") from None
    if reply.result is None:
        raise ControlError(f"the hearth daemon refused {command!r}: {reply.error}")
    return reply.result
