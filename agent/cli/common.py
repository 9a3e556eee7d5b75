"""What every command needs: the config chosen by --config / $HEARTH_CONFIG, and output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from agent.config import HearthConfig, find_config, load_config


def config_path(args: argparse.Namespace) -> Path | None:
    """The config file this invocation uses (None: embedded defaults)."""
    explicit: Path | None = getattr(args, "config", None)
    return find_config(explicit)


def load(args: argparse.Namespace) -> HearthConfig:
    """Load and validate the config for this invocation; raises ConfigError."""
    return load_config(config_path(args))


def iso_date(text: str) -> date:
    """An argparse type for a day: ``2026-12-01``; a clear usage error otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


@dataclass(frozen=True, slots=True)
class DateRange:
    """Whole days `since`..`until` (inclusive) and the instants [start, end) they cover."""

    since: date
    until: date
    start: datetime
    end: datetime


def date_range(args: argparse.Namespace, zone: ZoneInfo, command: str) -> DateRange | None:
    """`--since`/`--until` (default: this month so far) in `zone`; None, with one line on
    stderr, when --until is before --since (the caller exits 2)."""
    today = datetime.now(zone).date()
    since: date = args.since or today.replace(day=1)
    until: date = args.until or today
    if until < since:
        print(f"hearth {command}: --until {until} is before --since {since}", file=sys.stderr)
        return None
    return DateRange(since, until, datetime.combine(since, time(), tzinfo=zone),
                     datetime.combine(until + timedelta(days=1), time(), tzinfo=zone))


def print_json(value: Any) -> None:
    """One JSON document on stdout (money: numbers of dollars under `*_usd`, see agent.words)."""
    json.dump(value, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def _cell(value: object) -> str:
    # A tab or line break inside a cell would split it into two fields or rows.
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split("\t"))


def print_table(headers: list[str], rows: list[list[str]], *,
                right: Collection[int] = ()) -> None:
    """Print rows for people on a terminal and for programs when piped.

    On a terminal: upper-case headers, a dashed rule, columns two spaces apart, the columns
    whose index is in `right` (numbers, money) right-aligned, no trailing spaces. Piped:
    tab-separated lines with the same headers (easy to `cut`), tabs and line breaks inside a
    cell turned into spaces.
    """
    cells = [[_cell(c) for c in row] for row in [headers, *rows]]
    if not sys.stdout.isatty():
        for row in cells:
            print("\t".join(row))
        return
    cells[0] = [h.upper() for h in cells[0]]
    widths = [max(len(c) for c in col) for col in zip(*cells, strict=False)]
    last = len(widths) - 1

    def line(row: list[str]) -> str:
        parts = [c.rjust(w) if i in right else (c if i == last else c.ljust(w))
                 for i, (c, w) in enumerate(zip(row, widths, strict=False))]
        return "  ".join(parts).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
