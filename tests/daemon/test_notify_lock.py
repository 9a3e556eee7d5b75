"""sd_notify datagrams and the single-instance lock, against real sockets and files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.daemon.lock import InstanceLock
from agent.daemon.notify import Notifier
from agent.errors import AlreadyRunning
from tests.support.notify_socket import NotifySocket


def test_notifier_sends_fields_in_one_datagram(tmp_path: Path) -> None:
    sock = NotifySocket(tmp_path / "notify")
    try:
        notifier = Notifier({"NOTIFY_SOCKET": str(sock.path)})
        assert notifier.ready("all good")
        msg = sock.wait_for("READY", "1", timeout=2)
        assert msg["STATUS"] == "all good"
        assert notifier.stopping()
        assert sock.wait_for("STOPPING", "1", timeout=2)["STATUS"] == "stopping"
    finally:
        sock.close()


def test_notifier_without_socket_does_nothing() -> None:
    notifier = Notifier({})
    assert not notifier.enabled
    assert notifier.ready("x") is False
    assert notifier.watchdog_interval is None


def test_notifier_survives_a_vanished_socket(tmp_path: Path) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.status("hello") is False


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    notifier = Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "20000000",
                         "WATCHDOG_PID": str(os.getpid())})
    assert notifier.watchdog_interval == 10.0
    other = Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"})
    assert other.watchdog_interval is None


def test_lock_refuses_a_second_holder_and_names_the_first(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from pathlib import Path; from agent.daemon.lock import InstanceLock;"
         f"InstanceLock(Path({str(tmp_path)!r})).acquire(); print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(AlreadyRunning, match=str(holder.pid)):
            InstanceLock(tmp_path).acquire()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    # The kernel released the dead holder's lock: no stale-lock clean-up is needed.
    lock = InstanceLock(tmp_path)
    lock.acquire()
    lock.release()


def test_a_manager_that_stops_reading_never_blocks_the_sender(tmp_path: Path) -> None:
    sock = NotifySocket(tmp_path / "notify")
    try:
        notifier = Notifier({"NOTIFY_SOCKET": str(sock.path)})
        # Nobody reads: the datagram queue fills, later sends fail fast instead of blocking.
        results = [notifier.watchdog() for _ in range(500)]
        assert results[0] is True
        assert results[-1] is False
    finally:
        sock.close()


def test_status_is_sent_only_when_it_changes(tmp_path: Path) -> None:
    sock = NotifySocket(tmp_path / "notify")
    try:
        notifier = Notifier({"NOTIFY_SOCKET": str(sock.path)})
        for text in ("a", "a", "b", "b", "a"):
            notifier.status(text)
        with_status = [m["STATUS"] for m in sock.collect(0.3) if "STATUS" in m]
        assert with_status == ["a", "b", "a"]
    finally:
        sock.close()
