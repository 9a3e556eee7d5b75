"""A skill's calls stay on the tiers it declared, plus those `[router.skills.<name>]` allows:
for fallback (a tier down or over budget) and for escalation (an answer failing validation)."""

from __future__ import annotations

import pytest

from agent.errors import BudgetExceeded, ModelResponseInvalid, ModelUnavailable
from agent.ledger.types import Outcome
from agent.router import Message, ModelRequest, ModelResponse
from tests.router.conftest import MakeHarness
from tests.support.fake_anthropic import FakeAnthropic, answer


def _never_good(response: ModelResponse) -> str | None:
    return "does not name the room"


def _req(**kwargs: object) -> ModelRequest:
    return ModelRequest(skill="news", messages=[Message("user", "summarise")],
                        **kwargs)  # type: ignore[arg-type]


async def test_escalation_stops_at_the_declared_tiers(make_harness: MakeHarness, dead_url: str,
                                                      fake_anthropic: FakeAnthropic) -> None:
    # The news skill's declaration: local, falling back to fast. Ollama is down, so fast
    # answers; its answer fails validation. Deep was never declared: no escalation to it.
    h = await make_harness({"ollama": {"host": dead_url}})
    news = h.router.bind("news", tier="local", allow_cloud=True, fallback=("fast",))
    fake_anthropic.script(answer("no room"), answer("still no room"))
    with pytest.raises(ModelResponseInvalid, match="room"):
        await news.complete(_req(validator=_never_good))
    assert [b["model"] for b in fake_anthropic.message_bodies] == ["claude-haiku-5-5"]
    assert [r.tier for r in await h.rows()] == ["local", "fast"]


async def test_escalation_allowed_by_router_skills_config(make_harness: MakeHarness,
                                                          dead_url: str,
                                                          fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"ollama": {"host": dead_url},
                            "router": {"skills": {"news": {"tiers": ["deep"]}}}})
    news = h.router.bind("news", tier="local", allow_cloud=True, fallback=("fast",))
    fake_anthropic.script(answer("no room"), answer("the kitchen"))
    response = await news.complete(_req(validator=lambda r: None if "kitchen" in r.text
                                        else "no room"))
    assert response.escalated and response.tier_used == "deep"
    assert [b["model"] for b in fake_anthropic.message_bodies] == ["claude-haiku-5-5",
                                                                   "claude-sonnet-5-5"]


async def test_fallback_stops_at_the_declared_tiers(make_harness: MakeHarness, dead_url: str,
                                                    fake_anthropic: FakeAnthropic) -> None:
    # `tiers.local.fallback = ["fast"]` by default, but this skill declared local only.
    h = await make_harness({"ollama": {"host": dead_url}})
    home = h.router.bind("home", tier="local", allow_cloud=True)
    with pytest.raises(ModelUnavailable):
        await home.complete(ModelRequest(skill="home", messages=[Message("user", "hi")]))
    assert fake_anthropic.message_bodies == []
    (row,) = await h.rows()
    assert row.tier == "local" and row.outcome == Outcome.ERROR


async def test_fallback_over_budget_stays_declared(make_harness: MakeHarness,
                                                   fake_anthropic: FakeAnthropic) -> None:
    # Deep over its tier cap; the tier's own fallback is fast, local, but the skill
    # declared deep only.
    h = await make_harness({"budget": {"per_tier": {"deep": {"daily_usd": "0.01"}}}})
    digest = h.router.bind("digest", tier="deep", allow_cloud=True)
    with pytest.raises(BudgetExceeded):
        await digest.complete(ModelRequest(skill="digest", messages=[Message("user", "hi")]))
    assert fake_anthropic.message_bodies == []


async def test_fallback_allowed_by_router_skills_config(make_harness: MakeHarness,
                                                        dead_url: str,
                                                        fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"ollama": {"host": dead_url},
                            "router": {"skills": {"home": {"tiers": ["fast"]}}}})
    home = h.router.bind("home", tier="local", allow_cloud=True)
    response = await home.complete(ModelRequest(skill="home", messages=[Message("user", "hi")]))
    assert response.tier_used == "fast"
    assert [r.tier for r in await h.rows()] == ["local", "fast"]
