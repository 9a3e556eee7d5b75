"""200 concurrent reservations against a cap that fits 20: tasks, threads, processes.

Each admitted call settles at its full reserved amount (700 µ$), so exactly 20 fit a
14,000 µ$ cap and any overspend would show as a 21st admission.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agent.db import Database
from agent.ledger import Ledger
from tests.db.pg import PG_URL
from tests.ledger.helpers import config
from tests.ledger.worker import PER_CALL, burst

ROOT = Path(__file__).resolve().parents[2]
CAP_USD = "0.014"
FITS = 20


def _check(db: Database, admitted: int, refused: int) -> None:
    assert admitted == FITS
    assert admitted + refused == 200

    async def status() -> dict[str, tuple[int, int]]:
        ledger = Ledger(db, config({"daily_usd": CAP_USD}))
        return {f"{c.name}|{c.period}": (c.used_micros, c.reserved_micros)
                for c in await ledger.budget_status()}

    used, reserved = asyncio.run(status())["global|day"]
    assert used == FITS * PER_CALL <= 14_000
    assert reserved == 0


def _tasks(db: Database) -> None:
    ledger = Ledger(db, config({"daily_usd": CAP_USD}))
    result = asyncio.run(burst(ledger, 200, "tasks"))
    _check(db, result["ok"], result["refused"])


def _threads(url: str | None, state: Path, schema: str | None) -> None:
    """10 threads, each with its own Database (own connections), 20 calls each."""
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            db = Database.open(url, state, schema=schema)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()  # release the others rather than leave them waiting
            return
        try:
            ledger = Ledger(db, config({"daily_usd": CAP_USD}))
            barrier.wait(60)
            results.append(asyncio.run(burst(ledger, 20, "threads")))
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    # daemon: a stuck thread must not keep the test process alive after a failure
    threads = [threading.Thread(target=run, daemon=True) for _ in range(10)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 100
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "threads did not finish"
    assert not errors, errors
    db = Database.open(url, state, schema=schema)
    try:
        _check(db, sum(r["ok"] for r in results), sum(r["refused"] for r in results))
    finally:
        db.close()


def _processes(url: str | None, state: Path, schema: str | None) -> None:
    """4 separate Python processes, 50 calls each, released at the same instant."""
    start_at = time.time() + 4.0  # time for every interpreter to start and open the DB
    cmd = [sys.executable, "-m", "tests.ledger.worker", "burst", "--state", str(state),
           "--cap-usd", CAP_USD, "--count", "50", "--start-at", str(start_at)]
    if url:
        cmd += ["--url", url]
    if schema:
        cmd += ["--schema", schema]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=100)
        assert p.returncode == 0, err
        outs.append(json.loads(out.strip().splitlines()[-1]))
    db = Database.open(url, state, schema=schema)
    try:
        _check(db, sum(o["ok"] for o in outs), sum(o["refused"] for o in outs))
    finally:
        db.close()


def test_tasks_sqlite(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        _tasks(db)
    finally:
        db.close()


def test_threads_sqlite(state_dir: Path) -> None:
    _threads(None, state_dir, None)


@pytest.mark.slow
def test_processes_sqlite(state_dir: Path) -> None:
    _processes(None, state_dir, None)


@pytest.mark.postgres
def test_tasks_postgres(pg_schema: str, state_dir: Path) -> None:
    db = Database.open(PG_URL, state_dir, schema=pg_schema)
    try:
        _tasks(db)
    finally:
        db.close()


@pytest.mark.postgres
def test_threads_postgres(pg_schema: str, state_dir: Path) -> None:
    _threads(PG_URL, state_dir, pg_schema)


@pytest.mark.postgres
@pytest.mark.slow
def test_processes_postgres(pg_schema: str, state_dir: Path) -> None:
    _processes(PG_URL, state_dir, pg_schema)
