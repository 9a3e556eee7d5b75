"""Data scopes on cloud tiers: drop, local and refuse, each on its own path, with ledger rows
that record the scopes a request carried and the bytes it sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.errors import PrivacyRefused
from agent.ledger.types import Outcome
from agent.privacy.scopes import ContextPart
from agent.router import Message, ModelRequest, ToolSpec
from agent.router.types import ToolResult
from tests.router.conftest import MakeHarness
from tests.support import fake_ollama as fo
from tests.support.fake_anthropic import FakeAnthropic, answer, last_user_text, system_text
from tests.support.fake_ollama import FakeOllama

HOME = ContextPart("home", "Devices: kitchen lamp (kitchen), hall heater (hall)",
                   frozenset({"devices"}), stable=True)
STATES = ContextPart("states", "kitchen lamp: on; hall heater: 21.5 C", frozenset({"states"}))


async def _states_tool(args: dict[str, Any]) -> ToolResult:
    return ToolResult(True, "kitchen lamp on")


UNTAGGED = ToolSpec("device_states", "States of every device.", {"type": "object"},
                    _states_tool)   # no scopes given: counts as every scope


def _ask(*parts: ContextPart, tools: tuple[ToolSpec, ...] = ()) -> ModelRequest:
    return ModelRequest(skill="advisor", system="You advise the household.",
                        messages=[Message("user", "How can we save energy at home?")],
                        context=parts, tools=tools)


def _body_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


async def test_drop_removes_disallowed_context_and_records_what_was_sent(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()   # default [privacy] cloud_scopes: no devices, no states
    fake_anthropic.script(answer("Turn things off at night."))
    bound = h.router.bind("advisor", tier="deep", allow_cloud=True,
                          tools={UNTAGGED.name: UNTAGGED},
                          cloud_scopes=("utterance", "devices", "states"), scope_policy="drop")
    response = await bound.complete(_ask(HOME, STATES, tools=(UNTAGGED,)))
    body = fake_anthropic.message_bodies[0]
    text = _body_text(body)
    assert "kitchen lamp" not in text and "hall heater" not in text and "21.5" not in text
    assert "tools" not in body                          # the untagged tool reveals everything
    assert "save energy" in last_user_text(body)
    assert response.withheld >= {"devices", "states"}
    assert response.scopes == frozenset({"utterance"})
    [row] = await h.rows()
    assert row.scopes == ("utterance",)
    raw = len(fake_anthropic.requests[-1].body)
    assert abs(row.request_bytes - raw) <= raw * 0.02


async def test_allowed_scopes_reach_the_cloud_rendered_in_place(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"privacy": {"cloud_scopes": ["utterance", "devices", "states"]}})
    fake_anthropic.script(answer("The heater."))
    bound = h.router.bind("advisor", tier="deep", allow_cloud=True,
                          cloud_scopes=("utterance", "devices", "states"), scope_policy="drop")
    response = await bound.complete(_ask(HOME, STATES))
    body = fake_anthropic.message_bodies[0]
    # Stable context closes the cached system prefix; volatile context goes with the question.
    assert system_text(body).endswith("<home>\n" + HOME.text + "\n</home>")
    assert last_user_text(body).startswith("<states>\n" + STATES.text + "\n</states>")
    assert response.withheld == frozenset()
    [row] = await h.rows()
    assert row.scopes == ("devices", "states", "utterance")


async def test_a_router_skill_section_narrows_but_never_widens(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"privacy": {"cloud_scopes": ["utterance", "devices", "states"]},
                            "router": {"skills": {"advisor": {"cloud_scopes": ["utterance",
                                                                               "devices"]}}}})
    fake_anthropic.script(answer("ok"))
    bound = h.router.bind("advisor", tier="deep", allow_cloud=True,
                          cloud_scopes=("utterance", "devices"), scope_policy="drop")
    response = await bound.complete(_ask(HOME, STATES))
    text = _body_text(fake_anthropic.message_bodies[0])
    assert "Devices: kitchen lamp" in text and "21.5" not in text
    assert response.withheld == frozenset({"states"})


async def test_drop_falls_back_to_local_with_the_full_context(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic,
        fake_ollama: FakeOllama) -> None:
    # The deep tier is refused by the budget; the local tier is not restricted by scopes.
    h = await make_harness({"budget": {"daily_usd": "0.0001"}})
    fake_ollama.script(fo.answer("Locally: the heater."))
    bound = h.router.bind("advisor", tier="deep", allow_cloud=True, fallback=("local",),
                          cloud_scopes=("utterance", "devices", "states"), scope_policy="drop")
    response = await bound.complete(_ask(HOME, STATES))
    assert response.tier_used == "local" and fake_anthropic.message_bodies == []
    text = _body_text(fake_ollama.chat_bodies[0])
    assert "hall heater: 21.5 C" in text and "Devices: kitchen lamp" in text
    assert response.scopes == frozenset({"utterance", "devices", "states"})
    assert response.withheld == frozenset()


async def test_local_policy_moves_the_request_to_the_local_tier(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic,
        fake_ollama: FakeOllama) -> None:
    h = await make_harness()
    fake_ollama.script(fo.answer("Done locally."))
    bound = h.router.bind("planner", tier="fast", allow_cloud=True,
                          cloud_scopes=("utterance", "states"), scope_policy="local")
    needed = ContextPart("states", "kitchen lamp: on", frozenset({"states"}), optional=False)
    request = ModelRequest(skill="planner", messages=[Message("user", "plan my evening")],
                           context=(needed,))
    response = await bound.complete(request)
    assert response.text == "Done locally." and response.tier_used == "local"
    assert fake_anthropic.message_bodies == []
    assert "kitchen lamp: on" in _body_text(fake_ollama.chat_bodies[0])
    refused, local = await h.rows()
    assert (refused.outcome, refused.error_class, refused.tier) == (
        Outcome.REFUSED, "ScopeNotAllowed", "fast")
    assert refused.scopes == ("states", "utterance") and refused.request_bytes == 0
    assert local.tier == "local" and local.scopes == ("states", "utterance")
    assert local.request_bytes == pytest.approx(len(fake_ollama.requests[-1].body), rel=0.02)


async def test_refuse_policy_sends_nothing_and_says_which_key(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    # The dispatcher opted into the cloud, but the household took `utterance` off its scopes.
    h = await make_harness({"router": {"skills": {"dispatcher": {
        "allow_cloud": True, "cloud_scopes": ["news"]}}}})
    request = ModelRequest(skill="dispatcher", messages=[Message("user", "lights off")])
    with pytest.raises(PrivacyRefused) as err:
        await h.router.complete(request, "fast")
    message = str(err.value)
    assert "'dispatcher'" in message and "fast" in message and "utterance" in message
    assert "cloud_scopes" in message
    assert fake_anthropic.message_bodies == []
    [row] = await h.rows()
    assert (row.outcome, row.error_class, row.scopes, row.request_bytes, row.cost_micros) == (
        Outcome.REFUSED, "PrivacyRefused", ("utterance",), 0, 0)


async def test_on_scope_in_config_overrides_the_declared_policy(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic,
        fake_ollama: FakeOllama) -> None:
    h = await make_harness({"router": {"skills": {"advisor": {"on_scope": "local"}}}})
    fake_ollama.script(fo.answer("local answer"))
    bound = h.router.bind("advisor", tier="deep", allow_cloud=True,
                          cloud_scopes=("utterance", "states"), scope_policy="refuse")
    response = await bound.complete(_ask(STATES))
    assert response.tier_used == "local" and fake_anthropic.message_bodies == []


async def test_local_tiers_are_not_restricted_and_rows_record_their_bytes(
        make_harness: MakeHarness, fake_ollama: FakeOllama) -> None:
    h = await make_harness()
    fake_ollama.script(fo.answer("ok"))
    bound = h.router.bind("advisor", tier="local", allow_cloud=True,
                          cloud_scopes=("utterance",), scope_policy="refuse")
    response = await bound.complete(_ask(HOME, STATES))
    assert "hall heater: 21.5 C" in _body_text(fake_ollama.chat_bodies[0])
    [row] = await h.rows()
    assert row.scopes == ("devices", "states", "utterance") == tuple(sorted(response.scopes))
    assert row.request_bytes == pytest.approx(len(fake_ollama.requests[-1].body), rel=0.02)
