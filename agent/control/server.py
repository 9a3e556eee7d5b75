"""The daemon's side of the control socket: a Unix stream server dispatching JSON lines."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from agent.control.protocol import MAX_LINE, ProtocolError, decode_request, encode
from agent.errors import AlreadyRunning, HearthError, StartupError
from agent.logs import redact

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]

# Longest usable sun_path on Linux is 107 bytes plus the terminating NUL.
_MAX_SOCKET_PATH = 107


class ControlServer:
    """Serves ``handlers`` (command name -> async function of args) on ``socket_path``.

    The socket is created mode 0600 without a window in which others could connect: it is
    bound inside a fresh 0700 directory, chmod-ed, then renamed into place. A stale socket
    left by a crash is replaced; a live one means another daemon and raises AlreadyRunning.

    The daemon wraps it as a component of the intake stage (agent/daemon/wiring.py): it
    stops first at shutdown, so no new command arrives while work drains.
    """

    name = "control"

    def __init__(
        self,
        socket_path: Path,
        handlers: Mapping[str, Handler],
        *,
        handler_timeout: float = 10.0,
        idle_timeout: float = 60.0,
        timeouts: Mapping[str, float] | None = None,
    ) -> None:
        self.socket_path = socket_path
        self.handlers = dict(handlers)
        self.handler_timeout = handler_timeout
        # Per-command overrides of handler_timeout (``ask`` may wait on a model).
        self.timeouts = dict(timeouts or {})
        self.idle_timeout = idle_timeout
        self._server: asyncio.Server | None = None
        self._inode: int | None = None
        self._connections: set[asyncio.Task[Any]] = set()
        self._closing = False

    @property
    def serving(self) -> bool:
        """Whether the socket accepts connections."""
        return self._server is not None and self._server.is_serving()

    async def start(self) -> None:
        """Create the socket and start accepting connections."""
        path = self.socket_path
        if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
            raise StartupError(f"control socket path is too long for a Unix socket: {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StartupError(f"cannot create {path.parent} for the control socket: "
                               f"{exc.strerror or exc}") from exc
        if (path.exists() or path.is_symlink()) and await _listening(path):
            raise AlreadyRunning(f"another hearth daemon already answers on {path}")
        sock = _bind_private(path)
        self._closing = False
        self._inode = path.stat().st_ino
        self._server = await asyncio.start_unix_server(self._serve, sock=sock, limit=MAX_LINE)
        log.info("control socket listening on %s", path)

    async def stop(self) -> None:
        """Stop accepting, end open connections, remove the socket if it is still ours."""
        # A connection accepted just before this may start its task later: the flag ends it.
        self._closing = True
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            if self._connections:
                await asyncio.gather(*self._connections, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            # Only unlink our own socket: a newer daemon may have replaced it meanwhile.
            if self._inode is not None and self.socket_path.stat().st_ino == self._inode:
                self.socket_path.unlink()
        self._inode = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            while not self._closing:
                try:
                    line = await asyncio.wait_for(reader.readline(), self.idle_timeout)
                except (TimeoutError, ConnectionError):
                    return
                except ValueError:
                    # The line exceeded MAX_LINE: answer once, then drop the client.
                    writer.write(encode({"ok": False, "error": "request line too long"}))
                    await writer.drain()
                    return
                if not line:
                    return
                writer.write(encode(await self._answer(line)))
                await writer.drain()
        except ConnectionError:
            log.debug("control client went away")
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, line: bytes) -> dict[str, Any]:
        try:
            command, args = decode_request(line)
        except ProtocolError as exc:
            return {"ok": False, "error": f"bad request: {exc}"}
        handler = self.handlers.get(command)
        if handler is None:
            known = ", ".join(sorted(self.handlers)) or "none"
            return {"ok": False, "error": f"unknown command {command!r} (known: {known})"}
        return await self._run(command, handler, args)

    async def _run(self, command: str, handler: Handler, args: dict[str, Any]) -> dict[str, Any]:
        limit = self.timeouts.get(command, self.handler_timeout)
        try:
            # Typed as object: a handler written in haste may return anything at runtime.
            result: object = await asyncio.wait_for(handler(args), limit)
        except HearthError as exc:
            return {"ok": False, "error": redact(str(exc))}
        except TimeoutError:
            log.warning("control command %r took longer than %s s", command, limit)
            return {"ok": False, "error": f"{command!r} did not finish within {limit:g} s"}
        except Exception:
            # A broken handler must not take the socket (or the daemon) down with it.
            log.exception("control command %r failed", command)
            return {"ok": False, "error": f"internal error in {command!r}; see the daemon log"}
        if not isinstance(result, dict):
            log.error("control command %r returned %s, not a dict", command, type(result).__name__)
            return {"ok": False, "error": f"internal error in {command!r}; see the daemon log"}
        return {"ok": True, "result": result}


async def _listening(path: Path) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path)), 2.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    return True


def _bind_private(path: Path) -> socket.socket:
    """A listening-ready socket at `path`, mode 0600 from the moment others can see it."""
    workdir = Path(tempfile.mkdtemp(prefix=".c", dir=path.parent))  # mode 0700
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        staged = workdir / "s"
        sock.bind(str(staged))
        staged.chmod(0o600)
        staged.replace(path)
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot create the control socket {path}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            workdir.rmdir()
    return sock
