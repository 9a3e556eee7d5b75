"""Run `hearth run` as a real subprocess, the way systemd does, and watch it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.notify_socket import NotifySocket


class DaemonProcess:
    """A `hearth --config CFG run` child with its own NOTIFY_SOCKET and a log file."""

    def __init__(self, config: Path, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.config = config
        self.log_path = workdir / "daemon.log"
        self.notify = NotifySocket(workdir / "notify.sock")
        env = {k: v for k, v in os.environ.items()
               if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN",
                            "HEARTH_CONFIG", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
        env.update({"NOTIFY_SOCKET": str(self.notify.path), "PYTHONUNBUFFERED": "1"})
        env.update(extra_env or {})
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent.cli.main", "--config", str(config), "run"],
            stdout=self._log, stderr=subprocess.STDOUT, env=env,
        )

    def log_text(self) -> str:
        """Everything the daemon has logged so far."""
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 15.0) -> str:
        """Block until `needle` appears in the log; return the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if needle in text:
                return text
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} not logged within {timeout} s:\n{self.log_text()}")

    def signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the daemon."""
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        """Wait for exit and return the code."""
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        """Kill if still running and release files."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        self.notify.close()
