"""`hearth privacy report`: what left the house, by skill and data scope, from the ledger."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING, Any

from agent.cli.common import date_range, iso_date, load, print_json, print_table
from agent.words import plural

if TYPE_CHECKING:

    from agent.ledger import Ledger
    from agent.ledger.types import CallView

# Rows written before the ledger recorded scopes carry none.
UNRECORDED = "(not recorded)"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `privacy report`."""
    p = sub.add_parser("privacy", help="what household data left the house")
    psub = p.add_subparsers(dest="privacy_command", metavar="COMMAND", required=True)
    r = psub.add_parser("report", help="cloud calls by skill and data scope, with bytes")
    r.add_argument("--since", type=iso_date, metavar="DATE",
                   help="first day (YYYY-MM-DD, household time zone; default: 1st of month)")
    r.add_argument("--until", type=iso_date, metavar="DATE",
                   help="last day, inclusive (default: today)")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.set_defaults(func=_report)



def _scopes(call: CallView) -> tuple[str, ...]:
    return call.scopes or (UNRECORDED,)


def _call(call: CallView) -> dict[str, Any]:
    return {"id": call.id, "at": call.created_at.isoformat(), "skill": call.skill,
            "tier": call.tier, "model": call.model, "scopes": list(call.scopes),
            "bytes": call.request_bytes, "outcome": call.outcome}


def _totals(calls: list[CallView], key: str) -> dict[str, dict[str, int]]:
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for call in calls:
        if call.outcome == "refused":
            continue  # nothing was sent
        names = [call.skill] if key == "skill" else list(_scopes(call))
        for name in names:
            counts[name] += 1
            sizes[name] += call.request_bytes
    return {name: {"calls": counts[name], "bytes": sizes[name]} for name in sorted(counts)}


def _report(args: argparse.Namespace) -> int:
    # Imported here: commands must stay light to import (see agent/cli/main.py).
    from agent.ledger.cli_support import with_ledger

    config = load(args)
    zone = config.hearth.zone
    bounds = date_range(args, zone, "privacy report")
    if bounds is None:
        return 2
    since, until, start, end = bounds.since, bounds.until, bounds.start, bounds.end

    async def fetch(ledger: Ledger) -> tuple[list[CallView], int]:
        return await ledger.cloud_calls_between(start, end)

    calls, local = with_ledger(config, fetch)
    if args.json:
        print_json({"since": since.isoformat(), "until": until.isoformat(),
                    "calls": [_call(c) for c in calls], "by_skill": _totals(calls, "skill"),
                    "by_scope": _totals(calls, "scope"), "local_calls": local})
        return 0
    sent = [c for c in calls if c.outcome != "refused"]
    print(f"{since} to {until}: {plural(len(sent), 'cloud call')}, "
          f"{sum(c.request_bytes for c in sent):,} bytes sent")
    rows: dict[tuple[str, str], list[int]] = {}
    for call in sent:
        for scope in _scopes(call):
            row = rows.setdefault((call.skill, scope), [0, 0])
            row[0] += 1
            row[1] += call.request_bytes
    if rows:
        print()
        print_table(["skill", "scope", "calls", "bytes"],
                    [[skill, scope, str(n), f"{size:,}"]
                     for (skill, scope), (n, size) in sorted(rows.items())], right=(2, 3))
    refused = [c for c in calls if c.outcome == "refused"]
    if refused:
        print()
        print(f"refused, never sent: {plural(len(refused), 'call')}")
        for c in refused:
            print(f"  {c.created_at.astimezone(zone):%Y-%m-%d %H:%M}  {c.skill} on {c.tier}: "
                  f"{', '.join(_scopes(c))} ({c.error_class or 'refused'})")
    print()
    print(f"local calls (never left the house): {local}")
    return 0
