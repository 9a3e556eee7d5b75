"""Several commands in one sentence: each part matched and run; a held part holds only itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.daemon.core import Core, open_core
from agent.dispatch.compound import split
from tests.intents.test_ha_corpus import CountingBridge

DEVICES = [
    {"name": "kitchen light", "kind": "light", "area": "kitchen", "command_topic": "t/kl"},
    {"name": "hall light", "kind": "light", "area": "hall", "command_topic": "t/hl"},
    {"name": "ceiling fan", "kind": "fan", "area": "living room", "command_topic": "t/cf"},
    {"name": "salt and pepper lamp", "kind": "light", "command_topic": "t/sp"},
    {"name": "front door", "kind": "lock", "command_topic": "t/fd"},
]


@pytest.fixture
async def core(state_dir: Path) -> AsyncIterator[Core]:
    config = HearthConfig.model_validate({"hearth": {"state_dir": str(state_dir)},
                                          "devices": DEVICES})
    async with open_core(config, state_dir, bridge=CountingBridge(), api_key=None) as opened:
        yield opened


def acted(result: Any) -> list[tuple[str, str, str]]:
    data = result.reply.data if result.reply is not None else {}
    return [(a["name"], a["desired"]["state"], a["status"]) for a in data.get("actions", [])]


def test_split_on_the_joiners() -> None:
    assert split("a and b") == ["a", "b"]
    assert split("a, then b; c and then d") == ["a", "b", "c", "d"]
    assert split("brandy andante") == []
    assert split("a, b and c") == ["a", "b", "c"]
    assert split(" and ".join("abcdefghi")) == []  # more than 8 pieces: not a request


async def test_two_parts(core: Core) -> None:
    result = await core.dispatcher.handle_text(
        "turn on the kitchen light and turn off the ceiling fan", dry_run=True)
    assert result.route == "intent"
    assert acted(result) == [("kitchen light", "on", "planned"), ("ceiling fan", "off", "planned")]
    assert result.text.endswith("Kitchen light is on; Dry run, nothing sent; planned: "
                                "Ceiling fan is off")
    assert [p["intent"] for p in result.reply.data["parts"]] == ["HassTurnOn", "HassTurnOff"]


async def test_three_parts_with_then(core: Core) -> None:
    result = await core.dispatcher.handle_text(
        "turn off the hall light, then turn on the kitchen light and then stop the ceiling fan",
        dry_run=True)
    assert acted(result) == [("hall light", "off", "planned"), ("kitchen light", "on", "planned"),
                             ("ceiling fan", "off", "planned")]


async def test_a_part_without_a_verb_borrows_the_previous_one(core: Core) -> None:
    result = await core.dispatcher.handle_text(
        "turn off the kitchen light and the hall light", dry_run=True)
    assert acted(result) == [("kitchen light", "off", "planned"), ("hall light", "off", "planned")]


async def test_a_device_named_with_and_stays_one(core: Core) -> None:
    result = await core.dispatcher.handle_text("turn on the salt and pepper lamp", dry_run=True)
    assert acted(result) == [("salt and pepper lamp", "on", "planned")]
    both = await core.dispatcher.handle_text(
        "turn off the salt and pepper lamp and the hall light", dry_run=True)
    assert acted(both) == [("salt and pepper lamp", "off", "planned"),
                           ("hall light", "off", "planned")]


async def test_one_part_not_understood_splits_nothing(core: Core) -> None:
    result = await core.dispatcher.handle_text(
        "turn on the kitchen light and sing me a song", dry_run=True)
    assert result.route != "intent"
    assert acted(result) == []


async def test_a_held_part_holds_only_itself(core: Core) -> None:
    result = await core.dispatcher.handle_text(
        "unlock the front door and turn on the hall light")
    actions = acted(result)
    assert ("front door", "off", "pending") in actions
    assert ("hall light", "on", "sent") in actions
    assert "confirm" in result.text
    bridge = core.home.bridge
    assert [t for t, _ in bridge.sent] == ["t/hl"]  # type: ignore[attr-defined]
