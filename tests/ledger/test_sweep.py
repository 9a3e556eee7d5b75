"""While the daemon runs, a periodic sweep reclaims reservations of processes that died (a
CLI or a second daemon killed with SIGKILL) and any older than ledger.orphan_after_minutes;
a live holder's reservation is left alone. SQLite and PostgreSQL, real processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.sweep import ReservationSweeper
from agent.ledger.types import CapStatus
from tests.db.pg import PG_URL
from tests.ledger.helpers import Clock, config, record
from tests.ledger.worker import KW, PER_CALL
from tests.support.broker import Broker
from tests.support.daemon_config import daemon_config
from tests.support.daemon_proc import DaemonProcess

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 0.2


async def _day(ledger: Ledger) -> CapStatus:
    (day,) = [c for c in await ledger.budget_status()
              if c.name == "global" and c.period == "day"]
    return day


async def _killed_holder_is_reclaimed(db: Database, state: Path, *extra: str) -> None:
    cfg = config({"daily_usd": "0.01"}, ledger={"sweep_interval_seconds": INTERVAL})
    ledger = Ledger(db, cfg)
    await ledger.start()
    sweeper = ReservationSweeper(ledger, cfg.ledger.sweep_interval_seconds)
    await sweeper.start()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.ledger.worker", "hang", "--state", str(state), *extra,
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        if not line:
            pytest.fail(f"worker died before reserving: {(await proc.stderr.read()).decode()}")
        assert json.loads(line)["amount"] == PER_CALL
        # Several sweeps pass while the holder lives: its reservation stays held.
        await asyncio.sleep(INTERVAL * 5)
        day = await _day(ledger)
        assert (day.used_micros, day.reserved_micros) == (0, PER_CALL)
        os.kill(proc.pid, signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            day = await _day(ledger)
            if day.reserved_micros == 0:
                break
            await asyncio.sleep(INTERVAL)
        # Without any restart: the dead call's worst case is now spent, not held.
        assert (day.used_micros, day.reserved_micros) == (PER_CALL, 0)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await sweeper.stop()
    now = ledger.period_bounds("day")
    (row,) = await ledger.calls_between(*now)
    assert (row.skill, row.outcome, row.cost_micros) == ("crashy", "unknown", PER_CALL)


def test_sweep_reclaims_a_killed_process_sqlite(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        asyncio.run(_killed_holder_is_reclaimed(db, state_dir, "--cap-usd", "0.01"))
    finally:
        db.close()


@pytest.mark.postgres
def test_sweep_reclaims_a_killed_process_postgres(pg_schema: str, state_dir: Path) -> None:
    db = Database.open(PG_URL, state_dir, schema=pg_schema)
    try:
        asyncio.run(_killed_holder_is_reclaimed(db, state_dir, "--cap-usd", "0.01",
                                                "--url", PG_URL, "--schema", pg_schema))
    finally:
        db.close()


async def test_sweep_applies_orphan_after_minutes_while_running(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        clock = Clock()
        cfg = config({"daily_usd": "0.01"}, ledger={"orphan_after_minutes": 30})
        ledger = Ledger(db, cfg, clock=clock)
        sweeper = ReservationSweeper(ledger, cfg.ledger.sweep_interval_seconds)
        old = await ledger.reserve(skill="slow", **KW)  # type: ignore[arg-type]
        assert await sweeper.sweep() == 0          # this process is alive, the hold is young
        clock.advance(minutes=31)
        assert await sweeper.sweep() == 1
        day = await _day(ledger)
        assert (day.used_micros, day.reserved_micros) == (PER_CALL, 0)
        # The call did come back after all: its real cost replaces the guess.
        await ledger.settle(old, record(skill="slow"))
        assert (await _day(ledger)).used_micros == 0
    finally:
        db.close()


async def test_a_failing_sweep_is_logged_and_the_next_one_runs(
        state_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = Database.open(None, state_dir)
    cfg = config(ledger={"sweep_interval_seconds": INTERVAL})
    ledger = Ledger(db, cfg)
    sweeper = ReservationSweeper(ledger, INTERVAL)
    db.close()  # every sweep now fails
    await sweeper.start()
    await asyncio.sleep(INTERVAL * 3)
    assert sweeper.running
    await sweeper.stop()
    assert "reservation sweep failed" in caplog.text


def test_the_running_daemon_sweeps(tmp_path: Path, running_broker: Broker,
                                   state_dir: Path) -> None:
    """`hearth run` itself: a killed `hearth ask`-like process's hold is spent while the
    daemon keeps running, with no restart and no CLI command."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(daemon_config(state_dir, running_broker, "sweep", extra=f"""
[ledger]
sweep_interval_seconds = {INTERVAL}
"""))
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.notify.wait_for("READY", "1", timeout=20)
        with subprocess.Popen([sys.executable, "-m", "tests.ledger.worker", "hang", "--state",
                               str(state_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) as worker:
            try:
                assert worker.stdout is not None
                assert json.loads(worker.stdout.readline())["amount"] == PER_CALL
            finally:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(30)
        daemon.wait_for_log("1 reservation of dead or stale calls counted as spent",
                            timeout=30)
        assert daemon.proc.poll() is None
    finally:
        daemon.signal(signal.SIGTERM)
        daemon.wait(timeout=10)
        daemon.close()
    db = Database.open(None, state_dir)
    try:
        day = asyncio.run(_day(Ledger(db, config({"daily_usd": "1"}))))
        assert (day.used_micros, day.reserved_micros) == (PER_CALL, 0)
    finally:
        db.close()
