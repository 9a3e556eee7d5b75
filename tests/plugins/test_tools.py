"""ToolRegistry: a skill gets exactly the tools it declared, and unknown names fail start-up."""

from __future__ import annotations

from typing import Any

import pytest

from agent.errors import StartupError
from agent.plugins import SkillDeclaration, ToolRegistry
from agent.router.types import ToolResult, ToolSpec


async def _ok(args: dict[str, Any]) -> ToolResult:
    return ToolResult(True, "ok")


def spec(name: str) -> ToolSpec:
    return ToolSpec(name=name, description=name, input_schema={"type": "object"}, handler=_ok)


def decl(*tools: str) -> SkillDeclaration:
    return SkillDeclaration(name="s", description="s", tier="none", tools=tools)


def test_granted_holds_only_declared_tools() -> None:
    registry = ToolRegistry((spec("set_device_state"), spec("publish_briefing")))
    granted = registry.granted(decl("set_device_state"))
    assert list(granted) == ["set_device_state"]
    assert registry.granted(decl()) == {}
    with pytest.raises(TypeError):
        granted["publish_briefing"] = spec("publish_briefing")  # type: ignore[index]


def test_unknown_tool_fails_naming_skill_and_tool() -> None:
    registry = ToolRegistry((spec("set_device_state"),))
    with pytest.raises(StartupError, match=r"skill 's' declares unknown tool\(s\) unlock_door"):
        registry.granted(decl("set_device_state", "unlock_door"))


def test_a_tool_name_registers_once() -> None:
    registry = ToolRegistry()
    registry.register(spec("a"))
    with pytest.raises(StartupError, match="registered twice"):
        registry.register(spec("a"))
    assert registry.names() == ["a"]
