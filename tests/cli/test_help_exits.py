"""One exit-status table (README = `hearth --help` = agent.cli.help), and help for every command."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from agent import errors
from agent.cli.help import COMMANDS, EXIT_STATUSES, walk
from agent.cli.main import build_parser

REPO = Path(__file__).resolve().parents[2]


def hearth(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "agent.cli.main", *args],
        capture_output=True, text=True, env={**base, **(env or {})}, cwd=REPO, check=False,
        timeout=60,
    )


def _readme_section(heading: str) -> list[str]:
    lines = (REPO / "README.md").read_text().splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    return lines[start:end]


def _readme_exit_table() -> list[tuple[int, str]]:
    rows = [line for line in _readme_section("### Exit statuses") if line.startswith("| ")]
    parsed = [tuple(cell.strip() for cell in row.strip("|").split("|")) for row in rows]
    return [(int(code), meaning) for code, meaning in parsed[1:] if code.isdigit()]


def _help_exit_table(text: str) -> list[tuple[int, str]]:
    body = text.split("exit statuses:\n", 1)[1]
    table: list[tuple[int, str]] = []
    for line in body.splitlines():
        start = re.match(r"^\s+(\d+)  (.*)$", line)
        if start and line.startswith("  ") and not line.startswith(" " * 7):
            table.append((int(start.group(1)), start.group(2)))
        elif line.startswith(" " * 7) and table:
            code, meaning = table[-1]
            table[-1] = (code, f"{meaning} {line.strip()}")
    return table


def test_readme_and_help_carry_the_same_exit_table() -> None:
    shown = hearth("--help")
    assert shown.returncode == 0
    assert _help_exit_table(shown.stdout) == list(EXIT_STATUSES)
    assert _readme_exit_table() == list(EXIT_STATUSES)
    assert [code for code, _ in EXIT_STATUSES] == [0, 1, 2, 69, 70, 73, 74, 75, 78, 130]


def _subclasses(cls: type) -> list[type]:
    return [cls, *(s for sub in cls.__subclasses__() for s in _subclasses(sub))]


def test_every_error_exits_with_a_documented_status() -> None:
    documented = {code for code, _ in EXIT_STATUSES}
    for cls in _subclasses(errors.HearthError):
        assert cls.exit_code in documented, cls
    # StorageError picks 73 or 74 per instance: both are in the table.
    assert {errors.EX_CANTCREAT, errors.EX_IOERR} <= documented


def test_every_command_has_a_description_and_an_example_that_parses() -> None:
    parser = build_parser()
    registered = walk(parser)
    assert set(registered) == set(COMMANDS)
    for path, sub in registered.items():
        words = COMMANDS[path]
        assert words.description and words.description.endswith("."), path
        assert sub.description and sub.epilog and words.example in sub.epilog, path
        argv = shlex.split(words.example)
        argv = argv[argv.index(next(a for a in argv if a.endswith("hearth"))) + 1:]
        args = parser.parse_args(argv)
        assert args.command == path.split()[0], path


@pytest.mark.parametrize("path", ["run", "config check", "pending", "doctor"])
def test_command_help_shows_its_description_and_example(path: str) -> None:
    shown = hearth(*path.split(), "--help")
    assert shown.returncode == 0
    assert shown.stdout.startswith(f"usage: hearth {path}")
    assert "\nexample:\n  " in shown.stdout
    assert COMMANDS[path].example in shown.stdout


def test_readme_command_table_lists_every_command() -> None:
    table = "\n".join(line for line in _readme_section("## Commands") if line.startswith("| `"))
    leaves = [p for p in COMMANDS if not any(q.startswith(p + " ") for q in COMMANDS)]
    for path in leaves:
        assert f"`hearth {path}" in table or f"/ `hearth {path}" in table, path


def test_commands_that_print_data_take_json() -> None:
    registered = walk(build_parser())
    # run prints no data.
    without = {"run"}
    for path, sub in registered.items():
        if path in without or any(q.startswith(path + " ") for q in registered):
            continue
        flags = {o for a in sub._actions for o in a.option_strings}
        assert "--json" in flags, path
