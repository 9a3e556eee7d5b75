"""`hearth run` as systemd runs it: READY, SIGHUP reload (good and bad), SIGTERM within 10 s."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.support.broker import Broker
from tests.support.daemon_config import daemon_config
from tests.support.daemon_proc import DaemonProcess


def _config(state: Path, broker: Broker, level: str) -> str:
    return daemon_config(state, broker, "e2e", hearth=f'log_level = "{level}"')


def test_ready_reload_and_clean_stop(tmp_path: Path, running_broker: Broker, state_dir: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(_config(state_dir, running_broker, "INFO"))
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        ready = daemon.notify.wait_for("READY", "1", timeout=20)
        assert ready.get("STATUS")

        # A valid new config is applied.
        cfg.write_text(_config(state_dir, running_broker, "DEBUG"))
        daemon.signal(signal.SIGHUP)
        daemon.wait_for_log("reload done")

        # An invalid one is rejected and the daemon keeps running on the old one.
        cfg.write_text(_config(state_dir, running_broker, "LOUD") + "\nbogus_key = 1\n")
        daemon.signal(signal.SIGHUP)
        log = daemon.wait_for_log("reload rejected")
        assert "hearth.log_level" in log and "bogus_key: unknown key" in log
        assert daemon.proc.poll() is None

        started = time.monotonic()
        daemon.signal(signal.SIGTERM)
        code = daemon.wait(timeout=10)
        elapsed = time.monotonic() - started
        assert code == 0, daemon.log_text()
        assert elapsed < 10
        assert daemon.notify.wait_for("STOPPING", "1", timeout=1)
        assert "stopped after" in daemon.log_text()
    finally:
        daemon.close()


def test_second_daemon_on_same_state_dir_is_refused(
    tmp_path: Path, running_broker: Broker, state_dir: Path
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(_config(state_dir, running_broker, "INFO"))
    first = DaemonProcess(cfg, tmp_path)
    (tmp_path / "second").mkdir()
    try:
        first.notify.wait_for("READY", "1", timeout=20)
        second = DaemonProcess(cfg, tmp_path / "second")
        try:
            assert second.wait(timeout=20) == 75
            assert "another hearth daemon" in second.log_text()
        finally:
            second.close()
    finally:
        first.signal(signal.SIGTERM)
        first.wait(timeout=10)
        first.close()


def test_bad_config_exits_78_and_tells_systemd(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[mqtt]\nport = 'x'\n")
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        assert daemon.wait(timeout=20) == 78
        status = daemon.notify.wait_for("STATUS", timeout=2)["STATUS"]
        assert status.startswith("not starting")
        assert "mqtt.port" in daemon.log_text()
    finally:
        daemon.close()
