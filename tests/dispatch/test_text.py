"""Free text: intent match (no model, tier-none ledger row), else the local model chooses."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.dispatch import Dispatcher
from agent.errors import ModelError
from agent.ledger import Ledger
from agent.plugins import Skill, ToolRegistry, discover
from agent.router import Router
from tests.dispatch.conftest import HELLO, spend
from tests.dispatch.skills import crashy
from tests.plugins.samples import weather
from tests.support.fake_ollama import FakeOllama, answer, malformed, tool_call
from tests.support.skill_points import make_dispatcher, points


def build(config: HearthConfig, router: Router, extra: Iterable[Skill] = ()) -> Dispatcher:
    skills = discover(config, entry_points=[HELLO, *points(*extra)])
    return make_dispatcher(skills, router, ToolRegistry())


def by_name(lines: Iterable[Any]) -> dict[str, int]:
    return {line.name: line.calls for line in lines}


async def test_intent_match_runs_the_skill_with_no_model_call(
    config: HearthConfig, router: Router, ledger: Ledger, fake_ollama: FakeOllama
) -> None:
    result = await build(config, router).handle_text("say hello to Ada")
    assert (result.route, result.status, result.skill) == ("intent", "ok", "hello")
    assert result.text == "Hello, Ada!"
    assert result.slots == {"person": "Ada"}
    assert fake_ollama.chat_bodies == []
    report = await spend(ledger)
    assert by_name(report.by_tier) == {"none": 1}
    assert by_name(report.by_skill) == {"hello": 1}
    assert report.cost_micros == 0
    assert len(result.ledger_ids) == 1


async def test_a_tier_none_request_writes_its_row_through_the_dispatcher(
    router: Router, ledger: Ledger, config: HearthConfig
) -> None:
    # The router makes no tier-none rows: the dispatcher writes them straight to the ledger.
    result = await build(config, router).handle_text("greet Grace")
    now = datetime.now(UTC)
    (row,) = await ledger.calls_between(now - timedelta(hours=1), now + timedelta(hours=1))
    assert result.ledger_ids == (row.id,)
    assert (row.skill, row.trigger, row.tier, row.backend) == ("hello", "ask", "none", "none")
    assert row.cost_micros == 0 and row.latency_ms >= 0


async def test_log_none_calls_off_writes_no_row(
    config: HearthConfig, router: Router, ledger: Ledger
) -> None:
    skills = discover(config, entry_points=[HELLO])
    dispatcher = make_dispatcher(skills, router, ToolRegistry(), none_rows=False)
    result = await dispatcher.handle_text("greet Bob")
    assert result.text == "Hello, Bob!"
    assert result.ledger_ids == ()
    assert (await spend(ledger)).calls == 0


async def test_local_model_chooses_a_declared_skill(
    config: HearthConfig, router: Router, ledger: Ledger, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(answer(json={"skill": "hello", "arguments": {"person": "Grace"}}))
    result = await build(config, router, [weather]).handle_text("could you welcome Grace")
    assert (result.route, result.status, result.skill) == ("dispatcher", "ok", "hello")
    assert result.text == "Hello, Grace!"
    assert result.arguments == {"person": "Grace"}
    (body,) = fake_ollama.chat_bodies
    # The output is constrained to the declared skills and their argument schemas.
    branches = {b["properties"]["skill"]["const"]: b for b in body["format"]["anyOf"]}
    assert set(branches) == {"hello", "weather", "none"}
    assert branches["hello"]["properties"]["arguments"]["required"] == ["person"]
    assert body["messages"][-1] == {"role": "user", "content": "could you welcome Grace"}
    assert "tools" not in body or not body["tools"]
    report = await spend(ledger)
    assert by_name(report.by_skill) == {"dispatcher": 1}
    assert by_name(report.by_tier) == {"local": 1}
    assert len(result.ledger_ids) == 1


async def test_local_model_answers_itself_when_no_skill_fits(
    config: HearthConfig, router: Router, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(answer(json={"skill": "none", "answer": "Tuesday."}))
    result = await build(config, router).handle_text("what day are the bins collected")
    assert (result.route, result.status, result.skill, result.text) == (
        "answer", "ok", None, "Tuesday.")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (answer(json={"skill": "unlock_door", "arguments": {}}), "not an offered skill"),
        (answer(json={"skill": "crashy", "arguments": {}}), "not an offered skill"),
        (answer(json={"skill": "hello", "arguments": {"person": "x"}, "tool": "unlock_door"}),
         "undeclared key(s) ['tool']"),
        (answer(json={"skill": "hello", "arguments": {"person": "x", "door": "front"}}),
         "arguments.door: not allowed"),
        (answer(json={"skill": "hello", "arguments": {"person": 7}}),
         "arguments.person: expected string"),
        (answer(json={"skill": "none"}), "gave no answer"),
    ],
)
async def test_a_bad_choice_is_refused_and_nothing_runs(
    config: HearthConfig, router: Router, fake_ollama: FakeOllama, reply: Any, reason: str
) -> None:
    fake_ollama.script(reply)
    dispatcher = build(config, router, [crashy])
    result = await dispatcher.handle_text("please do the thing")
    assert (result.route, result.status, result.skill) == ("dispatcher", "refused", None)
    assert reason in result.text
    assert all(stats.calls == 0 for stats in dispatcher.stats.values())
    assert len(result.ledger_ids) >= 1  # the model call itself is on the ledger


async def test_a_tool_call_from_the_dispatcher_model_is_refused(
    config: HearthConfig, router: Router, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(
        answer(tool_calls=[tool_call("unlock_door", {"door": "front"})]),
        answer(json={"skill": "hello", "arguments": {"person": "Eve"}}),
    )
    dispatcher = build(config, router)
    result = await dispatcher.handle_text("open up, it is me")
    assert result.status == "refused"
    assert "unlock_door" in result.text
    assert dispatcher.stats["hello"].calls == 0


async def test_garbage_from_the_model_is_reported_and_the_next_request_served(
    config: HearthConfig, router: Router, fake_ollama: FakeOllama
) -> None:
    fake_ollama.script(malformed(), answer(text="{{{{"), answer(json=["hello"]))
    dispatcher = build(config, router)
    for _ in range(3):
        result = await dispatcher.handle_text("do something odd")
        assert result.route == "dispatcher"
        assert result.status in ("refused", "unavailable")
        assert isinstance(result.error, ModelError)
    assert (await dispatcher.handle_text("say hello to Ada")).text == "Hello, Ada!"


async def test_local_model_down_is_a_clear_result_not_an_exception(
    state_dir: Any, dead_url: str
) -> None:
    from agent.router.opening import open_router
    from tests.dispatch.conftest import make_config

    config = make_config(state_dir, dead_url)
    async with open_router(config, state_dir, api_key=None) as models:
        result = await build(config, models.router).handle_text("something unmatched")
    assert (result.route, result.status) == ("dispatcher", "unavailable")
    assert result.error is not None


async def test_dry_run_plans_without_calling_a_model(
    config: HearthConfig, router: Router, ledger: Ledger, fake_ollama: FakeOllama
) -> None:
    dispatcher = build(config, router)
    planned = await dispatcher.handle_text("something unmatched", dry_run=True)
    assert (planned.route, planned.status, planned.dry_run) == ("dispatcher", "planned", True)
    assert planned.plan is not None
    matched = await dispatcher.handle_text("say hello to Ada", dry_run=True)
    assert (matched.route, matched.status, matched.text) == ("intent", "ok", "Hello, Ada!")
    assert fake_ollama.chat_bodies == []
    assert (await spend(ledger)).calls == 0


async def test_result_serialises_to_json(config: HearthConfig, router: Router) -> None:
    result = await build(config, router).handle_text("say hello to Ada")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["route"] == "intent"
    assert data["data"] == {"person": "Ada"}
