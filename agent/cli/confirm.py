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
    p.add_argument("--json", action="store_true",
                   help="print {ok, id, reply} or {ok, id, error} as JSON on stdout")
    p.set_defaults(func=_confirm)


def _confirm(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load, print_json
    from agent.control import DaemonNotRunning, call, find_socket
    from agent.errors import EX_UNAVAILABLE

    config = load(args)
    action_id: str = args.id.strip()
    command, payload = ("cancel", {"id": action_id}) if args.cancel else \
        ("confirm", {"nonce": action_id})
    try:
        result = asyncio.run(call(find_socket(config), command, payload))
    except DaemonNotRunning as exc:
        error = (f"{exc}; pending actions live in the daemon, so there is nothing to "
                 f"{'cancel' if args.cancel else 'confirm'}")
        if args.json:
            print_json({"ok": False, "id": action_id, "error": error})
        else:
            print(f"hearth: {error}", file=sys.stderr)
        return EX_UNAVAILABLE
    ok = bool(result.get("ok"))
    done = "cancelled" if args.cancel else "confirmed"
    if args.json:
        print_json({"ok": True, "id": action_id, "reply": result.get("reply") or done} if ok
                   else {"ok": False, "id": action_id,
                         "error": result.get("error") or f"not {done}"})
    elif ok:
        print(result.get("reply") or done)
    else:
        print(f"hearth: {result.get('error') or f'not {done}'}", file=sys.stderr)
    return 0 if ok else 1
