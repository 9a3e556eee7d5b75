"""A separate process that uses the ledger: `python -m tests.ledger.worker ...`.

``burst``: wait for a common start time, then reserve+settle COUNT calls and print how
many were admitted. ``hang``: reserve once, print the reservation, then sleep until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from agent.db import Database
from agent.errors import BudgetExceeded
from agent.ledger import Ledger
from agent.ledger.types import Usage
from tests.ledger.helpers import config, record

MODEL = "claude-haiku-5-5"
# 1000 prompt tokens at the worst prompt rate (0.20) + 1000 output at 0.50 = 700 µ$.
KW = {"tier": "fast", "backend": "anthropic", "model": MODEL, "prompt_tokens": 1000,
      "max_tokens": 1000}
# The dearest actual usage the reservation allows: it settles at exactly 700 µ$.
WORST = Usage(cache_write_1h_tokens=1000, output_tokens=1000)
PER_CALL = 700


async def burst(ledger: Ledger, count: int, skill: str) -> dict[str, int]:
    """Reserve+settle ``count`` calls concurrently; count admissions and refusals."""

    async def one() -> str:
        try:
            res = await ledger.reserve(skill=skill, **KW)  # type: ignore[arg-type]
        except BudgetExceeded:
            return "refused"
        await ledger.settle(res, record(WORST, skill=skill))
        return "ok"

    results = await asyncio.gather(*(one() for _ in range(count)))
    return {"ok": results.count("ok"), "refused": results.count("refused")}


def open_db(url: str | None, state: Path, schema: str | None) -> Database:
    """The database the test set up."""
    return Database.open(url, state, schema=schema)


def main() -> int:
    """Run one worker."""
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["burst", "hang"])
    p.add_argument("--state", type=Path, required=True)
    p.add_argument("--url")
    p.add_argument("--schema")
    p.add_argument("--cap-usd", default="0.014")
    p.add_argument("--count", type=int, default=50)
    p.add_argument("--start-at", type=float, default=0.0)
    args = p.parse_args()
    db = open_db(args.url, args.state, args.schema)
    ledger = Ledger(db, config({"daily_usd": args.cap_usd}))
    try:
        if args.mode == "hang":
            res = asyncio.run(ledger.reserve(skill="crashy", **KW))  # type: ignore[arg-type]
            print(json.dumps({"id": res.id, "amount": res.amount_micros}), flush=True)
            time.sleep(3600)
            return 0
        time.sleep(max(0.0, args.start_at - time.time()))
        print(json.dumps(asyncio.run(burst(ledger, args.count, "burst"))), flush=True)
        return 0
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
