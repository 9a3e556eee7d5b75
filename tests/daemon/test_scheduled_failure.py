"""A scheduled briefing that reached no notifier is recorded as an error, with the reason,
by the real daemon in its real SQLite history, and `hearth schedule list` shows it."""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.cli.main import main
from agent.scheduler import BRIEFING_JOB
from tests.support.broker import Broker
from tests.support.daemon_config import daemon_config
from tests.support.daemon_proc import DaemonProcess

ZONE = "Europe/Berlin"


def _config(state: Path, broker: Broker) -> str:
    # Every minute, with a catch-up window that is open now: the daemon runs the briefing
    # planned for the current minute at start-up instead of waiting for the next one.
    until = (datetime.now(UTC) - timedelta(hours=2)).astimezone(ZoneInfo(ZONE))
    return daemon_config(state, broker, "sched-fail", hearth=f"""
timezone = "{ZONE}"
log_level = "INFO"
""", extra=f"""
[briefing]
cron = "* * * * *"
catch_up_until = "{until:%H:%M}"
notifiers = ["file"]
""")


def _last_run(cfg: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["--config", str(cfg), "schedule", "list", "--json"]) == 0
    jobs = {j["job"]: j for j in json.loads(capsys.readouterr().out)["jobs"]}
    row: dict[str, object] = jobs[BRIEFING_JOB]
    return row


def test_a_briefing_that_reached_no_notifier_is_recorded_as_an_error(
        tmp_path: Path, running_broker: Broker, state_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The file notifier's directory is a plain file: every write fails, no notifier delivers.
    (state_dir / "briefings").write_text("not a directory\n")
    cfg = tmp_path / "config.toml"
    cfg.write_text(_config(state_dir, running_broker))
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.notify.wait_for("READY", "1", timeout=20)
        # The catch-up run starts right after READY; the next minute's run would follow.
        deadline = time.monotonic() + 30
        row = _last_run(cfg, capsys)
        while row["last_outcome"] in (None, "started") and time.monotonic() < deadline:
            time.sleep(0.1)
            row = _last_run(cfg, capsys)
        assert row["last_outcome"] == "error", daemon.log_text()
        detail = str(row["last_detail"])
        assert "reached no notifier" in detail
        assert "file" in detail and "briefings" in detail  # which notifier, and why

        assert main(["--config", str(cfg), "schedule", "list"]) == 0
        line = next(x for x in capsys.readouterr().out.splitlines()
                    if x.startswith(BRIEFING_JOB))
        assert "\terror " in line and "reached no notifier" in line

        daemon.signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0, daemon.log_text()
    finally:
        daemon.close()
