"""Usage errors name the command they belong to and exit 2; no daemon is 69 for every command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_help_exits import hearth


def test_bare_hearth_is_a_usage_error_on_stderr() -> None:
    result = hearth()
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: hearth [-h]")
    assert result.stderr.rstrip().endswith(
        "hearth: error: choose a command (hearth --help lists them)")


def test_help_goes_to_stdout_with_status_0() -> None:
    result = hearth("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: hearth")


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = hearth("stauts")
    assert result.returncode == 2
    assert "hearth: error: argument COMMAND: invalid choice: 'stauts' (did you mean 'status'?)" \
        in result.stderr


def test_an_unknown_option_shows_the_usage_of_its_own_command(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    result = hearth("--config", str(cfg), "ask", "--bogus", "x")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: hearth ask")
    assert "hearth ask: error: unrecognized arguments: --bogus" in result.stderr


def test_a_group_without_its_subcommand_shows_the_group_usage() -> None:
    result = hearth("config")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: hearth config")


def test_a_missing_config_file_is_said_once_by_run(tmp_path: Path) -> None:
    result = hearth("--config", str(tmp_path / "typo.toml"), "run")
    assert result.returncode == 78
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"hearth: not starting: {tmp_path / 'typo.toml'}: cannot read: "
                     "No such file or directory"]


def test_confirm_status_and_pending_agree_when_no_daemon_runs(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')
    codes = {command[0]: hearth("--config", str(cfg), *command).returncode
             for command in (["confirm", "abcde"], ["status"], ["pending"])}
    assert codes == {"confirm": 69, "status": 69, "pending": 69}


def test_config_check_json_lists_problems_by_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('volume = 11\n[mqtt]\nport = "eighteen"\n')
    result = hearth("config", "check", "--json", str(bad))
    assert result.returncode == 78
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["path"] == str(bad)
    assert {p["key"] for p in report["problems"]} == {"volume", "mqtt.port"}
    assert all(isinstance(p["message"], str) and p["message"] for p in report["problems"])


def test_config_check_json_for_an_unreadable_file_has_no_key(tmp_path: Path) -> None:
    result = hearth("config", "check", "--json", str(tmp_path / "none.toml"))
    assert result.returncode == 78
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["key"] is None and "cannot read" in problem["message"]


def test_config_check_json_ok() -> None:
    result = hearth("config", "check", "--json", "config.example.toml")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"ok": True, "path": "config.example.toml",
                                         "problems": []}


def test_one_shot_commands_print_no_library_warnings(tmp_path: Path) -> None:
    # ask in-process with no model: the answer is the one line on stderr, not WARNINGs.
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n\n'
                   '[ollama]\nhost = "http://127.0.0.1:9"\n')
    result = hearth("--config", str(cfg), "ask", "what is the capital of France")
    assert result.returncode != 0
    assert "WARNING" not in result.stderr
    verbose = hearth("--config", str(cfg), "-v", "ask", "what is the capital of France")
    assert "WARNING" in verbose.stderr


def test_notes_added_on_the_way_up_join_the_one_error_line() -> None:
    from agent.cli.main import _with_notes
    from agent.errors import ModelUnavailable

    error = ModelUnavailable("no Anthropic API key is configured")
    assert _with_notes(error) == "no Anthropic API key is configured"
    error.add_note("tier local also failed: Ollama is not reachable")
    error.add_note("tier deep also failed: over budget")
    assert _with_notes(error) == ("no Anthropic API key is configured (tier local also failed: "
                                  "Ollama is not reachable; tier deep also failed: over budget)")
