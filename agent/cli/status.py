"""`hearth status`: the running daemon's live state, read over its control socket."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `status`."""
    p = sub.add_parser(
        "status",
        help="show the running daemon's state: connections, queues, skills, spend",
        description="Ask the running daemon over its control socket. Exits 69 when no daemon "
                    "is running.",
    )
    p.add_argument("--json", action="store_true", help="print the daemon's reply as JSON")
    p.add_argument("--socket", type=Path, metavar="PATH",
                   help="control socket (default: <runtime dir>/control.sock, else "
                        "/run/hearth/control.sock)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="how long to wait for the daemon (default 5)")
    p.set_defaults(func=_status)


def _status(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load, print_json
    from agent.control import call, find_socket, render_status

    path: Path = args.socket or find_socket(load(args))
    reply = asyncio.run(call(path, "status", timeout=args.timeout))  # errors -> main()
    if args.json:
        print_json(reply)  # money is numbers already (agent.words)
    else:
        print(render_status(reply))
    return 0
