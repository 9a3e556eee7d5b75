"""`hearth confirm ID`: approve a pending sensitive action (lock, garage door, alarm).

Sent to the running daemon over its control socket when one is found; otherwise (or with
``--mqtt``) published on `<prefix>/confirm`, and the daemon's answer read from
`<prefix>/reply`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `confirm`."""
    p = sub.add_parser("confirm", help="approve a pending action on a lock, garage door or alarm",
                       description="Approve a pending sensitive action by the id hearth gave.")
    p.add_argument("id", help="the action id from hearth's reply (e.g. k7m2qa)")
    p.add_argument("--mqtt", action="store_true",
                   help="send over <prefix>/confirm even when a control socket exists")
    p.set_defaults(func=_confirm)


def _confirm(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load

    config = load(args)
    action_id: str = args.id.strip()
    if not args.mqtt:
        try:
            from agent.control import call, find_socket
        except ImportError:  # a build without the control socket: MQTT is the way
            pass
        else:
            path = find_socket(config)
            if path.exists():
                result = asyncio.run(call(path, "confirm", {"nonce": action_id}))
                return _report(result)
    from agent.mqtt.oneshot import exchange

    prefix = config.mqtt.prefix
    answer = exchange(config, f"{prefix}/confirm", action_id, reply_topic=f"{prefix}/reply")
    if answer is None:
        print(f"hearth: sent {action_id} to {prefix}/confirm, but no daemon answered",
              file=sys.stderr)
        return 1
    try:
        result = json.loads(answer)
    except ValueError:
        result = {"ok": False, "error": answer.decode("utf-8", "replace")[:200]}
    return _report(result if isinstance(result, dict) else {"ok": False, "error": str(result)})


def _report(result: dict[str, Any]) -> int:
    if result.get("ok"):
        print(result.get("reply") or "confirmed")
        return 0
    print(f"hearth: {result.get('error', 'not confirmed')}", file=sys.stderr)
    return 1
