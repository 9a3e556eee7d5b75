"""`hearth briefing now`: compose and deliver the briefing in this process, on demand."""

from __future__ import annotations

import argparse
import logging
from typing import Any

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `briefing now`."""
    p = sub.add_parser("briefing", help="the morning briefing")
    bsub = p.add_subparsers(dest="briefing_command", metavar="SUBCOMMAND", required=True)
    now = bsub.add_parser("now", help="compose the briefing now and deliver it")
    now.add_argument("--json", action="store_true", help="print the briefing as JSON")
    now.add_argument("--no-mqtt", action="store_true",
                     help="do not publish on MQTT (deliver to the other notifiers)")
    now.add_argument("--dry-run", action="store_true",
                     help="compose and print the briefing; publish, write and send nothing")
    now.set_defaults(func=_now)


def _now(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load, print_json

    config = load(args)
    briefing = asyncio.run(briefing_now(config, mqtt=not args.no_mqtt, dry_run=args.dry_run))
    if args.json:
        print_json(briefing["briefing"])
    else:
        print(briefing["markdown"])
    return 0


async def briefing_now(config: Any, *, mqtt: bool = True, dry_run: bool = False
                       ) -> dict[str, Any]:
    """Open the daemon's parts in-process, run the briefing skill once; its reply data
    (`markdown`, and `briefing`: the JSON form). A dry run composes and delivers nothing.

    An unreachable broker is logged by the MQTT notifier and the other notifiers still deliver.
    """
    from agent.credentials import check_credentials
    from agent.daemon.core import open_core
    from agent.errors import SkillError
    from agent.mqtt import OneShotClient
    from agent.paths import ensure_dir, state_dir

    publish = mqtt and not dry_run and "mqtt" in config.briefing.notifiers
    bridge = OneShotClient(config.mqtt, lazy=True) if publish else None
    try:
        async with open_core(config, ensure_dir(state_dir(config)), bridge=bridge,
                             api_key=check_credentials(config)) as core:
            result = await core.dispatcher.handle_action("briefing", "now", {},
                                                         dry_run=dry_run)
    finally:
        if bridge is not None:
            await bridge.aclose()
    if not result.ok or result.reply is None:
        raise result.error or SkillError(f"briefing: {result.status}", skill="briefing")
    return dict(result.reply.data)
