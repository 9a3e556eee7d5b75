"""Ledger throughput: reserve+settle pairs per second on SQLite (WAL, synchronous=FULL)
and on PostgreSQL, sequential and with concurrent tasks; and overspend in a race of 200 paid
calls through the router against a $0.05 daily cap, with the fake Claude API billing one
token per UTF-8 byte of the prompt (harsher than any real tokenizer) and every answer
using all of max_tokens.

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

# The fake Claude API lives with the tests; run as a script, the repository root is not on
# the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.config import parse_config
from agent.credentials import ApiKey
from agent.db import Database
from agent.errors import BudgetExceeded
from agent.ledger import Ledger
from agent.ledger.types import CallRecord, Outcome, Usage
from agent.router import Message, ModelRequest, Router
from tests.support.fake_anthropic import FakeAnthropic, answer

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


RACE_TEXT = "台所の照明をつけて、玄関の鍵が閉まっているか教えてください。🔒💡" * 30
RACE_MAX_TOKENS = 1024


async def router_race(db: Database, fake: FakeAnthropic, state: Path, *, calls: int = 200,
                      cap_usd: str = "0.05") -> dict[str, int]:
    """`calls` concurrent paid calls through a real Router and Ledger on `db`; the fake
    bills every prompt byte as a token and all of max_tokens. Admissions, refusals,
    the cap, what was used and reserved after, and the prompt tokens billed per call."""
    fake.tokenizer = "bytes"
    fake.set_responder(lambda _req: answer("はい", usage={"output_tokens": RACE_MAX_TOKENS}))
    config = parse_config({
        "hearth": {"state_dir": str(state)},
        "anthropic": {"base_url": fake.url, "timeout": 10},
        "router": {"deadline": 120},
        "budget": {"daily_usd": cap_usd, "monthly_usd": "10"},
        # One paid tier, so a refusal is final rather than a fallback.
        "tiers": {"fast": {"backend": "anthropic", "model": "claude-haiku-5-5",
                           "max_tokens": RACE_MAX_TOKENS, "fallback": []}},
    })
    ledger = Ledger(db, config)
    await ledger.start()
    router = Router(config, ledger, api_key=ApiKey("sk-ant-api03-bench-race-0123456789"))
    request = ModelRequest(skill="bench", system="あなたは家の助手です。",
                           messages=[Message("user", RACE_TEXT)], max_tokens=RACE_MAX_TOKENS)
    billed: list[int] = []

    async def one() -> str:
        try:
            response = await router.complete(request, "fast")
        except BudgetExceeded:
            return "refused"
        billed.append(response.usage.prompt_tokens)
        return "ok"

    try:
        results = await asyncio.gather(*(one() for _ in range(calls)))
    finally:
        await router.aclose()
    (day,) = [c for c in await ledger.budget_status()
              if c.name == "global" and c.period == "day"]
    return {"admitted": results.count("ok"), "refused": results.count("refused"),
            "cap_micros": day.cap_micros, "used_micros": day.used_micros,
            "reserved_after_micros": day.reserved_micros,
            "overspend_micros": max(0, day.used_micros - day.cap_micros),
            "prompt_chars": len(RACE_TEXT) + len(request.system),
            "min_prompt_tokens_billed": min(billed, default=0)}


def _race(url: str | None, state: Path, schema: str | None) -> dict[str, int]:
    """The race on a database of its own: the throughput runs' spend is not on its caps."""
    state.mkdir(exist_ok=True)
    db = Database.open(url, state, schema=schema)
    fake = FakeAnthropic()
    fake.start()
    try:
        return asyncio.run(router_race(db, fake, state))
    finally:
        fake.stop()
        db.close()


def _measure(db: Database, pairs: int) -> dict[str, Any]:
    return {"sequential_pairs_per_s": round(asyncio.run(_run(db, pairs, 1)), 1),
            "concurrent8_pairs_per_s": round(asyncio.run(_run(db, pairs, 8)), 1)}


def _drop(schema: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test",
                         autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


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
        results["sqlite_full"]["race"] = _race(None, Path(tmp) / "race", None)
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
                _drop(schema)
            try:
                results["postgresql"]["race"] = _race(PG_URL, Path(tmp) / "race-pg",
                                                      f"{schema}_race")
            finally:
                _drop(f"{schema}_race")
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
    lines += ["", "Race: 200 concurrent paid calls through the router, $0.05 daily cap, the "
              "fake billing one token per UTF-8 byte of the prompt and all of max_tokens.", "",
              "| backend | admitted | refused | used / cap (µ$) | overspend (µ$) "
              "| prompt tokens billed / characters |", "| --- | --- | --- | --- | --- | --- |"]
    for name, section in (("SQLite", r["sqlite_full"]), ("PostgreSQL", pg)):
        race = section.get("race")
        if race is not None:
            lines.append(f"| {name} | {race['admitted']} | {race['refused']} "
                         f"| {race['used_micros']} / {race['cap_micros']} "
                         f"| {race['overspend_micros']} "
                         f"| {race['min_prompt_tokens_billed']} / {race['prompt_chars']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
