"""The systemd notify protocol, written straight to $NOTIFY_SOCKET (sd_notify(3)).

The protocol is stable and tiny, so no dependency: one datagram per message. Without
$NOTIFY_SOCKET every call does nothing, which is how hearth runs outside systemd.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends READY/STATUS/WATCHDOG/STOPPING to the service manager, if there is one."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        # A leading "@" names a socket in the abstract namespace.
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        watchdog_for_us = usec.isdigit() and (not pid or pid == str(os.getpid()))
        self.watchdog_interval: float | None = int(usec) / 2e6 if watchdog_for_us else None
        self._last_status: str | None = None

    @property
    def enabled(self) -> bool:
        """Whether a service manager is listening."""
        return bool(self._address)

    def send(self, **fields: str) -> bool:
        """Send `KEY=value` lines in one datagram; False (and a debug log) when it fails."""
        if not self._address:
            return False
        payload = "\n".join(f"{key}={value}" for key, value in fields.items()).encode()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                # Never block the event loop: a manager that stops reading would otherwise
                # freeze the daemon once its queue (10 datagrams by default) is full.
                sock.setblocking(False)
                sock.sendto(payload, self._address)
        except OSError as exc:
            # Losing a notification must never take the daemon down; systemd will notice.
            log.debug("sd_notify failed: %s", exc)
            return False
        return True

    def ready(self, status: str) -> bool:
        """Start-up finished."""
        return self.send(READY="1", STATUS=status)

    def status(self, status: str) -> bool:
        """Free-text status shown by `systemctl status`; sent only when it changed."""
        if status == self._last_status:
            return True
        self._last_status = status
        return self.send(STATUS=status)

    def watchdog(self) -> bool:
        """Liveness ping; only sent while the event loop is healthy."""
        return self.send(WATCHDOG="1")

    def stopping(self) -> bool:
        """Shutdown has begun."""
        return self.send(STOPPING="1", STATUS="stopping")
