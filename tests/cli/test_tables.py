"""Tables: aligned for a person at a terminal, tab-separated when piped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.tty import hearth_argv, run_on_tty

_SCRIPT = """
from agent.cli.common import print_table
print_table(["name", "cost", "note"],
            [["news", "$12.50", "fine"], ["home", "$0.00", "has\\ta tab"], ["x", "$1,234.57", ""]],
            right=(1,))
"""


def test_a_table_on_a_terminal_is_aligned_without_trailing_spaces() -> None:
    run = run_on_tty([sys.executable, "-c", _SCRIPT])
    assert run.returncode == 0, run.err
    assert run.out == (
        "NAME       COST  NOTE\n"
        "----  ---------  ---------\n"
        "news     $12.50  fine\n"
        "home      $0.00  has a tab\n"
        "x     $1,234.57\n"
    )


def test_a_piped_table_is_tab_separated_one_field_per_cell() -> None:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                         check=True).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows == [["name", "cost", "note"], ["news", "$12.50", "fine"],
                    ["home", "$0.00", "has a tab"], ["x", "$1,234.57", ""]]


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n'
                   "[budget]\ndaily_usd = 1.0\nmonthly_usd = 1234.5\n")
    return cfg


def test_budget_on_a_terminal_and_piped(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    tty = run_on_tty(hearth_argv("--config", str(cfg), "budget"))
    assert tty.returncode == 0, tty.err
    lines = tty.out.splitlines()
    assert lines[0].split() == ["CAP", "PERIOD", "LIMIT", "USED", "RESERVED", "LEFT"]
    assert all(line == line.rstrip() for line in lines)
    daily, monthly = lines[2:]
    assert daily.split()[2:] == ["$1.00", "$0.00", "$0.00", "$1.00"]
    assert monthly.split()[2:] == ["$1,234.50", "$0.00", "$0.00", "$1,234.50"]
    # Money is right-aligned: both rows end in the same column.
    assert len(daily) == len(monthly)

    piped = subprocess.run(hearth_argv("--config", str(cfg), "budget"), capture_output=True,
                           text=True, check=True).stdout
    rows = [line.split("\t") for line in piped.splitlines()]
    assert rows[0] == ["cap", "period", "limit", "used", "reserved", "left"]
    assert [r[:2] for r in rows[1:]] == [["global", daily.split()[1]],
                                          ["global", monthly.split()[1]]]
    assert rows[1][2:] == ["$1.00", "$0.00", "$0.00", "$1.00"]
