"""`hearth list show`: the household's lists (the lists skill's items), in this process."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `list show`."""
    p = sub.add_parser("list", help="the household's lists (shopping list and others)")
    lsub = p.add_subparsers(dest="list_command", metavar="SUBCOMMAND")
    show = lsub.add_parser("show", help="print the items on one list or on every list")
    show.add_argument("name", nargs="?", metavar="NAME",
                      help='a list ("shopping", "hardware list"); default: every list')
    show.add_argument("--all", action="store_true", help="include items already checked off")
    show.add_argument("--json", action="store_true", help="one JSON document")
    show.set_defaults(func=_show)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _show(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load, print_json

    data = asyncio.run(list_show(load(args), args.name, done=args.all))
    if args.json:
        print_json({"lists": data["lists"]})
        return 0
    if not data["lists"]:
        print(f"{data['list'] or 'every list'}: empty")
    for index, shown in enumerate(data["lists"]):
        if index:
            print()
        print(f"{shown['name']}:")
        for item in shown["items"]:
            print(f"  [{'x' if item['done'] else ' '}] {item['item']}")
    return 0


async def list_show(config: Any, name: str | None, *, done: bool) -> dict[str, Any]:
    """Open the core in this process (no broker) and ask the lists skill; its reply data."""
    from agent.daemon.core import open_core
    from agent.errors import SkillError
    from agent.paths import ensure_dir, state_dir

    async with open_core(config, ensure_dir(state_dir(config)), bridge=None,
                         api_key=None) as core:
        result = await core.dispatcher.handle_action("lists", "show",
                                                     {"list": name, "all": done})
    if not result.ok or result.reply is None:
        raise result.error or SkillError(f"lists: {result.status}", skill="lists")
    return dict(result.reply.data)
