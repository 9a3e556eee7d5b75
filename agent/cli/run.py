"""`hearth run`: start the daemon in the foreground (systemd runs exactly this)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `run`."""
    p = sub.add_parser("run", help="run the daemon in the foreground")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from agent.cli.common import config_path
    from agent.daemon.app import run_daemon

    return run_daemon(config_path(args), verbosity=args.log_level_from_flags)
