"""`hearth notify test [NAME]`: send a test message to each `[[notify]]` entry, say how it went.

Works without a running daemon: it builds the push service from the config in this process
(Apprise still runs in its own short-lived worker process).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `notify test`."""
    p = sub.add_parser("notify", help="push notifications")
    nsub = p.add_subparsers(dest="notify_command", metavar="SUBCOMMAND", required=True)
    test = nsub.add_parser("test", help="send a test message to each notification service")
    test.add_argument("name", nargs="?", help="only the [[notify]] entry with this name")
    test.add_argument("--json", action="store_true",
                      help="print [{name, service, ok, error}]; exit 1 if any failed")
    test.set_defaults(func=_test)


def _test(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load, print_json
    from agent.logs import redact
    from agent.notifiers.push import PushService

    config = load(args)
    service = PushService(config.notify, zone=config.hearth.zone)
    if not service.names:
        print("hearth notify test: no [[notify]] entry is configured (or all are disabled); "
              "see docs/notifications.md", file=sys.stderr)
        return 1
    if args.name is not None and args.name not in service.names:
        print(f"hearth notify test: no enabled [[notify]] entry named {args.name!r} "
              f"(configured: {', '.join(service.names)})", file=sys.stderr)
        return 1
    results = asyncio.run(service.send_test(args.name))
    if args.json:
        print_json([{"name": r.name, "service": r.service, "ok": r.ok,
                     "error": redact(r.error) or None} for r in results])
    else:
        for r in results:
            outcome = "ok" if r.ok else f"failed: {redact(r.error)}"
            print(f"{r.name} ({r.service}): {outcome}")
    return 0 if all(r.ok for r in results) else 1
