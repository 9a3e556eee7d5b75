"""`hearth config check [PATH]`: validate a config file as `hearth run` would and list every
problem."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agent.cli.common import config_path
from agent.config import load_config
from agent.errors import ConfigError


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `config check`."""
    p = sub.add_parser("config", help="check the configuration")
    csub = p.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)
    check = csub.add_parser("check", help="validate a config file: prints OK or every problem")
    check.add_argument("path", nargs="?", type=Path, help="file to check (default: as --config)")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    path: Path | None = args.path or config_path(args)
    config = load_config(path)  # ConfigError -> exit 78 in main()
    from agent.daemon.preflight import check_config

    # What `hearth run` checks, skills included; CredentialRefused/ConfigError -> exit 78.
    check_config(config)
    where = str(path) if path else "embedded defaults"
    print(f"OK ({where})")
    return 0


__all__ = ["ConfigError", "register"]
