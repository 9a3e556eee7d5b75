"""What every command needs: the config chosen by --config / $HEARTH_CONFIG, and output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.config import HearthConfig, find_config, load_config


def config_path(args: argparse.Namespace) -> Path | None:
    """The config file this invocation uses (None: embedded defaults)."""
    explicit: Path | None = getattr(args, "config", None)
    return find_config(explicit)


def load(args: argparse.Namespace) -> HearthConfig:
    """Load and validate the config for this invocation; raises ConfigError."""
    return load_config(config_path(args))


def print_json(value: Any) -> None:
    """One JSON document on stdout."""
    json.dump(value, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """Aligned columns in a terminal, tab-separated when piped (easy to `cut`)."""
    if not sys.stdout.isatty():
        for row in [headers, *rows]:
            print("\t".join(row))
        return
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
