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


def test_a_reservation_from_before_a_reboot_is_dead() -> None:
    # Same host, same pid and start time, but another boot: that process died with the boot.
    me = owner.current()
    boot, _, start = me.token.rpartition("/")
    assert boot and start  # the token names the boot
    assert not owner.is_alive(replace(me, token=f"00000000-0000-0000-0000-000000000000/{start}"))


def test_a_token_without_boot_id_still_matches_by_start_time() -> None:
    # Rows written before boot ids were recorded keep working.
    me = owner.current()
    assert owner.is_alive(replace(me, token=me.token.rpartition("/")[2]))
