"""Who holds a reservation: enough to tell, later and from another process, that it is dead.

The token is ``<boot id>/<start time>``: a reservation from an earlier boot is dead whatever
its pid, and one whose pid now runs a process started at another time is dead too.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True, slots=True)
class Owner:
    """A process: host name, pid, and a token that changes when the pid is reused or the
    machine reboots."""

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


def _boot_id() -> str:
    """This boot's id (Linux), '' elsewhere."""
    try:
        return BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def current() -> Owner:
    """This process."""
    pid = os.getpid()
    start = _start_token(pid) or ""
    boot = _boot_id()
    return Owner(socket.gethostname(), pid, f"{boot}/{start}" if boot and start else start)


def is_alive(owner: Owner) -> bool:
    """Whether ``owner`` still runs. Only answerable on the same host: elsewhere True."""
    if owner.host != socket.gethostname():
        return True
    # Tokens written before boot ids were recorded have no "/": start time only.
    boot, _, started = owner.token.rpartition("/")
    now_boot = _boot_id()
    if boot and now_boot and boot != now_boot:
        return False  # an earlier boot: every process of it is gone
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
    return not (started and token and token != started)
