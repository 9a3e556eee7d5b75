"""The speaker's room: "in here" and bare "the lights" act on the satellite's area only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.daemon.core import Core, open_core
from tests.intents.test_ha_corpus import CountingBridge

DEVICES = [
    {"name": "kitchen ceiling", "kind": "light", "area": "kitchen",
     "command_topic": "t/kitchen_ceiling/set"},
    {"name": "kitchen spots", "kind": "light", "area": "kitchen",
     "command_topic": "t/kitchen_spots/set"},
    {"name": "bedroom lamp", "kind": "light", "area": "bedroom",
     "command_topic": "t/bedroom_lamp/set"},
]


@pytest.fixture
async def core(state_dir: Path) -> AsyncIterator[Core]:
    config = HearthConfig.model_validate({"hearth": {"state_dir": str(state_dir)},
                                          "devices": DEVICES})
    async with open_core(config, state_dir, bridge=CountingBridge(), api_key=None) as opened:
        yield opened


def acted(result: Any) -> set[str]:
    data = result.reply.data if result.reply is not None else {}
    return {a["name"] for a in data.get("actions", [])}


@pytest.mark.parametrize("text", ["turn on the lights in here", "turn on the lights",
                                  "lights on in here please"])
async def test_in_here_means_the_satellites_area(core: Core, text: str) -> None:
    result = await core.dispatcher.handle_text(text, dry_run=True, area="kitchen")
    assert acted(result) == {"kitchen ceiling", "kitchen spots"}
    bedroom = await core.dispatcher.handle_text(text, dry_run=True, area="Bedroom")
    assert acted(bedroom) == {"bedroom lamp"}


async def test_without_an_area_in_here_acts_on_nothing(core: Core) -> None:
    result = await core.dispatcher.handle_text("turn on the lights in here", dry_run=True)
    assert acted(result) == set()


async def test_an_unknown_area_is_ignored_with_a_warning(
        core: Core, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        result = await core.dispatcher.handle_text("turn on the lights in here", dry_run=True,
                                                   area="cellar")
    assert acted(result) == set()
    assert "'cellar' is not a known area" in caplog.text
    named = await core.dispatcher.handle_text("turn on the bedroom lamp", dry_run=True,
                                              area="cellar")
    assert acted(named) == {"bedroom lamp"}


async def test_hearth_ask_area_reaches_the_matcher(state_dir: Path) -> None:
    from agent.cli.ask import ask_dispatcher

    config = HearthConfig.model_validate({"hearth": {"state_dir": str(state_dir)},
                                          "devices": DEVICES})
    out = await ask_dispatcher(config, "turn on the lights in here", True, area="bedroom")
    assert [a["name"] for a in out["actions"]] == ["bedroom lamp"]


async def test_the_control_ask_handler_passes_the_area(core: Core) -> None:
    from agent.control.ask import ask_handler

    out = await ask_handler(core.dispatcher)({"text": "turn on the lights in here",
                                              "dry_run": True, "area": "bedroom"})
    assert [a["name"] for a in out["actions"]] == ["bedroom lamp"]
