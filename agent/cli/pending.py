"""`hearth pending [--json] [--history [-n N]]`: what waits for confirmation, and what happened.

Asks the running daemon over its control socket (the pending actions live there). The list
shows each action's full id, for `hearth confirm ID`; the history (kept in the database)
shows every request, approval, refusal, cancellation and expiry with when and through which
path (control: `hearth confirm`; mqtt: `<prefix>/confirm`; request: whoever asked; timer).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `pending`."""
    p = sub.add_parser("pending", help="list sensitive actions waiting for confirmation",
                       description="List the running daemon's pending sensitive actions; "
                                   "with --history, also what happened to earlier ones.")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--history", action="store_true",
                   help="also show approvals, refusals and expiries (newest last)")
    p.add_argument("-n", "--limit", type=int, default=50, metavar="N",
                   help="history entries to show (default 50)")
    p.set_defaults(func=_pending)


def _pending(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load, print_json
    from agent.control import DaemonNotRunning, call, find_socket
    from agent.errors import EX_UNAVAILABLE

    config = load(args)
    request: dict[str, Any] = {"history": bool(args.history), "limit": args.limit}
    try:
        result = asyncio.run(call(find_socket(config), "pending", request))
    except DaemonNotRunning as exc:
        print(f"hearth: {exc}; pending actions live in the daemon", file=sys.stderr)
        return EX_UNAVAILABLE
    if result.get("ok") is False:
        print(f"hearth: {result.get('error')}", file=sys.stderr)
        return 1
    if args.json:
        print_json(result)
        return 0
    _print(result)
    return 0


def _print(result: dict[str, Any]) -> None:
    from agent.cli.common import print_table

    waiting = result.get("pending") or []
    if waiting:
        print_table(["id", "device", "wants", "expires in"],
                    [[str(p.get("id")), str(p.get("name") or p.get("device")),
                      _desired(p.get("desired")), f"{p.get('expires_in', '?')} s"]
                     for p in waiting])
        print("approve with: hearth confirm ID   (refuse: hearth confirm --cancel ID)")
    else:
        print("nothing waits for confirmation")
    if "history" in result:
        print()
        history = result["history"] or []
        if not history:
            print("no approval history yet")
            return
        print_table(["when", "what", "code", "path", "device", "detail"],
                    [[str(h.get("at")), str(h.get("kind")), str(h.get("code")),
                      str(h.get("path")), str(h.get("device") or "-"),
                      str(h.get("detail") or (h.get("payload") or ""))] for h in history])


def _desired(desired: Any) -> str:
    if not isinstance(desired, dict):
        return "?"
    return " ".join(f"{k}={v}" for k, v in desired.items() if v is not None)
