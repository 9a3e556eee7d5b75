"""`hearth config check [PATH]`: validate a config file as `hearth run` would and list every
problem."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agent.cli.common import config_path, print_json
from agent.config import load_config
from agent.errors import ConfigError, CredentialRefused
from agent.logs import redact


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `config check`."""
    p = sub.add_parser("config", help="check the configuration")
    csub = p.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)
    check = csub.add_parser("check", help="validate a config file: prints OK or every problem")
    check.add_argument("path", nargs="?", type=Path, help="file to check (default: as --config)")
    check.add_argument("--json", action="store_true",
                       help="print {ok, path, problems: [{key, message}]}; exit 78 if invalid")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    path: Path | None = args.path or config_path(args)
    try:
        config = load_config(path)
        from agent.daemon.preflight import check_config

        # What `hearth run` checks, skills included.
        check_config(config)
    except (ConfigError, CredentialRefused) as exc:
        if not args.json:
            raise  # main() prints it and exits 78
        print_json({"ok": False, "path": _where(path), "problems": problem_list(exc)})
        return exc.exit_code
    if args.json:
        print_json({"ok": True, "path": _where(path), "problems": []})
    else:
        print(f"OK ({_where(path) or 'embedded defaults'})")
    return 0


def _where(path: Path | None) -> str | None:
    return str(path) if path else None


def problem_list(exc: ConfigError | CredentialRefused) -> list[dict[str, str | None]]:
    """One {key, message} per problem; `key` is the dotted config key, or None when the
    problem is the whole file (unreadable, not TOML) or a credential."""
    if not (isinstance(exc, ConfigError) and exc.problems):
        return [{"key": None, "message": redact(str(exc))}]
    found: list[dict[str, str | None]] = []
    for line in exc.problems:
        key, sep, message = line.partition(": ")
        if sep and key and " " not in key:
            found.append({"key": key, "message": message})
        else:
            found.append({"key": None, "message": redact(line)})
    return found


__all__ = ["ConfigError", "register"]
