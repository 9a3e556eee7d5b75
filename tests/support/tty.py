"""Run a command with stdout on a pseudo-terminal, as a person at a terminal would see it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TtyRun:
    """What the command printed on the terminal (stdout) and on its stderr pipe."""

    returncode: int
    out: str
    err: str


def run_on_tty(argv: Sequence[str], *, env: Mapping[str, str] | None = None,
               timeout: float = 60.0) -> TtyRun:
    """Run `argv` with stdout on the slave side of a pty and stderr on a pipe."""
    master, slave = pty.openpty()
    child_env = {**os.environ, **(env or {}), "COLUMNS": "200"}
    try:
        proc = subprocess.Popen(list(argv), stdout=slave, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=child_env)
    finally:
        os.close(slave)  # the parent's copy: reading ends with EIO once the child exits
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    _, err = proc.communicate(timeout=timeout)
    out = b"".join(chunks).decode().replace("\r\n", "\n")
    return TtyRun(proc.returncode, out, err.decode())


def hearth_argv(*args: str) -> list[str]:
    """The command line of `hearth ARGS` run from this environment's interpreter."""
    return [sys.executable, "-m", "agent.cli.main", *args]
