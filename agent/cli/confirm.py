"""`hearth confirm ID` (and `--cancel`): approve or refuse a pending sensitive action.

Only through the running daemon's control socket: the socket is mode 0600, so whoever can
use it is the local owner. There is no MQTT fallback: an id sent over the broker could be
read and replayed by any client there (approval over MQTT is a separate, opt-in path for
brokers with ACLs; see `[approval] mqtt`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `confirm`."""
    p = sub.add_parser("confirm", help="approve a pending action on a lock, garage door or alarm",
                       description="Approve (or with --cancel refuse) a pending sensitive "
                                   "action by the id hearth gave; `hearth pending` lists them.")
    p.add_argument("id", help="the action id from hearth's reply (e.g. k7m2q-a9xrt-3hbnw-pe4cz)")
    p.add_argument("--cancel", action="store_true", help="refuse the action instead")
    p.set_defaults(func=_confirm)


def _confirm(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load
    from agent.control import DaemonNotRunning, call, find_socket
    from agent.errors import EX_UNAVAILABLE

    config = load(args)
    action_id: str = args.id.strip()
    command, payload = ("cancel", {"id": action_id}) if args.cancel else \
        ("confirm", {"nonce": action_id})
    try:
        result = asyncio.run(call(find_socket(config), command, payload))
    except DaemonNotRunning as exc:
        print(f"hearth: {exc}; pending actions live in the daemon, so there is nothing to "
              "confirm", file=sys.stderr)
        return EX_UNAVAILABLE
    if result.get("ok"):
        print(result.get("reply") or "confirmed")
        return 0
    print(f"hearth: {result.get('error', 'not confirmed')}", file=sys.stderr)
    return 1
