"""A datagram socket a test owns and passes to the daemon as $NOTIFY_SOCKET."""

from __future__ import annotations

import socket
import time
from pathlib import Path


class NotifySocket:
    """Collects every sd_notify datagram sent to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[dict[str, str]] = []

    def _drain(self, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (TimeoutError, BlockingIOError):
            return
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
        self.messages.append(fields)

    def collect(self, timeout: float = 0.2) -> list[dict[str, str]]:
        """Read what has arrived within `timeout` s; return every message so far."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self._drain(left)
        return self.messages

    def wait_for(self, key: str, value: str | None = None, timeout: float = 15.0) -> dict[str, str]:
        """The first message (old or new) with `key` (equal to `value` if given)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for msg in self.messages[seen:]:
                if key in msg and (value is None or msg[key] == value):
                    return msg
            seen = len(self.messages)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {key}={value or '*'} within {timeout} s; got {self.messages}")
            self._drain(min(left, 0.2))

    def close(self) -> None:
        """Close and remove the socket."""
        self.sock.close()
        self.path.unlink(missing_ok=True)
