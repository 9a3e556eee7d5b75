"""Prompt caching through the router: breakpoints placed, and cache reads priced as such."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from agent.config import parse_config
from agent.errors import ConfigError
from agent.ledger.types import Outcome
from agent.router import Message, ModelRequest, ToolSpec
from agent.router.types import ToolResult
from tests.router.conftest import MakeHarness
from tests.support.fake_anthropic import FakeAnthropic

# claude-sonnet-5-5 after 2026-10-07, USD per million tokens (Anthropic's price list).
SONNET = {"input": Decimal("2.00"), "w5": Decimal("2.50"), "w1h": Decimal("4.00"),
          "read": Decimal("0.10"), "output": Decimal("10.00")}
SYSTEM = "You are hearth, a careful home assistant. Answer briefly. " * 30


async def _noop(args: dict[str, object]) -> ToolResult:
    return ToolResult(True, "ok")


# Tagged as revealing no household data: an untagged tool counts as every scope, which the
# default [privacy] cloud_scopes keeps off the cloud tiers (tests/router/test_scopes.py).
TOOLS = (ToolSpec("zeta", "last tool", {"type": "object", "properties": {}}, _noop,
                  scopes=frozenset()),
         ToolSpec("alpha", "first tool", {"type": "object", "properties": {}}, _noop,
                  scopes=frozenset()))


def _expected_micros(row: object) -> int:
    total = (SONNET["input"] * row.input_tokens + SONNET["w5"] * row.cache_write_5m_tokens  # type: ignore[attr-defined]
             + SONNET["w1h"] * row.cache_write_1h_tokens + SONNET["read"] * row.cache_read_tokens  # type: ignore[attr-defined]
             + SONNET["output"] * row.output_tokens)  # type: ignore[attr-defined]
    return math.ceil(total)


@pytest.mark.parametrize("ttl", ["5m", "1h"])
async def test_second_call_reads_the_cache_and_is_priced_at_the_read_rate(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic, ttl: str) -> None:
    h = await make_harness({"router": {"cache_ttl": ttl}})
    for question in ("what is on today?", "and tomorrow?"):
        await h.router.complete(ModelRequest(skill="briefing", system=SYSTEM,
                                             messages=[Message("user", question)]), "deep")
    first, second = await h.rows()
    write_first = first.cache_write_1h_tokens if ttl == "1h" else first.cache_write_5m_tokens
    other_first = first.cache_write_5m_tokens if ttl == "1h" else first.cache_write_1h_tokens
    assert write_first > 300 and other_first == 0
    assert first.cache_read_tokens == 0
    assert second.cache_read_tokens == write_first
    assert second.cache_write_5m_tokens == second.cache_write_1h_tokens == 0
    assert first.outcome == second.outcome == Outcome.OK
    for row in (first, second):
        assert row.cost_micros == _expected_micros(row)
    # The read is far cheaper than the write of the same prefix.
    assert second.cost_micros < first.cost_micros / 5
    body = fake_anthropic.message_bodies[0]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": ttl}


async def test_request_ttl_overrides_router_default(make_harness: MakeHarness,
                                                   fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    response = await h.router.complete(ModelRequest(
        skill="news", system=SYSTEM, messages=[Message("user", "q")], cache_ttl="1h"), "fast")
    assert response.usage.cache_write_1h_tokens > 0
    assert response.usage.cache_write_5m_tokens == 0
    assert fake_anthropic.message_bodies[0]["system"][0]["cache_control"]["ttl"] == "1h"


async def test_prefix_is_byte_stable_tools_sorted_and_no_sampling(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"tiers": {"deep": {"backend": "anthropic", "model": "claude-sonnet-5-5",
                                               "thinking": True, "effort": "high"}}})
    for tools in (TOOLS, tuple(reversed(TOOLS))):
        await h.router.complete(ModelRequest(skill="home", system=SYSTEM, tools=tools,
                                             messages=[Message("user", "lights?")]), "deep")
    first, second = fake_anthropic.message_bodies
    assert [t["name"] for t in first["tools"]] == ["alpha", "zeta"]
    assert first["tools"] == second["tools"] and first["system"] == second["system"]
    assert "cache_control" in first["tools"][-1] and "cache_control" not in first["tools"][0]
    for body in (first, second):
        assert not {"temperature", "top_p", "top_k"} & set(body)
        assert body["max_tokens"] == 1024  # the overriding [tiers.deep] default
        assert body["thinking"] == {"type": "adaptive"}
        assert body["output_config"] == {"effort": "high"}
    # single-turn: the user's question is not cached
    assert "cache_control" not in first["messages"][-1]["content"][-1]
    rows = await h.rows()
    assert rows[1].cache_read_tokens > 0


async def test_multi_turn_conversation_prefix_is_cached(make_harness: MakeHarness,
                                                        fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness()
    history = [Message("user", "Tell me about the garden. " * 20),
               Message("assistant", "The garden is green. " * 20)]
    await h.router.complete(ModelRequest(skill="chat", system=SYSTEM,
                                         messages=[*history, Message("user", "more?")]), "fast")
    body = fake_anthropic.message_bodies[0]
    assert body["messages"][-1]["content"][-1]["cache_control"]["type"] == "ephemeral"
    later = [*history, Message("user", "more?"), Message("assistant", "Roses."),
             Message("user", "and then?")]
    second = await h.router.complete(ModelRequest(skill="chat", system=SYSTEM, messages=later),
                                     "fast")
    rows = await h.rows()
    # The second call reads everything up to the first call's last turn, not just the system.
    assert second.usage.cache_read_tokens > rows[0].cache_write_5m_tokens - 5
    assert second.usage.cache_read_tokens > 400


async def test_cache_off_sends_no_breakpoint_and_bills_plain_input(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    # [router] cache_ttl = "off": no write premium for a prefix nobody will read in time.
    h = await make_harness({"router": {"cache_ttl": "off"}})
    history = [Message("user", "Tell me about the garden. " * 20),
               Message("assistant", "The garden is green. " * 20)]
    for messages in ([Message("user", "lights?")], [*history, Message("user", "more?")]):
        await h.router.complete(ModelRequest(skill="home", system=SYSTEM, tools=TOOLS,
                                             messages=messages), "deep")
    for body in fake_anthropic.message_bodies:
        assert "cache_control" not in json.dumps(body)
        assert [t["name"] for t in body["tools"]] == ["alpha", "zeta"]  # still byte-stable
    rows = await h.rows()
    assert len(rows) == 2
    for row in rows:
        assert row.cache_read_tokens == row.cache_write_5m_tokens == \
            row.cache_write_1h_tokens == 0
        assert row.input_tokens > 300
        assert row.cost_micros == _expected_micros(row)


async def test_a_skill_can_turn_its_cache_off_while_the_default_stays_on(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    h = await make_harness({"router": {"cache_ttl": "5m",
                                       "skills": {"advisor": {"cache_ttl": "off"}}}})
    for skill in ("advisor", "briefing"):
        await h.router.complete(ModelRequest(skill=skill, system=SYSTEM,
                                             messages=[Message("user", "q")]), "deep")
    advisor, briefing = fake_anthropic.message_bodies
    assert "cache_control" not in advisor["system"][0]
    assert briefing["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    plan = h.router.plan(ModelRequest(skill="advisor", system=SYSTEM,
                                      messages=[Message("user", "q")]), "deep")
    assert plan.cache_ttl == "off"


def test_an_unknown_cache_lifetime_is_refused() -> None:
    with pytest.raises(ConfigError, match="cache_ttl"):
        parse_config({"router": {"cache_ttl": "10m"}})
    assert parse_config({"router": {"skills": {"advisor": {"cache_ttl": "off"}}}}) \
        .router.skills["advisor"].cache_ttl == "off"
