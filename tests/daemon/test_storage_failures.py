"""Start-up and run-time failures of the state directory, lock, database and disk: one clear
line, and an exit status the systemd unit does not restart on (a restart cannot fix them)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from agent.cli.main import main
from agent.db import Database
from agent.errors import EX_CANTCREAT, EX_IOERR, AlreadyRunning, ConfigError, LedgerError
from tests.daemon.mounts import fill, tmpfs
from tests.support.broker import free_port
from tests.support.daemon_proc import DaemonProcess

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "hearth.service"


def _config(tmp_path: Path, state: Path) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{state}"\n\n'
                   f'[mqtt]\nhost = "127.0.0.1"\nport = {free_port()}\n\n'
                   f'[ollama]\nhost = "http://127.0.0.1:{free_port()}"\n\n'
                   '[anthropic]\napi_key = { env = "HEARTH_STORAGE_TEST_UNSET" }\n')
    return cfg


def _run(tmp_path: Path, cfg: Path) -> tuple[int, str]:
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        return daemon.wait(timeout=30), daemon.log_text()
    finally:
        daemon.close()


def _write_until_it_fails(db: Database) -> LedgerError:
    def insert(session: Session) -> None:
        session.execute(text("CREATE TABLE IF NOT EXISTS junk (v TEXT)"))
        session.execute(text("INSERT INTO junk VALUES (:v)"), {"v": "x" * 200_000})

    for _ in range(50):
        try:
            db.write_sync(insert)
        except LedgerError as exc:
            return exc
    raise AssertionError("50 writes of 200 kB fitted on a full 512 kB file system")


def test_unit_does_not_restart_on_any_start_up_storage_status() -> None:
    listed: set[int] = set()
    for line in UNIT.read_text().splitlines():
        if line.startswith("RestartPreventExitStatus="):
            listed |= {int(v) for v in line.split("=", 1)[1].split()}
    assert {EX_CANTCREAT, EX_IOERR, AlreadyRunning.exit_code, ConfigError.exit_code} <= listed


def test_read_only_state_directory_exits_73_with_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", read_only=True) as state:
        code, log = _run(tmp_path, _config(tmp_path, state))
    assert code == EX_CANTCREAT, log
    assert "Traceback" not in log
    assert re.search(rf"not starting: .*{re.escape(str(state))}.*read-only file system", log), log


def test_read_only_state_directory_below_a_missing_one_exits_73(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", read_only=True) as mount:
        code, log = _run(tmp_path, _config(tmp_path, mount / "hearth"))
    assert code == EX_CANTCREAT, log
    assert "Traceback" not in log
    assert "read-only file system" in log


def test_full_disk_at_start_exits_74_naming_the_cause(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full", size="256k") as state:
        fill(state)
        code, log = _run(tmp_path, _config(tmp_path, state))
    assert code == EX_IOERR, log
    assert "Traceback" not in log
    assert f"disk full at {state}" in log


def test_disk_full_while_running_names_the_cause_and_reads_still_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "small", size="512k") as state:
        cfg = _config(tmp_path, state)
        db = Database.open(None, state)  # a ledger as a running daemon has it, WAL and all
        try:
            filler = fill(state)
            error = _write_until_it_fails(db)
            assert f"disk full at {state}" in str(error)
            assert filler.stat().st_size > 0
            # The daemon's connection stays open; an admin looks at the spend meanwhile.
            assert main(["--config", str(cfg), "spend"]) == 0
            assert main(["--config", str(cfg), "budget"]) == 0
        finally:
            db.close()
    out = capsys.readouterr().out
    assert "cap" in out


def test_read_only_commands_work_against_a_running_daemon_on_a_full_disk(
    tmp_path: Path,
) -> None:
    with tmpfs(tmp_path / "state", size="4m") as state:
        cfg = _config(tmp_path, state)
        daemon = DaemonProcess(cfg, tmp_path)
        try:
            daemon.notify.wait_for("READY", "1", timeout=30)
            fill(state)
            for command in (["status"], ["spend"], ["budget"]):
                done = subprocess.run(
                    [sys.executable, "-m", "agent.cli.main", "--config", str(cfg), *command],
                    capture_output=True, text=True, check=False, timeout=60)
                assert done.returncode == 0, (command, done.stdout, done.stderr)
                assert "Traceback" not in done.stderr
            assert daemon.proc.poll() is None  # and the daemon carries on
        finally:
            daemon.signal(signal.SIGTERM)
            daemon.wait(timeout=15)
            daemon.close()
