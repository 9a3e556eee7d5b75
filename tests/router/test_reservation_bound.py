"""The reservation is an upper bound of the bill, whatever the text.

The fake here bills the harshest tokenizer there can be, one token per UTF-8 byte, plus the
hidden tool prompt; every paid row must still cost no more than its reservation, and the
case must be one the old 2-characters-per-token estimate got wrong.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.db.models import LedgerCall, LedgerReservation
from agent.router import Message, ModelRequest, ToolSpec
from agent.router.types import ToolResult
from tests.router.conftest import Harness, MakeHarness
from tests.support.fake_anthropic import FakeAnthropic, answer, tool_use

CJK = "東京の天気は晴れ、気温は二十度です。明日は雨の予報があります。" * 20
EMOJI = "🏠💡🔒🌧️👨‍👩‍👧‍👦🇯🇵" * 40
ARABIC = "الأضواء في المطبخ مضاءة، والباب الأمامي مقفل." * 20
LATIN = "Turn the kitchen lights on and tell me whether the door is locked. " * 20
MAX_TOKENS = 700
# Every answer uses all of max_tokens, so the output leaves no slack for the prompt.
FULL = {"output_tokens": MAX_TOKENS}


async def _echo(args: dict[str, Any]) -> ToolResult:
    return ToolResult(True, "結果: " + EMOJI[:40])


def _tool(name: str) -> ToolSpec:
    schema = {"type": "object", "properties": {
        "room": {"type": "string", "description": "部屋の名前 " + EMOJI[:20]},
        "level": {"type": "integer", "minimum": 0, "maximum": 100}},
        "required": ["room"], "additionalProperties": False}
    # No household scopes: an untagged tool would be kept off the cloud tiers.
    return ToolSpec(name, "Räume steuern — 照明を操作する " + ARABIC[:60], schema, _echo,
                    scopes=frozenset())


def _pairs(session: Session) -> list[tuple[int, int, int]]:
    rows = session.execute(
        select(LedgerCall.cost_micros, LedgerReservation.amount_micros,
               LedgerCall.input_tokens + LedgerCall.cache_read_tokens
               + LedgerCall.cache_write_5m_tokens + LedgerCall.cache_write_1h_tokens)
        .join(LedgerReservation, LedgerReservation.id == LedgerCall.reservation_id))
    return [(int(c), int(a), int(p)) for c, a, p in rows]


async def _check(h: Harness, prompt_chars: int) -> None:
    pairs = await h.db.read(_pairs)
    assert pairs, "no paid call was made"
    for cost, reserved, _ in pairs:
        assert 0 < cost <= reserved
    # The old estimate, chars/2 + 16 tokens, is below what this fake bills.
    assert max(p for _, _, p in pairs) > prompt_chars / 2 + 16


@pytest.mark.parametrize("text", [LATIN, CJK, EMOJI, ARABIC], ids=["latin", "cjk", "emoji",
                                                                   "arabic"])
async def test_plain_prompt_never_costs_more_than_reserved(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic, text: str) -> None:
    fake_anthropic.tokenizer = "bytes"
    h = await make_harness()
    fake_anthropic.script(answer("ok", usage=FULL))
    request = ModelRequest(skill="home", system="Système: " + text[:200],
                           messages=[Message("user", text)], max_tokens=MAX_TOKENS,
                           cache_ttl="1h")
    await h.router.complete(request, "fast")
    await _check(h, len(text) + 200 + 8)


async def test_tools_and_tool_turns_never_cost_more_than_reserved(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.tokenizer = "bytes"
    fake_anthropic.tool_prompt_tokens = 346
    h = await make_harness()
    fake_anthropic.script(
        answer(tool_uses=[tool_use("lights", {"room": "台所 " + EMOJI[:30]}, id="toolu_1")],
               usage=FULL),
        answer("done " + CJK[:100], usage=FULL))
    request = ModelRequest(skill="home", system="照明", tools=(_tool("lights"), _tool("locks")),
                           messages=[Message("user", EMOJI[:60])], max_tokens=MAX_TOKENS,
                           cache_ttl="1h")
    await h.router.complete(request, "fast")
    assert len(fake_anthropic.message_bodies) == 2
    await _check(h, 60)


async def test_output_schema_never_costs_more_than_reserved(
        make_harness: MakeHarness, fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.tokenizer = "bytes"
    h = await make_harness()
    schema = {"type": "object", "properties": {"要約": {"type": "string",
                                                        "description": CJK}},
              "required": ["要約"], "additionalProperties": False}
    fake_anthropic.script(answer(json={"要約": "晴れ"}, usage=FULL))
    request = ModelRequest(skill="news", messages=[Message("user", "まとめて" + EMOJI)],
                           output_schema=schema, max_tokens=MAX_TOKENS, cache_ttl="1h")
    await h.router.complete(request, "fast")
    await _check(h, 4 + len(EMOJI))
