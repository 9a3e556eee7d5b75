"""`hearth budget`: every cap in its current period, with used, reserved and left."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from agent.cli.common import load, print_json, print_table
from agent.words import money, usd_value

if TYPE_CHECKING:
    from agent.ledger import Ledger
    from agent.ledger.types import CapStatus


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `budget`."""
    p = sub.add_parser("budget", help="show each spending cap: used, reserved, left")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_budget)


def _budget(args: argparse.Namespace) -> int:
    # Imported here: commands must stay light to import (see agent/cli/main.py).
    from agent.ledger.cli_support import with_ledger

    config = load(args)

    async def fetch(ledger: Ledger) -> list[CapStatus]:
        return await ledger.budget_status()

    caps = with_ledger(config, fetch)
    if args.json:
        print_json({"caps": [
            {"cap": c.name, "period": c.period, "period_key": c.period_key,
             "cap_usd": usd_value(c.cap_micros), "used_usd": usd_value(c.used_micros),
             "reserved_usd": usd_value(c.reserved_micros),
             "left_usd": usd_value(c.left_micros)}
            for c in caps]})
        return 0
    if not caps:
        print("no caps configured: spending is unlimited (set [budget] daily_usd/monthly_usd)")
        return 0
    print_table(["cap", "period", "limit", "used", "reserved", "left"],
                [[c.name, c.period_key, money(c.cap_micros), money(c.used_micros),
                  money(c.reserved_micros), money(c.left_micros)] for c in caps],
                right=(2, 3, 4, 5))
    return 0
