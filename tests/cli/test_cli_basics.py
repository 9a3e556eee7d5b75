"""The command line as a user runs it: help, config check, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def hearth(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "agent.cli.main", *args],
        capture_output=True, text=True, env={**base, **(env or {})}, cwd=REPO, check=False,
        timeout=60,
    )


def test_help_lists_the_commands() -> None:
    result = hearth("--help")
    assert result.returncode == 0
    for command in ("run", "config"):
        assert f"    {command}" in result.stdout


def test_example_config_checks_ok() -> None:
    result = hearth("config", "check", "config.example.toml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK")


def test_two_unknown_keys_and_a_wrong_type_exit_78(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('volume = 11\n[mqtt]\nport = "eighteen"\nflavour = "mint"\n')
    result = hearth("config", "check", str(cfg))
    assert result.returncode == 78
    for path in ("volume: unknown key", "mqtt.flavour: unknown key", "mqtt.port:"):
        assert path in result.stderr
    assert "3 problems" in result.stderr


def test_config_option_and_environment_variable_choose_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("nope = 1\n")
    assert hearth("--config", str(bad), "config", "check").returncode == 78
    assert hearth("config", "check", env={"HEARTH_CONFIG": str(bad)}).returncode == 78
    good = tmp_path / "good.toml"
    good.write_text("")
    ok = hearth("config", "check", env={"HEARTH_CONFIG": str(good)})
    assert ok.returncode == 0 and str(good) in ok.stdout
