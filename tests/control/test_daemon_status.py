"""`hearth status` against a real `hearth run` process: its live state, as it changes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.broker import Broker
from tests.support.daemon_config import daemon_config
from tests.support.daemon_proc import DaemonProcess


def _status(cfg: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNTIME_DIRECTORY", "HEARTH_CONFIG")}
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli.main", "--config", str(cfg), "status", "--json"],
        capture_output=True, text=True, timeout=30, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_status_shows_the_running_daemons_live_state(
    tmp_path: Path, running_broker: Broker, state_dir: Path
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(daemon_config(state_dir, running_broker, "statuse2e"))
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.notify.wait_for("READY", "1", timeout=20)
        deadline = time.monotonic() + 15
        first = _status(cfg)
        while not first["broker"]["connected"] and time.monotonic() < deadline:
            time.sleep(0.2)
            first = _status(cfg)
        assert first["pid"] == daemon.proc.pid
        assert first["state"] == "running"
        assert first["broker"]["connected"] is True
        assert first["broker"]["port"] == running_broker.port
        assert first["ollama"]["reachable"] in (False, None)
        assert "spend" in first and "queues" in first and "skills" in first
        # Money is JSON numbers of dollars (README: keys ending _usd), never strings.
        spend = first["spend"]
        assert type(spend["today_usd"]) in (int, float) and spend["today_usd"] == 0
        assert all(v is None or type(v) in (int, float) for v in spend.values()), spend
        assert first["claude"] == {"key_present": False, "usable": False, "halted": None,
                                   "last_call_at": None, "last_call_ok": None}

        running_broker.stop()
        deadline = time.monotonic() + 20
        later = _status(cfg)
        while later["broker"]["connected"] and time.monotonic() < deadline:
            time.sleep(0.2)
            later = _status(cfg)
        assert later["broker"]["connected"] is False
        assert later["uptime_seconds"] > first["uptime_seconds"]

        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=15) == 0
        assert not (state_dir / "control.sock").exists()
    finally:
        daemon.close()
        if not running_broker.running:
            running_broker.start()
