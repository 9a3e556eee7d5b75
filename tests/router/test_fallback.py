"""Fallback when a tier is down or over budget, escalation on failed validation, cloud policy."""

from __future__ import annotations

from typing import Any

import pytest

from agent.errors import BudgetExceeded, ModelRequestRejected, ModelResponseInvalid, ModelUnavailable
from agent.ledger.types import Outcome
from agent.router import Message, ModelRequest, ModelResponse
from tests.router.conftest import MakeHarness
from tests.support import fake_ollama as fo
from tests.support.fake_anthropic import FakeAnthropic, answer
from tests.support.fake_ollama import FakeOllama

SCHEMA = {"type": "object", "properties": {"room": {"type": "string"},
                                           "on": {"type": "boolean"}},
          "required": ["room", "on"], "additionalProperties": False}


def _req(**kwargs: Any) -> ModelRequest:
    return ModelRequest(skill="home", messages=[Message("user", "kitchen lights on")], **kwargs)


async def test_local_answers_on_ollama_and_is_free(make_harness: MakeHarness,
                                                   fake_ollama: FakeOllama,
                                                   fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    response = await h.router.complete(_req(), "local")
    assert response.backend == "ollama" and response.tier_used == "local"
    assert response.cost_micros == 0 and response.usage.input_tokens > 0
    assert response.usage.inference_seconds > 0
    body = fake_ollama.chat_bodies[0]
    assert body["keep_alive"] == -1 and body["options"]["num_predict"] == 512
    assert fake_anthropic.message_bodies == []
    (row,) = await h.rows()
    assert row.backend == "ollama" and row.outcome == Outcome.OK and row.cost_micros == 0
    assert row.input_tokens == response.usage.input_tokens


@pytest.mark.parametrize("breakage", ["down", "not_pulled"])
async def test_local_falls_back_to_fast_and_records_both(
        make_harness: MakeHarness, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic,
        dead_url: str, breakage: str) -> None:
    if breakage == "down":
        h = await make_harness({"ollama": {"host": dead_url}})
    else:
        fake_ollama.models = ["llama3.2:3b"]
        h = await make_harness()
    response = await h.router.complete(_req(), "local")
    assert response.tier_requested == "local" and response.tier_used == "fast"
    assert response.backend == "anthropic" and not response.degraded
    local, fast = await h.rows()
    assert local.backend == "ollama" and local.outcome == Outcome.ERROR
    assert local.error_class == "ModelUnavailable"
    assert fast.tier == "fast" and fast.outcome == Outcome.OK and fast.cost_micros > 0
    assert len(fake_anthropic.message_bodies) == 1


@pytest.mark.parametrize("breakage", ["down", "not_pulled"])
async def test_cloud_forbidden_gives_a_clear_error(
        make_harness: MakeHarness, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic,
        dead_url: str, breakage: str) -> None:
    if breakage == "down":
        h = await make_harness({"ollama": {"host": dead_url}})
    else:
        fake_ollama.models = []
        h = await make_harness()
    with pytest.raises(ModelUnavailable, match="may not use the cloud") as info:
        await h.router.complete(_req(allow_cloud=False), "local")
    assert "ollama" in str(info.value).lower()
    assert fake_anthropic.message_bodies == []
    with pytest.raises(ModelRequestRejected, match="cloud"):
        await h.router.complete(_req(allow_cloud=False), "fast")


async def test_config_can_forbid_cloud_per_skill(make_harness: MakeHarness, dead_url: str,
                                                 fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"ollama": {"host": dead_url},
                            "router": {"skills": {"home": {"allow_cloud": False}}}})
    with pytest.raises(ModelUnavailable, match="may not use the cloud"):
        await h.router.complete(_req(), "local")
    assert fake_anthropic.message_bodies == []


async def test_deep_over_budget_degrades_to_fast(make_harness: MakeHarness,
                                                 fake_anthropic: FakeAnthropic) -> None:
    # deep reserves 2048 output tokens at $10/M = 20,480 µ$; its tier cap is 10,000 µ$.
    h = await make_harness({"budget": {"per_tier": {"deep": {"daily_usd": "0.01"}}}})
    response = await h.router.complete(_req(), "deep")
    assert response.degraded and response.tier_used == "fast"
    assert response.model == "claude-haiku-5-5"
    refused, degraded = await h.rows()
    assert refused.tier == "deep" and refused.outcome == Outcome.REFUSED
    assert refused.cost_micros == 0
    assert degraded.tier == "fast" and degraded.outcome == Outcome.DEGRADED
    assert [b["model"] for b in fake_anthropic.message_bodies] == ["claude-haiku-5-5"]


async def test_all_cloud_over_budget_degrades_to_local(make_harness: MakeHarness,
                                                       fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"budget": {"daily_usd": "0.0001"}})
    response = await h.router.complete(_req(), "deep")
    assert response.tier_used == "local" and response.degraded
    outcomes = [(r.tier, r.outcome) for r in await h.rows()]
    assert outcomes == [("deep", Outcome.REFUSED), ("fast", Outcome.REFUSED),
                        ("local", Outcome.DEGRADED)]
    assert fake_anthropic.message_bodies == []


async def test_over_budget_without_fallback_raises(make_harness: MakeHarness) -> None:
    h = await make_harness({"budget": {"daily_usd": "0.0001"},
                            "tiers": {"fast": {"backend": "anthropic",
                                               "model": "claude-haiku-5-5"}}})
    with pytest.raises(BudgetExceeded):
        await h.router.complete(_req(), "fast")


async def test_local_answer_failing_validator_escalates_once(
        make_harness: MakeHarness, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    fake_ollama.script_chat("lights, maybe")
    fake_anthropic.script(answer("Turning on the kitchen lights."))

    def must_mention_kitchen(r: ModelResponse) -> str | None:
        return None if "kitchen" in r.text else "does not name the room"

    response = await h.router.complete(_req(validator=must_mention_kitchen), "local")
    assert response.escalated and response.tier_used == "fast"
    assert response.text == "Turning on the kitchen lights."
    first, second = await h.rows()
    assert (first.tier, first.outcome) == ("local", Outcome.ESCALATED)
    assert (second.tier, second.outcome) == ("fast", Outcome.OK)
    assert response.extra_ledger_ids == (first.id,)


async def test_garbage_structured_output_escalates(make_harness: MakeHarness,
                                                   fake_ollama: FakeOllama,
                                                   fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    fake_ollama.script_chat("Sure! Here is the JSON: {room: kitchen")
    fake_anthropic.script(answer(json={"room": "kitchen", "on": True}))
    response = await h.router.complete(_req(output_schema=SCHEMA), "local")
    assert response.parsed == {"room": "kitchen", "on": True} and response.escalated
    assert fake_ollama.chat_bodies[0]["format"] == SCHEMA
    assert fake_anthropic.message_bodies[0]["output_config"]["format"] == {
        "type": "json_schema", "schema": SCHEMA}


async def test_schema_parsed_without_escalation_when_valid(make_harness: MakeHarness,
                                                           fake_ollama: FakeOllama) -> None:
    h = await make_harness()
    fake_ollama.script(fo.answer(json={"room": "hall", "on": False}))
    response = await h.router.complete(_req(output_schema=SCHEMA), "local")
    assert response.parsed == {"room": "hall", "on": False} and not response.escalated


async def test_failed_escalation_raises_invalid_with_both_rows(
        make_harness: MakeHarness, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    fake_ollama.script_chat("nope")
    fake_anthropic.script(answer(json={"room": 3}))
    with pytest.raises(ModelResponseInvalid, match="schema"):
        await h.router.complete(_req(output_schema=SCHEMA), "local")
    outcomes = [(r.tier, r.outcome) for r in await h.rows()]
    assert outcomes == [("local", Outcome.ESCALATED), ("fast", Outcome.ERROR)]


async def test_top_tier_invalid_output_raises(make_harness: MakeHarness,
                                              fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    fake_anthropic.script(answer("not json at all"))
    with pytest.raises(ModelResponseInvalid, match="not JSON"):
        await h.router.complete(_req(output_schema=SCHEMA), "deep")
    (row,) = await h.rows()
    assert row.outcome == Outcome.ERROR and row.cost_micros > 0  # answered, so billed


async def test_validator_escalation_stays_local_without_cloud(
        make_harness: MakeHarness, fake_ollama: FakeOllama) -> None:
    h = await make_harness()
    fake_ollama.script_chat("bad")
    with pytest.raises(ModelResponseInvalid):
        await h.router.complete(_req(allow_cloud=False, validator=lambda r: "never good"),
                                "local")
    (row,) = await h.rows()
    assert row.outcome == Outcome.ERROR


async def test_skill_model_override(make_harness: MakeHarness,
                                    fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"router": {"skills": {"home": {"models": {"deep":
                                                                      "claude-opus-5-5"}}}}})
    response = await h.router.complete(_req(), "deep")
    assert response.model == "claude-opus-5-5"
    assert fake_anthropic.message_bodies[0]["model"] == "claude-opus-5-5"


async def test_served_model_is_recorded(make_harness: MakeHarness,
                                        fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    fake_anthropic.script(answer("x", model="claude-opus-5-5"))
    response = await h.router.complete(_req(), "deep")
    assert response.model == "claude-opus-5-5"
    (row,) = await h.rows()
    assert row.model == "claude-opus-5-5"
