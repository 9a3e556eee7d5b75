"""Telling a dead reservation holder from a live one."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from agent.ledger import owner


def test_this_process_is_alive() -> None:
    me = owner.current()
    assert me.token  # Linux: the start time from /proc
    assert owner.is_alive(me)


def test_exited_process_is_dead() -> None:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    gone = replace(owner.current(), pid=int(proc.stdout))
    assert not owner.is_alive(gone)


def test_reused_pid_is_dead() -> None:
    # Same pid, other start time: the pid now belongs to another process.
    assert not owner.is_alive(replace(owner.current(), token="1"))


def test_other_hosts_are_assumed_alive() -> None:
    # Only age can orphan another machine's reservation (PostgreSQL households).
    assert owner.is_alive(replace(owner.current(), host="elsewhere.invalid", pid=999_999))
