"""One daemon per state directory, enforced with flock(2).

flock is released by the kernel when the process dies, even on SIGKILL, so a crash never
leaves a stale lock behind (unlike a PID file).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from agent.errors import AlreadyRunning
from agent.paths import storage_error


class InstanceLock:
    """An exclusive lock on `<state_dir>/hearth.lock`."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "hearth.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning naming the holder's PID (StorageError when
        the lock file cannot be created or written)."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise storage_error(exc, self.path, "create the lock file") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another hearth daemon (pid {holder}) is using {self.path.parent}; "
                "stop it first, or give this one its own hearth.state_dir"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError as exc:
            os.close(fd)
            raise storage_error(exc, self.path, "write the lock file") from exc
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (also happens automatically at exit)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
