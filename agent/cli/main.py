"""Entry point: parse arguments, set up logging, run one command, map errors to exit codes.

This is the one place that turns a `HearthError` into a message and an exit code.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent import __version__
from agent.errors import ConfigError, HearthError
from agent.logs import redact, setup_logging

log = logging.getLogger(__name__)

# Each module defines `register(subparsers)`; commands set `func(args) -> int` as default.
# Modules must stay light at import (no SDK imports): start-up time is a feature.
COMMAND_MODULES = (
    "agent.cli.run",
    "agent.cli.config_cmd",
    "agent.cli.ask",
    "agent.cli.skills_cmd",
    "agent.cli.spend",
    "agent.cli.budget",
    "agent.cli.confirm",
    "agent.cli.pending",
    "agent.cli.schedule_cmd",
    "agent.cli.briefing",
    "agent.cli.list_cmd",
    "agent.cli.doctor",
    "agent.cli.status",
    "agent.cli.privacy_cmd",
    "agent.cli.learn_cmd",
    "agent.cli.notify_cmd",
)


class HearthParser(argparse.ArgumentParser):
    """An ArgumentParser that suggests the nearest command for a mistyped one. Subparsers
    are built from the same class (argparse's default `parser_class`)."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            choices = [str(c) for c in action.choices or ()]
            near = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
            if not near:
                raise
            raise argparse.ArgumentError(
                action, f"invalid choice: {value!r} (did you mean {near[0]!r}?)") from exc


def build_parser() -> argparse.ArgumentParser:
    """The full `hearth` parser with every command registered and its help applied."""
    from agent.cli.help import apply_help

    parser = HearthParser(
        prog="hearth",
        description="hearth: a frugal, private home-assistant agent daemon.",
    )
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="config file (default: $HEARTH_CONFIG, else /etc/hearth/config.toml if present)",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="count", default=0, help="less log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    # After every register(): descriptions, examples and the exit-status epilog.
    apply_help(parser)
    return parser


def _level(args: argparse.Namespace, default: str = "WARNING") -> int:
    order = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR]
    base = order.index(logging.getLevelNamesMapping()[default])
    index = base - int(args.verbose) + int(args.quiet)
    return order[max(0, min(len(order) - 1, index))]


def main(argv: Sequence[str] | None = None) -> int:
    """Run `hearth` and return its exit code."""
    parser = build_parser()
    # Known args first: leftovers are then reported with the usage of the command they were
    # given to (`hearth ask --bogus x` shows `usage: hearth ask`), not the top-level one.
    args, extra = parser.parse_known_args(argv)
    usage_parser: argparse.ArgumentParser = getattr(args, "_usage_parser", parser)
    if extra:
        usage_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        # Usage on stderr, nothing on stdout, exit 2: a missing command is a usage error.
        usage_parser.error(f"choose a command ({usage_parser.prog} --help lists them)")
    if args.command == "run":
        # `run` then moves the level to the config's hearth.log_level.
        setup_logging(_level(args))
    else:
        # A one-shot command answers on stdout and stderr itself: library and daemon-side
        # warnings would only repeat its error. Its own notes (agent.cli) still show; -v
        # brings the rest back.
        setup_logging(_level(args), show_from=_level(args, "ERROR"), always_show=("agent.cli",))
    args.log_level_from_flags = args.verbose - args.quiet
    try:
        code: int = args.func(args)
    except ConfigError as exc:
        print(f"hearth: invalid config: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except HearthError as exc:
        print(f"hearth: {redact(_with_notes(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return code


def _with_notes(exc: BaseException) -> str:
    """The error's message on one line, with any notes added on its way up in brackets."""
    notes = [str(n) for n in getattr(exc, "__notes__", ())]
    return f"{exc} ({'; '.join(notes)})" if notes else str(exc)


if __name__ == "__main__":
    sys.exit(main())
