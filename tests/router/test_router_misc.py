"""Planning without calls, health, tier-none rows, streaming, concurrency cap, lazy SDK import."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import time

import pytest

from agent.errors import ModelRequestRejected
from agent.ledger.types import Outcome
from agent.router import Message, ModelRequest, ModelResponse
from tests.router.conftest import MakeHarness
from tests.support.fake_anthropic import FakeAnthropic, answer
from tests.support.fake_ollama import FakeOllama
from tests.support.model_fixtures import HttpRequest


def _req(**kwargs: object) -> ModelRequest:
    return ModelRequest(skill="ask", messages=[Message("user", "what's up? " * 10)],
                        **kwargs)  # type: ignore[arg-type]


async def test_plan_lists_tiers_and_reservations_without_calling(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic, fake_ollama: FakeOllama) -> None:
    h = await make_harness()
    plan = h.router.plan(_req(), "deep")
    assert [(s.tier, s.role) for s in plan.steps] == [("deep", "requested"), ("fast", "fallback"),
                                                      ("local", "fallback")]
    deep, fast, local = plan.steps
    assert deep.model == "claude-sonnet-5-5" and deep.max_tokens == 2048
    # worst case: every prompt token at the 1h-write rate ($4/M) + 2048 output at $10/M
    assert deep.reservation_micros == plan.prompt_tokens_estimate * 4 + 2048 * 10
    assert fast.reservation_micros < deep.reservation_micros
    assert local.reservation_micros == 0 and local.backend == "ollama"
    assert plan.cache_ttl == "5m"
    with_schema = h.router.plan(_req(output_schema={"type": "object"}), "local")
    assert [s.role for s in with_schema.steps] == ["requested", "fallback", "escalation"]
    private = h.router.plan(_req(allow_cloud=False), "local")
    assert [s.tier for s in private.steps] == ["local"]
    assert fake_anthropic.requests == [] and fake_ollama.requests == []
    assert await h.rows() == []


async def test_plan_flags_missing_key_and_unknown_price(make_harness: MakeHarness) -> None:
    h = await make_harness({"tiers": {"fast": {"backend": "anthropic", "model": "claude-made-up"}}},
                           api_key=None)
    steps = h.router.plan(_req(), "fast").steps
    assert "no Anthropic API key" in steps[0].note


async def test_unknown_price_is_refused_before_the_call(make_harness: MakeHarness,
                                                        fake_anthropic: FakeAnthropic) -> None:
    from agent.errors import PriceUnknown

    h = await make_harness({"tiers": {"fast": {"backend": "anthropic", "model": "claude-made-up"}}})
    assert "no price" in h.router.plan(_req(), "fast").steps[0].note
    with pytest.raises(PriceUnknown):
        await h.router.complete(_req(), "fast")
    assert fake_anthropic.requests == []
    (row,) = await h.rows()
    assert row.outcome == Outcome.REFUSED


async def test_no_key_means_cloud_tiers_fall_back(make_harness: MakeHarness,
                                                  fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness(api_key=None)
    response = await h.router.complete(_req(), "fast")
    assert response.tier_used == "local" and response.degraded
    assert fake_anthropic.requests == []


async def test_health(make_harness: MakeHarness, fake_ollama: FakeOllama, dead_url: str) -> None:
    h = await make_harness()
    health = await h.router.health()
    assert health.ok and health.ollama_reachable and health.local_model_pulled
    assert health.anthropic_key_present and health.ollama_models == ("qwen2.5:1.5b",)
    fake_ollama.models = ["other:1b"]
    health = await h.router.health()
    assert not health.local_model_pulled and "ollama pull qwen2.5:1.5b" in health.problems[0]
    down = await make_harness({"ollama": {"host": dead_url}}, api_key=None)
    health = await down.router.health()
    assert not health.ollama_reachable and not health.anthropic_key_present
    assert len(health.problems) == 2


async def test_tier_none_is_no_model_call(make_harness: MakeHarness) -> None:
    # Its ledger row is the dispatcher's (tests/dispatch/test_text.py).
    h = await make_harness()
    with pytest.raises(ModelRequestRejected, match="tier 'none' makes no model call"):
        await h.router.complete(_req(), "none")
    assert await h.rows() == []


async def test_streaming_from_ollama(make_harness: MakeHarness, fake_ollama: FakeOllama) -> None:
    h = await make_harness()
    fake_ollama.script_chat("one two three four five six")
    items = [i async for i in h.router.stream(_req(), "local")]
    pieces = [i for i in items if isinstance(i, str)]
    final = items[-1]
    assert len(pieces) > 1 and "".join(pieces) == "one two three four five six"
    assert isinstance(final, ModelResponse) and final.text == "one two three four five six"
    assert final.usage.output_tokens > 0


async def test_paid_calls_are_capped_by_the_semaphore(make_harness: MakeHarness,
                                                      fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"anthropic": {"max_concurrency": 1}})
    arrivals: list[float] = []

    def slow(request: HttpRequest) -> object:
        arrivals.append(time.monotonic())
        return answer("ok", delay=0.3)

    fake_anthropic.set_responder(slow)  # type: ignore[arg-type]
    await asyncio.gather(*(h.router.complete(_req(), "fast") for _ in range(3)))
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(arrivals) == 3 and min(gaps) >= 0.25  # never two in flight at once


def test_anthropic_sdk_is_imported_lazily() -> None:
    code = ("import sys; from agent.config import HearthConfig; from agent.router import Router;"
            "import agent.cli.main;"
            "print('anthropic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "False"
