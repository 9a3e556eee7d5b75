"""Lists through the real dispatcher and database: add, duplicates, tick off, read, dry run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from agent.daemon.core import Core, open_core
from agent.db.models import ListItem
from agent.plugins.contract import TextEvent
from skills.lists.store import item_key, list_name
from tests.skills_timers.support import FakeClock, household

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def core(state_dir: Path) -> AsyncIterator[Core]:
    async with open_core(household(state_dir), state_dir, bridge=None, api_key=None,
                         clock=FakeClock(NOW)) as opened:
        yield opened


async def say(core: Core, text: str, *, dry_run: bool = False) -> tuple[str, dict[str, Any]]:
    result = await core.dispatcher.handle_text(text, dry_run=dry_run)
    assert result.route == "intent" and result.skill == "lists", (text, result)
    assert result.reply is not None
    return result.reply.text, dict(result.reply.data)


def stored(core: Core) -> list[tuple[str, str, bool]]:
    return core.db.read_sync(lambda s: [(r.list_name, r.item, r.done) for r in s.scalars(
        select(ListItem).order_by(ListItem.id))])


@pytest.mark.parametrize(("said", "key"), [
    ("Eggs", "egg"), ("the eggs.", "egg"), ("some tomatoes", "tomato"),
    ("berries", "berry"), ("glass", "glass"), ("a bag of chips", "bag of chip")])
def test_item_keys(said: str, key: str) -> None:
    assert item_key(said) == key


@pytest.mark.parametrize(("said", "name"), [
    ("shopping", "shopping list"), ("the Shopping List", "shopping list"), ("", "shopping list"),
    ("hardware", "hardware list"), ("my to do", "to do list")])
def test_list_names(said: str, name: str) -> None:
    assert list_name(said) == name


async def test_add_twice_is_one_item_then_tick_it_off(core: Core) -> None:
    text, data = await say(core, "add eggs to my shopping list")
    assert text == "Added eggs to your shopping list."
    assert (data["op"], data["list"], data["item"], data["added"]) == (
        "list.add", "shopping list", "eggs", True)
    assert (await say(core, "put the eggs on the shopping list"))[0] == (
        "Eggs is already on your shopping list.")
    await say(core, "add milk to the list")
    assert stored(core) == [("shopping list", "eggs", False), ("shopping list", "milk", False)]
    assert (await say(core, "what's on the shopping list"))[0] == (
        "Your shopping list has eggs and milk.")
    text, data = await say(core, "check off egg from my shopping list")
    assert text == "Checked eggs off your shopping list." and data["found"] == 1
    assert stored(core)[0] == ("shopping list", "eggs", True)
    assert (await say(core, "remove bread from my shopping list"))[0] == (
        "Bread isn't on your shopping list.")
    # Ticked off, it can go on again as a new item.
    assert (await say(core, "add eggs to my shopping list"))[1]["added"] is True


async def test_named_lists_are_kept_apart(core: Core) -> None:
    await say(core, "add batteries to the hardware list")
    await say(core, "add milk to my shopping list")
    text, data = await say(core, "read me the hardware list")
    assert text == "Your hardware list has batteries."
    assert [x["name"] for x in data["lists"]] == ["hardware list"]
    await say(core, "tick off batteries on the hardware list")
    assert (await say(core, "what's on my hardware list"))[0] == "Your hardware list is empty."
    shown = await core.dispatcher.handle_action("lists", "show", {"all": True})
    assert shown.reply is not None
    assert [(x["name"], [i["item"] for i in x["items"]]) for x in shown.reply.data["lists"]] == [
        ("hardware list", ["batteries"]), ("shopping list", ["milk"])]


async def test_a_dry_run_stores_nothing(core: Core) -> None:
    text, data = await say(core, "add milk to my shopping list", dry_run=True)
    assert data == {"op": "list.add", "list": "shopping list", "item": "milk"}
    assert text == "Would add milk to your shopping list."
    assert stored(core) == []


async def test_bad_action_arguments_are_named(core: Core) -> None:
    result = await core.dispatcher.handle_action("lists", "add", {"list": 3, "item": "x"})
    assert result.reply is not None and result.reply.text == "list: expected a list name (text)"
    result = await core.dispatcher.handle_action("lists", "add", {"item": "  ..  "})
    assert result.reply is not None and result.reply.text.startswith("Which item?")
    result = await core.dispatcher.handle_action("lists", "add", {"item": "x" * 201})
    assert result.reply is not None and result.reply.text == "item: at most 200 characters"
    assert stored(core) == []


async def test_a_todo_name_from_home_assistant_names_the_list(core: Core) -> None:
    # HassListAddItem's `name` is a todo entity; it picks the list like a spoken name.
    loaded = core.dispatcher.skills.get("lists")
    assert loaded is not None and loaded.handler is not None
    event = TextEvent("add apples to my grocery list", intent="HassListAddItem",
                      slots={"name": "todo.grocery_list", "item": "apples", "domain": "todo"})
    reply = await loaded.handler(core.dispatcher.context("lists"), event)
    assert reply is not None and reply.text == "Added apples to your grocery list."
    assert stored(core) == [("grocery list", "apples", False)]
