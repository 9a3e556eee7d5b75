"""One paho client's socket driven by the asyncio event loop, with no network thread.

paho supports an external loop: it reports when its socket wants writing or closes, and the
owner calls ``loop_read`` / ``loop_write`` / ``loop_misc``. Doing that on the event loop
means a command a skill publishes is written to the socket in the same call, and an inbound
message is decoded where it is handled. With paho's own thread (``loop_start``) both hops
waited for the GIL behind the busy loop thread: 0.5 to 2.5 ms per command on a 2-core
machine (bench/latency.py), most of the text-command latency.

Only ``connect()`` runs off the loop (DNS, TCP and TLS handshakes block); the socket is
watched from the loop once it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode

log = logging.getLogger(__name__)

# paho sends PINGREQ and notices a silent broker only when loop_misc runs.
_HOUSEKEEPING_EVERY = 1.0


class SocketDriver:
    """Feeds one paho client's socket events from the running event loop.

    ``on_lost`` is called (on the loop) when the driver itself has to drop the connection
    because paho raised; paho's own disconnects arrive through its ``on_disconnect``.
    """

    def __init__(self, client: paho.Client, on_lost: Callable[[str], None]) -> None:
        self._client = client
        self._on_lost = on_lost
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sock: Any = None
        self._fd: int | None = None
        self._housekeeping: asyncio.Task[None] | None = None
        # Set before connect(): paho calls them from connect() too, in the worker thread,
        # where they must do nothing (nothing is watched until attach()).
        client.on_socket_register_write = self._want_write
        client.on_socket_unregister_write = self._done_writing
        client.on_socket_close = self._socket_closing

    @property
    def attached(self) -> bool:
        """Whether the socket is being watched."""
        return self._fd is not None

    def attach(self) -> None:
        """Watch the socket of a client whose connect() has returned; call on the loop."""
        sock = self._client.socket()
        if sock is None:
            raise OSError("paho returned from connect() without a socket")
        self._loop = asyncio.get_running_loop()
        self._sock = sock
        self._fd = sock.fileno()
        self._loop.add_reader(self._fd, self._readable)
        # connect() queued the CONNECT packet while nothing was watching.
        if self._client.want_write():
            self._loop.add_writer(self._fd, self.flush)
        self._housekeeping = self._loop.create_task(self._tick(), name="mqtt-keepalive")

    def detach(self) -> None:
        """Stop watching the socket (idempotent)."""
        if self._loop is not None and self._fd is not None:
            self._loop.remove_reader(self._fd)
            self._loop.remove_writer(self._fd)
        self._fd = None
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            self._housekeeping = None

    def close(self) -> None:
        """Stop watching and close the socket if paho has not (idempotent)."""
        self.detach()
        sock = self._client.socket()
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()

    def flush(self) -> None:
        """Write what paho has queued now rather than on the loop's next turn."""
        if self._fd is None:
            return
        try:
            self._client.loop_write()
        except Exception:
            log.exception("writing to the MQTT broker failed; dropping the connection")
            self._drop("write failed")

    # -- loop callbacks -------------------------------------------------------------------

    def _readable(self) -> None:
        try:
            rc = self._client.loop_read()
            # TLS may hold decrypted bytes the kernel no longer reports as readable.
            while (rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._fd is not None
                   and isinstance(self._sock, ssl.SSLSocket) and self._sock.pending()):
                rc = self._client.loop_read()
        except Exception:
            log.exception("reading from the MQTT broker failed; dropping the connection")
            self._drop("read failed")

    async def _tick(self) -> None:
        while self._fd is not None:
            await asyncio.sleep(_HOUSEKEEPING_EVERY)
            try:
                self._client.loop_misc()
            except Exception:
                log.exception("MQTT keepalive failed; dropping the connection")
                self._drop("keepalive failed")
                return

    def _drop(self, what: str) -> None:
        # paho raised inside its own loop function: its state is unknown, so the connection
        # goes and the bridge reconnects with a fresh client.
        self.detach()
        with contextlib.suppress(OSError):
            self._sock.close()
        self._on_lost(what)

    # -- paho socket callbacks ------------------------------------------------------------

    def _want_write(self, _client: paho.Client, _userdata: Any, _sock: Any) -> None:
        if self._loop is not None and self._fd is not None:
            self._loop.add_writer(self._fd, self.flush)

    def _done_writing(self, _client: paho.Client, _userdata: Any, _sock: Any) -> None:
        if self._loop is not None and self._fd is not None:
            self._loop.remove_writer(self._fd)

    def _socket_closing(self, _client: paho.Client, _userdata: Any, _sock: Any) -> None:
        self.detach()
