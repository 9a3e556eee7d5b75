"""`hearth skills`: plurals, cloud in words, settings as written in the config, near misses."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.cli.main import main
from tests.support.tty import hearth_argv, run_on_tty


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def config_file(tmp_path: Path, state_dir: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[hearth]\nstate_dir = "{state_dir}"\n[router.skills.home]\n'
                    'cache_ttl = "1h"\n', encoding="utf-8")
    return path


def _skills(config_file: Path) -> dict[str, dict[str, object]]:
    out = subprocess.run(hearth_argv("--config", str(config_file), "skills", "list", "--json"),
                         capture_output=True, text=True, check=True).stdout
    return {s["name"]: s for s in json.loads(out)["skills"]}


def test_show_says_a_template_skill_never_uses_the_cloud(
        config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config_file), "skills", "show", "home"]) == 0
    out = capsys.readouterr().out
    assert "  cloud:       not used (tier none: no model)\n" in out
    assert "cloud allowed" not in out
    assert '  router:      cache_ttl = "1h" ([router.skills.home])\n' in out


def test_show_prints_config_as_written_in_the_file(
        config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    news = _skills(config_file)["news"]
    assert main(["--config", str(config_file), "skills", "show", "news"]) == 0
    out = capsys.readouterr().out
    assert isinstance(news["config"], dict)
    expected = ", ".join(f"{k} = {json.dumps(v)}" for k, v in news["config"].items())
    assert f"  config:      {expected}\n" in out
    assert "{'" not in out and "': " not in out  # no Python dict repr
    assert "  cloud:       allowed (tier fast)\n" in out


def test_show_suggests_the_nearest_skill(config_file: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config_file), "skills", "show", "hme"]) == 1
    assert capsys.readouterr().err == "hearth: no skill named 'hme' (did you mean 'home'?)\n"
    assert main(["--config", str(config_file), "skills", "show", "zzzzzz"]) == 1
    assert ("(installed: advisor, assistant, briefing, digest, home, lists, news, timers)"
            in capsys.readouterr().err)


def test_list_on_a_terminal_uses_plurals_and_cents(config_file: Path) -> None:
    skills = _skills(config_file)
    run = run_on_tty(hearth_argv("--config", str(config_file), "skills", "list"))
    assert run.returncode == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["NAME", "STATE", "TIER", "TRIGGERS", "TOOLS", "MONTH"]
    home = next(line for line in lines if line.startswith("home "))
    intents = len(skills["home"]["intents"]) + len(skills["home"]["ha_intents"])  # type: ignore[arg-type]
    assert f"{intents} intent{'s' if intents != 1 else ''}, 0 topics, 0 schedules" in home
    assert "1 intents" not in run.out
    assert all(line == line.rstrip() for line in lines)
