"""A skill that raises, hangs, exits or returns junk leaves the daemon serving the next request."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.dispatch import Dispatcher
from agent.errors import SkillError, StartupError
from agent.ledger import Ledger
from agent.plugins import ToolRegistry, discover
from agent.router import Router
from agent.router.types import ToolResult, ToolSpec
from tests.dispatch.conftest import HELLO, spend, with_sections
from tests.dispatch.skills import (
    Gauge,
    Stubborn,
    crashy,
    exiter,
    gauged,
    junk,
    sleepy,
    stubborn,
    thinker,
    toolish,
)
from tests.plugins.samples import weather
from tests.support.fake_ollama import FakeOllama, answer
from tests.support.skill_points import make_dispatcher, points


async def _set_state(args: dict[str, Any]) -> ToolResult:
    return ToolResult(True, "done")


def tools() -> ToolRegistry:
    return ToolRegistry((ToolSpec("set_device_state", "Switch a device.", {"type": "object"},
                                  _set_state),
                         ToolSpec("publish_briefing", "Publish.", {"type": "object"}, _set_state)))


# Limits for the misbehaving skills, applied when a test loads them.
SECTIONS = {"sleepy": {"timeout": 0.3}, "stubborn": {"timeout": 0.2}, "gauged": {"concurrency": 1}}


def build(config: HearthConfig, router: Router, *extra: Any) -> Dispatcher:
    names = {skill.declaration.name for skill in extra}
    config = with_sections(config, {k: v for k, v in SECTIONS.items() if k in names})
    skills = discover(config, entry_points=[HELLO, *points(*extra)])
    return make_dispatcher(skills, router, tools())


@pytest.mark.parametrize(
    "case",
    [
        ("crash now", "crashy", "failed", "RuntimeError: boom from a buggy skill"),
        ("sleep now", "sleepy", "timeout", "timed out after 0.3 s"),
        ("junk now", "junk", "failed", "returned int, not a Reply"),
        ("exit now", "exiter", "failed", "SystemExit: 3"),
    ],
)
async def test_a_failing_skill_is_contained(
    config: HearthConfig, router: Router, caplog: pytest.LogCaptureFixture,
    case: tuple[str, str, str, str],
) -> None:
    text, skill, status, message = case
    dispatcher = build(config, router, crashy, sleepy, junk, exiter)
    with caplog.at_level(logging.ERROR, logger="agent.dispatch"):
        result = await dispatcher.handle_text(text)
    assert (result.skill, result.status) == (skill, status)
    assert isinstance(result.error, SkillError)
    assert result.error.skill == skill
    assert message in str(result.error)
    assert any(f"skill {skill} " in r.getMessage() for r in caplog.records)
    stats = dispatcher.stats[skill]
    assert (stats.calls, stats.ok) == (1, 0)
    assert stats.failed + stats.timeouts == 1
    # The daemon carries on: the next request, to the same or another skill, is served.
    assert (await dispatcher.handle_text("say hello to Ada")).text == "Hello, Ada!"
    again = await dispatcher.handle_text(text)
    assert again.status == status


async def test_a_hung_skill_does_not_block_other_skills(
    config: HearthConfig, router: Router
) -> None:
    # A roomy timeout: the greeting must finish while the hung call is still pending,
    # even on a loaded machine.
    skills = discover(with_sections(config, {"sleepy": {"timeout": 2.0}}),
                      entry_points=[HELLO, *points(sleepy)])
    dispatcher = make_dispatcher(skills, router, tools())
    hung = asyncio.create_task(dispatcher.handle_text("sleep now"))
    served = await dispatcher.handle_action("hello", "greet", {"person": "Ada"})
    assert served.text == "Hello, Ada!"
    assert not hung.done()  # the greeting did not wait for the hung skill
    assert (await hung).status == "timeout"


async def test_a_skill_that_ignores_cancellation_is_left_behind(
    config: HearthConfig, router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    handler = Stubborn()
    dispatcher = build(config, router, stubborn(handler))
    with caplog.at_level(logging.ERROR, logger="agent.dispatch"):
        result = await dispatcher.handle_text("be stubborn")
    assert result.status == "timeout"
    assert "ignored cancellation" in caplog.text
    assert (await dispatcher.handle_text("say hello to Ada")).text == "Hello, Ada!"
    await asyncio.wait_for(handler.finished.wait(), 10)


async def test_concurrency_limit_from_config(config: HearthConfig, router: Router) -> None:
    gauge = Gauge()
    dispatcher = build(config, router, gauged(gauge))
    results = await asyncio.gather(*(dispatcher.handle_text("measure") for _ in range(4)))
    assert [r.status for r in results] == ["ok"] * 4
    assert gauge.peak == 1


async def test_context_holds_only_declared_tools(config: HearthConfig, router: Router) -> None:
    dispatcher = build(config, router, toolish)
    assert (await dispatcher.handle_text("show tools")).text == "set_device_state"
    assert dict(dispatcher.context("hello").tools) == {}
    assert dispatcher.context("hello").config is not None


async def test_an_undeclared_tool_name_stops_start_up(
    config: HearthConfig, router: Router
) -> None:
    skills = discover(config, entry_points=[HELLO, *points(toolish)])
    with pytest.raises(StartupError, match="skill 'toolish' declares unknown tool"):
        make_dispatcher(skills, router, ToolRegistry())


async def test_a_skill_calls_the_model_through_its_bound_router(
    config: HearthConfig, router: Router, ledger: Ledger, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(answer("Tides follow the moon."))
    dispatcher = build(config, router, thinker, weather)
    result = await dispatcher.handle_text("think about tides")
    assert (result.route, result.skill, result.text) == ("intent", "thinker",
                                                          "Tides follow the moon.")
    assert result.reply is not None
    assert result.reply.data["tier"] == "local"
    report = await spend(ledger)
    assert {line.name: line.calls for line in report.by_skill} == {"thinker": 2}
    assert {line.name: line.calls for line in report.by_tier} == {"local": 1, "none": 1}
