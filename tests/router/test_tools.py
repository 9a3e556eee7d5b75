"""The tool-use loop on both backends: granted tools run, anything else is refused unrun."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.errors import ModelResponseInvalid, ToolNotGranted
from agent.ledger.types import Outcome
from agent.router import Message, ModelRequest, ToolSpec
from agent.router.types import ToolResult
from tests.router.conftest import MakeHarness
from tests.support import fake_ollama as fo
from tests.support.fake_anthropic import FakeAnthropic, answer, tool_use
from tests.support.fake_ollama import FakeOllama


class Recorder:
    """Tool handlers that remember every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def spec(self, name: str) -> ToolSpec:
        async def handler(args: dict[str, Any]) -> ToolResult:
            self.calls.append((name, args))
            if args.get("explode"):
                raise RuntimeError("bulb on fire")
            if args.get("untyped"):
                return f"{name} done"  # type: ignore[return-value]
            return ToolResult(True, f"{name} done")

        # No household scopes: an untagged tool would be kept off the cloud tiers.
        return ToolSpec(name, f"the {name} tool", {"type": "object", "properties": {}}, handler,
                        scopes=frozenset())


def _req(tools: tuple[ToolSpec, ...]) -> ModelRequest:
    return ModelRequest(skill="home", system="You control lights.", tools=tools,
                        messages=[Message("user", "kitchen on, and unlock the door")])


async def test_granted_tool_runs_ungranted_is_refused_anthropic(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    rec = Recorder()
    fake_anthropic.script(
        answer(tool_uses=[tool_use("lights", {"room": "kitchen"}, id="toolu_1"),
                          tool_use("unlock_door", {"door": "front"}, id="toolu_2")]),
        answer("Kitchen lights are on; I cannot unlock doors."))
    response = await h.router.complete(_req((rec.spec("lights"),)), "fast")
    assert rec.calls == [("lights", {"room": "kitchen"})]
    assert [(c.name, c.refused) for c in response.tool_calls] == [("lights", False),
                                                                   ("unlock_door", True)]
    assert response.tool_calls[0].result == "lights done"
    second = fake_anthropic.message_bodies[1]
    assert [t["name"] for t in second["tools"]] == ["lights"]   # only the grant is offered
    results = second["messages"][-1]["content"]
    assert results[0] == {"type": "tool_result", "tool_use_id": "toolu_1",
                          "content": "lights done", "is_error": False}
    assert results[1]["is_error"] is True and "not available" in results[1]["content"]
    # the conversation so far is cached for the next round of the loop
    assert results[1]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    assert second["messages"][1]["content"][0]["type"] == "tool_use"
    rows = await h.rows()
    assert [r.outcome for r in rows] == [Outcome.OK, Outcome.OK]
    assert response.ledger_id == rows[1].id and response.extra_ledger_ids == (rows[0].id,)
    assert response.usage.output_tokens == rows[0].output_tokens + rows[1].output_tokens


async def test_tool_loop_on_ollama(make_harness: MakeHarness, fake_ollama: FakeOllama) -> None:
    h = await make_harness()
    rec = Recorder()
    fake_ollama.script(fo.answer(tool_calls=[fo.tool_call("lights", {"room": "hall"}),
                                             fo.tool_call("alarm_off", {})]),
                       fo.answer("Hall lights on."))
    response = await h.router.complete(_req((rec.spec("lights"),)), "local")
    assert response.text == "Hall lights on."
    assert rec.calls == [("lights", {"room": "hall"})]
    assert [c.refused for c in response.tool_calls] == [False, True]
    second = fake_ollama.chat_bodies[1]
    assert second["tools"][0]["function"]["name"] == "lights"
    tool_msgs = [m for m in second["messages"] if m["role"] == "tool"]
    assert tool_msgs[0]["content"] == "lights done" and tool_msgs[0]["tool_name"] == "lights"
    assert "not available" in tool_msgs[1]["content"]


async def test_failing_tool_is_reported_to_the_model(make_harness: MakeHarness,
                                                     fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    rec = Recorder()
    fake_anthropic.script(answer(tool_uses=[tool_use("lights", {"explode": True})]),
                          answer("Sorry, that failed."))
    response = await h.router.complete(_req((rec.spec("lights"),)), "fast")
    assert response.text == "Sorry, that failed."
    result = fake_anthropic.message_bodies[1]["messages"][-1]["content"][0]
    assert result["is_error"] is True and "RuntimeError" in result["content"]



async def test_a_tool_returning_no_tool_result_is_a_failed_tool(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    rec = Recorder()
    fake_anthropic.script(answer(tool_uses=[tool_use("lights", {"untyped": True})]),
                          answer("Sorry, that failed."))
    response = await h.router.complete(_req((rec.spec("lights"),)), "fast")
    assert response.text == "Sorry, that failed."
    result = fake_anthropic.message_bodies[1]["messages"][-1]["content"][0]
    assert result["is_error"] is True and "lights done" not in result["content"]


async def test_structured_results_reach_the_model_as_compact_json(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()

    async def status(args: dict[str, Any]) -> ToolResult:
        return ToolResult(True, "Kitchen is on.", {"ok": True, "rooms": ["kitchen"], "note": "ü"})

    tool = ToolSpec("lights", "the lights tool", {"type": "object", "properties": {}}, status,
                    scopes=frozenset())
    fake_anthropic.script(answer(tool_uses=[tool_use("lights", {})]), answer("On."))
    response = await h.router.complete(_req((tool,)), "fast")
    content = fake_anthropic.message_bodies[1]["messages"][-1]["content"][0]["content"]
    assert content == '{"ok":true,"rooms":["kitchen"],"note":"ü"}'
    assert json.loads(content) == {"ok": True, "rooms": ["kitchen"], "note": "ü"}
    assert response.tool_calls[0].result == content

async def test_tool_loop_is_limited(make_harness: MakeHarness,
                                   fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"router": {"max_tool_iterations": 2}})
    rec = Recorder()
    fake_anthropic.set_responder(lambda req: answer(tool_uses=[tool_use("lights", {})]))
    with pytest.raises(ModelResponseInvalid, match="still wanted tools"):
        await h.router.complete(_req((rec.spec("lights"),)), "deep")
    assert len(rec.calls) == 2
    assert len(fake_anthropic.message_bodies) == 3
    assert [r.outcome for r in await h.rows()] == [Outcome.OK, Outcome.OK, Outcome.ERROR]


async def test_bound_router_refuses_ungranted_tools_before_any_call(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    rec = Recorder()
    bound = h.router.bind("news", tier="fast", allow_cloud=True, tools={})
    with pytest.raises(ToolNotGranted):
        await bound.complete(_req((rec.spec("lights"),)))
    assert fake_anthropic.message_bodies == [] and rec.calls == []


async def test_bound_router_uses_granted_handlers_and_its_own_name(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    trusted, other = Recorder(), Recorder()
    bound = h.router.bind("home", tier="fast", allow_cloud=True,
                          tools={"lights": trusted.spec("lights")})
    fake_anthropic.script(answer(tool_uses=[tool_use("lights", {})]), answer("done"))
    request = ModelRequest(skill="impostor", tools=(other.spec("lights"),),
                           messages=[Message("user", "x")])
    await bound.complete(request)
    assert len(trusted.calls) == 1 and other.calls == []
    assert {r.skill for r in await h.rows()} == {"home"}


async def test_bound_router_caps_tier_and_cloud(make_harness: MakeHarness,
                                                fake_anthropic: FakeAnthropic,
                                                dead_url: str) -> None:
    from agent.errors import ModelRequestRejected, ModelUnavailable

    h = await make_harness({"ollama": {"host": dead_url}})
    bound = h.router.bind("private", tier="local", allow_cloud=False)
    with pytest.raises(ModelRequestRejected):
        await bound.complete(_req(()), "deep")
    with pytest.raises(ModelUnavailable, match="may not use the cloud"):
        await bound.complete(_req(()))
    assert fake_anthropic.message_bodies == []
