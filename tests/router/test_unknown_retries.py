"""A call sent without an answer (timeout, hang-up) may have been billed: it is retried at
most `router.max_unknown_retries` times per request (default 1), fallbacks to paid tiers
included, never max_attempts times at full price."""

from __future__ import annotations

import pytest

from agent.errors import ModelUnavailable
from agent.ledger.types import Outcome
from agent.router import Message, ModelRequest
from tests.router.conftest import MakeHarness
from tests.support.fake_anthropic import FakeAnthropic, answer, hangup
from tests.support.fake_ollama import FakeOllama

HANGING = {"anthropic": {"timeout": 0.3}}


def _req() -> ModelRequest:
    return ModelRequest(skill="ask", messages=[Message("user", "why is the sky blue")])


async def test_hanging_deep_is_retried_once_then_falls_back_to_local(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic,
        fake_ollama: FakeOllama) -> None:
    h = await make_harness(HANGING)
    fake_anthropic.set_responder(lambda _req: answer("too late", delay=2))
    response = await h.router.complete(_req(), "deep")
    # deep, deep again (the one retry), and no paid fast attempt after that: local answers.
    assert [b["model"] for b in fake_anthropic.message_bodies] == ["claude-sonnet-5-5"] * 2
    assert response.tier_used == "local" and response.degraded
    rows = await h.rows()
    assert [(r.tier, r.outcome) for r in rows] == [
        ("deep", Outcome.UNKNOWN), ("deep", Outcome.UNKNOWN), ("fast", Outcome.REFUSED),
        ("local", Outcome.DEGRADED)]
    assert rows[2].cost_micros == 0


@pytest.mark.parametrize("retries", [0, 2])
async def test_unknown_retries_are_configurable(make_harness: MakeHarness,
                                                fake_anthropic: FakeAnthropic,
                                                retries: int) -> None:
    h = await make_harness({**HANGING, "router": {"max_unknown_retries": retries},
                            "tiers": {"fast": {"backend": "anthropic",
                                               "model": "claude-haiku-5-5", "fallback": []}}})
    fake_anthropic.set_responder(lambda _req: hangup())
    with pytest.raises(ModelUnavailable, match="no answer"):
        await h.router.complete(_req(), "fast")
    assert len(fake_anthropic.message_bodies) == retries + 1
    assert [r.outcome for r in await h.rows()][:retries + 1] == [Outcome.UNKNOWN] * (retries + 1)


async def test_clean_failures_still_use_every_attempt(make_harness: MakeHarness,
                                                      fake_anthropic: FakeAnthropic) -> None:
    # Refused before anything was billed (529): not ambiguous, so max_attempts applies.
    from tests.support.fake_anthropic import overloaded

    h = await make_harness({"router": {"max_attempts": 3},
                            "tiers": {"fast": {"backend": "anthropic",
                                               "model": "claude-haiku-5-5", "fallback": []}}})
    fake_anthropic.script(overloaded(), hangup(), answer("finally"))
    response = await h.router.complete(_req(), "fast")
    assert response.text == "finally"
    assert [r.outcome for r in await h.rows()] == [Outcome.ERROR, Outcome.UNKNOWN, Outcome.OK]
