"""Who holds a reservation: enough to tell, after a restart, that its process is dead."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Owner:
    """A process: host name, pid, and a token that changes when the pid is reused."""

    host: str
    pid: int
    token: str


def _start_token(pid: int) -> str | None:
    """The process start time in clock ticks since boot (Linux), plus a zombie flag.

    None when the process does not exist. Elsewhere, the pid alone has to do.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    # The command name (field 2) may contain spaces; fields after its ')' are fixed.
    fields = stat.rsplit(")", 1)[-1].split()
    state, start = fields[0], fields[19]
    return f"zombie:{start}" if state in ("Z", "X") else start


def current() -> Owner:
    """This process."""
    pid = os.getpid()
    return Owner(socket.gethostname(), pid, _start_token(pid) or "")


def is_alive(owner: Owner) -> bool:
    """Whether ``owner`` still runs. Only answerable on the same host: elsewhere True."""
    if owner.host != socket.gethostname():
        return True
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, under another user
    token = _start_token(owner.pid)
    if token is None:
        return False
    if token.startswith("zombie:"):
        return False
    # A different start time means the pid now belongs to another process.
    return not (owner.token and token and token != owner.token)
