"""Ledger throughput: reserve+settle pairs per second on SQLite (WAL, synchronous=FULL)
and on PostgreSQL, sequential and with concurrent tasks.

Run: `.venv/bin/python bench/ledger.py` (from the repository root). Prints a Markdown
section and writes the figures to bench/results/ledger.json. Takes well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from agent.config import parse_config
from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import CallRecord, Outcome, Usage

PG_URL = os.environ.get("HEARTH_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
OUT = Path(__file__).resolve().parent / "results" / "ledger.json"
USAGE = Usage(input_tokens=800, cache_read_tokens=2000, output_tokens=150)
RECORD = CallRecord(skill="bench", trigger="bench", tier_requested="fast", tier_used="fast",
                    backend="anthropic", model_requested="claude-haiku-5-5",
                    model_used="claude-haiku-5-5", usage=USAGE, outcome=Outcome.OK,
                    latency_ms=300)
CONFIG = parse_config({"budget": {"daily_usd": "1000", "monthly_usd": "10000",
                                  "per_tier": {"fast": {"daily_usd": "500"}},
                                  "per_skill": {"bench": {"daily_usd": "500"}}}})


async def _pair(ledger: Ledger) -> None:
    res = await ledger.reserve(skill="bench", tier="fast", backend="anthropic",
                               model="claude-haiku-5-5", prompt_tokens=3000, max_tokens=1024)
    await ledger.settle(res, RECORD)


async def _run(db: Database, pairs: int, concurrency: int) -> float:
    ledger = Ledger(db, CONFIG)
    await ledger.start()
    for _ in range(10):  # warm-up: connections, counters, statement cache
        await _pair(ledger)
    sem = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with sem:
            await _pair(ledger)

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(pairs)))
    return pairs / (time.perf_counter() - t0)


def _measure(db: Database, pairs: int) -> dict[str, float]:
    return {"sequential_pairs_per_s": round(asyncio.run(_run(db, pairs, 1)), 1),
            "concurrent8_pairs_per_s": round(asyncio.run(_run(db, pairs, 8)), 1)}


def _pg_version() -> str | None:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test",
                             connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except Exception:
        return None


def main() -> int:
    """Measure, print a Markdown section, write bench/results/ledger.json."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--pairs", type=int, default=300)
    args = p.parse_args()
    results: dict[str, Any] = {
        "command": "python bench/ledger.py" + (f" --pairs {args.pairs}" if args.pairs != 300
                                               else ""),
        "pairs": args.pairs,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version},
    }
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(None, Path(tmp))
        try:
            results["sqlite_full"] = _measure(db, args.pairs)
        finally:
            db.close()
        version = _pg_version()
        if version is None:
            results["postgresql"] = {"skipped": "PostgreSQL at 127.0.0.1:5432 unreachable"}
        else:
            schema = f"hearth_bench_{uuid.uuid4().hex[:8]}"
            db = Database.open(PG_URL, Path(tmp), schema=schema)
            try:
                results["postgresql"] = {"server": version, **_measure(db, args.pairs)}
            finally:
                db.close()
                import psycopg

                with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test",
                                     autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    results["markdown"] = _markdown(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(results["markdown"])
    return 0


def _markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        "## Ledger: reserve+settle pairs per second",
        "",
        f"Command: `{r['command']}` ({r['pairs']} pairs per run; each pair is two write "
        "transactions checking six caps). Machine: "
        f"{m['platform']}, {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {r['postgresql']['server']}" if "server" in r["postgresql"] else "")
        + ".",
        "",
        "| backend | sequential | 8 concurrent tasks |",
        "| --- | --- | --- |",
        f"| SQLite (WAL, synchronous=FULL) | {r['sqlite_full']['sequential_pairs_per_s']}/s "
        f"| {r['sqlite_full']['concurrent8_pairs_per_s']}/s |",
    ]
    pg = r["postgresql"]
    if "skipped" in pg:
        lines.append(f"| PostgreSQL | skipped: {pg['skipped']} | |")
    else:
        lines.append(f"| PostgreSQL | {pg['sequential_pairs_per_s']}/s "
                     f"| {pg['concurrent8_pairs_per_s']}/s |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
