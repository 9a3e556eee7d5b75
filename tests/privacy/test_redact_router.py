"""The router's last guard: hidden devices are blanked out of the system text, earlier
turns, context and tool output, on the local tier too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agent.privacy.expose import Exposure
from agent.privacy.scopes import ContextPart
from agent.router import Message, ModelRequest, ToolSpec
from agent.router.types import ToolResult
from tests.router.conftest import MakeHarness
from tests.support import fake_ollama as fo
from tests.support.fake_ollama import FakeOllama


@dataclass(frozen=True)
class Dev:
    name: str
    kind: str = "light"
    area: str | None = "bedroom"
    aliases: tuple[str, ...] = ()


async def test_every_part_of_a_local_request_is_redacted(
        make_harness: MakeHarness, fake_ollama: FakeOllama) -> None:
    h = await make_harness({"privacy": {"hide": {"areas": ["bedroom"]}}})
    h.router.set_exposure(Exposure(h.config.privacy, lambda: (Dev("bedside lamp"),)))

    async def states(args: dict[str, Any]) -> ToolResult:
        return ToolResult(True, "", {"bedside lamp": "on"})

    tool = ToolSpec("device_states", "States.", {"type": "object"}, states,
                    scopes=frozenset({"states"}), actuates=False)
    bound = h.router.bind("helper", tier="local", allow_cloud=False, tools={tool.name: tool})
    fake_ollama.script(fo.answer(tool_calls=[fo.tool_call("device_states", {})]),
                       fo.answer("ok"))
    await bound.complete(ModelRequest(
        skill="helper", system="Known: Bedside Lamp.", tools=(tool,),
        earlier=(Message("user", "is the bedside lamp on?"), Message("assistant", "yes")),
        context=(ContextPart("home", "bedside lamp (bedroom)", frozenset({"devices"}),
                             stable=True),),
        messages=[Message("user", "and now?")]))
    for body in fake_ollama.chat_bodies:
        text = json.dumps(body).lower()
        assert "bedside lamp" not in text
    assert "[hidden device]" in json.dumps(fake_ollama.chat_bodies[1]["messages"][-1])
