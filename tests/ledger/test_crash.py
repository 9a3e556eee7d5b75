"""A process killed between reserve and settle: after restart the reservation is spent."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.db import Database
from agent.ledger import Ledger
from tests.ledger.helpers import config

ROOT = Path(__file__).resolve().parents[2]


def _reserve_then_die(state_dir: Path, *extra: str) -> tuple[dict[str, int], int]:
    """Start a worker that reserves and hangs; SIGKILL it once the reservation is made."""
    with subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.worker", "hang", "--state", str(state_dir),
         *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            line = proc.stdout.readline()
            if not line:
                proc.wait(30)
                pytest.fail(f"worker died before reserving: {proc.stderr.read()}")
            held: dict[str, int] = json.loads(line)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
    return held, proc.returncode


def test_sigkill_between_reserve_and_settle(state_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    held, code = _reserve_then_die(state_dir, "--cap-usd", "0.01")
    assert code == -signal.SIGKILL
    assert held["amount"] == 700

    cfg_file = tmp_path / "hearth.toml"
    cfg_file.write_text(f'[hearth]\nstate_dir = "{state_dir}"\n\n[budget]\ndaily_usd = 0.01\n'
                        "monthly_usd = 1\n", encoding="utf-8")
    # Before any restart the dead call's worst case is still held against the cap.
    db = Database.open(None, state_dir)
    try:
        cfg = config({"daily_usd": "0.01"})
        statuses = asyncio.run(Ledger(db, cfg).budget_status())
        assert [(c.used_micros, c.reserved_micros) for c in statuses if c.period == "day"] == [
            (0, 700)]

        # The restart: a new Ledger reconciles at start.
        async def restart() -> tuple[int, list[tuple[int, int]]]:
            ledger = Ledger(db, cfg)
            n = await ledger.start()
            caps = [(c.used_micros, c.reserved_micros) for c in await ledger.budget_status()]
            return n, caps

        n, caps = asyncio.run(restart())
        assert n == 1
        assert caps[0] == (700, 0)
    finally:
        db.close()

    assert main(["--config", str(cfg_file), "budget", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["caps"]
    day = next(c for c in shown if c["period"] == "day")
    assert (day["used_usd"], day["reserved_usd"], day["left_usd"]) == (0.0007, 0.0, 0.0093)

    assert main(["--config", str(cfg_file), "spend", "--json", "--calls"]) == 0
    calls = json.loads(capsys.readouterr().out)
    assert calls["total_usd"] == 0.0007
    assert [(c["skill"], c["outcome"], c["cost_usd"]) for c in calls["calls"]] == [
        ("crashy", "unknown", 0.0007)]


def test_cli_reconciles_a_dead_process_on_its_own(state_dir: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`hearth budget` run after the crash (no daemon restart yet) shows it as used."""
    held, _ = _reserve_then_die(state_dir)
    assert held["amount"] == 700
    cfg_file = tmp_path / "hearth.toml"
    cfg_file.write_text(f'[hearth]\nstate_dir = "{state_dir}"\n', encoding="utf-8")
    assert main(["--config", str(cfg_file), "budget"]) == 0
    out = capsys.readouterr().out
    day_line = next(line for line in out.splitlines() if line.startswith("global\t20"))
    # cap 1.00 (default), used 0.0007 (below a cent: exact), reserved 0, left 0.9993 (cents)
    assert day_line.split("\t")[2:] == ["$1.00", "$0.0007", "$0.00", "$1.00"]
