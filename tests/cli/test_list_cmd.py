"""`hearth list show` as a user runs it, over a database the lists skill filled."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from agent.config import load_config
from agent.daemon.core import open_core

REPO = Path(__file__).resolve().parents[2]


def hearth(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agent.cli.main", "--config", str(config),
                           *args], capture_output=True, text=True, cwd=REPO, check=False,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)})


def _household(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')
    return config


async def _fill(config: Path) -> None:
    household = load_config(config)
    async with open_core(household, tmp_state(config), bridge=None, api_key=None) as core:
        for text in ("add milk to my shopping list", "add eggs to my shopping list",
                     "add batteries to the hardware list", "check off eggs from my shopping list"):
            result = await core.dispatcher.handle_text(text)
            assert result.skill == "lists", text


def tmp_state(config: Path) -> Path:
    state = config.parent / "state"
    state.mkdir(mode=0o700, exist_ok=True)
    return state


def test_show_every_list_one_list_and_json(tmp_path: Path) -> None:
    config = _household(tmp_path)
    asyncio.run(_fill(config))
    shown = hearth(config, "list", "show")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "hardware list:\n  [ ] batteries\n\nshopping list:\n  [ ] milk\n"
    shown = hearth(config, "list", "show", "shopping", "--all", "--json")
    assert shown.returncode == 0, shown.stderr
    lists = json.loads(shown.stdout)["lists"]
    assert [(x["name"], [(i["item"], i["done"]) for i in x["items"]]) for x in lists] == [
        ("shopping list", [("milk", False), ("eggs", True)])]


def test_an_empty_list(tmp_path: Path) -> None:
    shown = hearth(_household(tmp_path), "list", "show", "garden")
    assert (shown.returncode, shown.stdout) == (0, "garden list: empty\n")
