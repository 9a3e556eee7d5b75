"""MQTT messages, schedules and actions reach the skill they belong to."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from agent.config import HearthConfig
from agent.daemon.core import open_core
from agent.dispatch import Dispatcher
from agent.plugins import GROUP, ToolRegistry, discover
from agent.router import Router
from tests.dispatch.conftest import HELLO, with_sections
from tests.plugins.example_skill import skill
from tests.plugins.samples import weather
from tests.support.fake_ollama import FakeOllama
from tests.support.skill_points import make_dispatcher, points


def build(config: HearthConfig, router: Router) -> Dispatcher:
    skills = discover(config, entry_points=[HELLO, *points(weather)])
    return make_dispatcher(skills, router, ToolRegistry())


async def test_mqtt_goes_to_the_subscribed_skill(config: HearthConfig, router: Router) -> None:
    dispatcher = build(config, router)
    (result,) = await dispatcher.handle_mqtt("home/doorbell/pressed", b"\xff\x00")
    assert (result.route, result.status, result.skill) == ("mqtt", "ok", "hello")
    assert result.text == "Hello, whoever is at the door!"
    assert await dispatcher.handle_mqtt("home/other", b"x") == []


async def test_schedule_goes_to_its_skill(config: HearthConfig, router: Router) -> None:
    dispatcher = build(config, router)
    planned = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    result = await dispatcher.handle_schedule("hello", "morning", planned, False)
    assert (result.route, result.status, result.text) == (
        "schedule", "ok", "Hello, good morning (morning).")
    missing = await dispatcher.handle_schedule("nosuch", "x", planned, True)
    assert (missing.status, missing.skill) == ("refused", "nosuch")


async def test_action_goes_to_its_skill(config: HearthConfig, router: Router) -> None:
    dispatcher = build(config, router)
    result = await dispatcher.handle_action("hello", "greet", {"person": "Lin"})
    assert (result.route, result.status, result.text) == ("action", "ok", "Hello, Lin!")
    unknown_action = await dispatcher.handle_action("hello", "dance", {})
    assert (unknown_action.status, unknown_action.reply) == ("ok", None)


async def test_disabled_skill_gets_nothing(router: Router, config: HearthConfig) -> None:
    dispatcher = build(with_sections(config, {"hello": {"enabled": False}}), router)
    assert await dispatcher.handle_mqtt("home/doorbell/pressed", b"") == []
    result = await dispatcher.handle_action("hello", "greet", {})
    assert result.status == "refused"


async def test_empty_text_is_refused_without_a_model_call(
    config: HearthConfig, router: Router, fake_ollama: FakeOllama
) -> None:
    result = await build(config, router).handle_text("   ")
    assert (result.status, result.text) == ("refused", "empty request")
    assert fake_ollama.chat_bodies == []


async def test_open_core_discovers_the_installed_group(config: HearthConfig,
                                                        state_dir: Path) -> None:
    off = {name: {"enabled": False}
           for name in ("home", "news", "briefing", "digest", "timers", "lists", "assistant",
                        "advisor")}
    installed = [*metadata.entry_points(group=GROUP), *points(skill)]
    async with open_core(with_sections(config, off), state_dir, bridge=None, api_key=None,
                         entry_points=installed) as core:
        dispatcher = core.dispatcher
        assert dispatcher.skills.names() == ["hello"]
        assert set(dispatcher.skills.disabled) | set(dispatcher.skills.failed) >= set(off)
        assert (await dispatcher.handle_text("greet Mo")).text == "Hello, Mo!"
        assert dispatcher.skills.schedules() == [("hello", skill.declaration.schedules[0])]
