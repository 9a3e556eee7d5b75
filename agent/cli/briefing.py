"""`hearth briefing now`: compose and deliver the briefing in this process, on demand."""

from __future__ import annotations

import argparse
import logging
from typing import Any

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `briefing now`."""
    p = sub.add_parser("briefing", help="the morning briefing")
    bsub = p.add_subparsers(dest="briefing_command", metavar="SUBCOMMAND")
    now = bsub.add_parser("now", help="compose the briefing now and deliver it")
    now.add_argument("--json", action="store_true", help="print the briefing as JSON")
    now.add_argument("--no-mqtt", action="store_true",
                     help="do not publish on MQTT (deliver to the other notifiers)")
    now.set_defaults(func=_now)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _now(args: argparse.Namespace) -> int:
    import asyncio

    from agent.cli.common import load, print_json

    config = load(args)
    briefing = asyncio.run(briefing_now(config, mqtt=not args.no_mqtt))
    if args.json:
        print_json(briefing.to_json())
    else:
        print(briefing.markdown)
    return 0


async def briefing_now(config: Any, *, mqtt: bool = True) -> Any:
    """Build the daemon's parts in-process, run one briefing, deliver it; returns it.

    An unreachable broker is logged and the other notifiers still deliver.
    """
    import asyncio
    import contextlib

    from agent.credentials import check_credentials
    from agent.db import Database
    from agent.ledger import Ledger
    from agent.notifiers.oneshot import OneShotPublisher, PublishFailed
    from agent.paths import ensure_dir, state_dir
    from agent.router import Router
    from skills.briefing.wiring import build_briefing

    directory = ensure_dir(state_dir(config))
    api_key = check_credentials(config)
    # Opening migrates the database: blocking work, so it runs in a worker thread.
    db = await asyncio.to_thread(Database.open, config.ledger.url, directory)
    try:
        ledger = Ledger(db, config)
        await ledger.start()
        router = Router(config, ledger, api_key=api_key)
        try:
            async with contextlib.AsyncExitStack() as stack:
                publish = None
                if mqtt and "mqtt" in config.briefing.notifiers:
                    try:
                        publisher = await stack.enter_async_context(
                            OneShotPublisher(config.mqtt))
                        publish = publisher.publish
                    except PublishFailed as exc:
                        log.warning("briefing: not publishing on MQTT: %s", exc)
                service, _desk = build_briefing(config, db, ledger, router,
                                                state_dir=directory, publish=publish)
                return await service.run(trigger="now")
        finally:
            await router.aclose()
    finally:
        db.close()
