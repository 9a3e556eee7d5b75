"""The assistant: local with a fast fallback, read-only context, hands only for a person."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.context.parts import hands_for, home_part, now_part
from agent.privacy.scopes import ContextPart
from skills.assistant import DECLARATION
from skills.assistant.prompt import INSTRUCTIONS
from tests.dispatch.assist import assisted, chooser_picks, household
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")


def test_declaration() -> None:
    assert (DECLARATION.tier, DECLARATION.fallback) == ("local", ("fast",))
    assert DECLARATION.scope_policy == "drop"
    assert set(DECLARATION.tools) == {"home_summary", "device_states", "state_history",
                                      "news_today", "spend_status", "set_device_state"}
    assert DECLARATION.arguments_schema == {"type": "object", "properties": {}}
    assert DECLARATION.cues == () and DECLARATION.fallback_skill is None
    # Long and constant, so the cached prefix is worth having and stays byte-stable.
    assert len(INSTRUCTIONS) > 2500 and not _TIME.search(INSTRUCTIONS)


def test_the_time_is_a_volatile_part_with_no_scope() -> None:
    part = now_part(datetime(2026, 12, 1, 17, 4, tzinfo=UTC), ZoneInfo("Europe/Berlin"))
    assert part == ContextPart("now", "2026-12-01 18:04, Tuesday (Europe/Berlin)",
                               scopes=frozenset())
    assert not part.stable


async def test_requests_keep_a_stable_prefix_and_lose_their_hands_with_news(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.set_responder(chooser_picks("assistant"))
    async with assisted(household(state_dir, fake_ollama.url, fake_anthropic.url)) as core:
        tools = core.dispatcher.context("assistant").tools
        home = await home_part(tools)
        assert home is not None and home.stable and home.scopes == frozenset({"devices"})
        assert home.text == "kitchen: kitchen light (light)"
        news = ContextPart("news", "<news-data>x</news-data>", frozenset({"news"}),
                           untrusted=True)
        assert "set_device_state" in [t.name for t in hands_for(tools.values(), [home])]
        assert "set_device_state" not in [t.name for t in hands_for(tools.values(),
                                                                      [home, news])]
        assert "set_device_state" not in [t.name for t in hands_for(
            tools.values(), [home], earlier_untrusted=True)]

        first = await core.dispatcher.handle_text("how long to boil an egg")
        second = await core.dispatcher.handle_text("and a duck egg?")
        news_question = await core.dispatcher.handle_text("what's new in the news about rail?")
    assert first.ok and second.ok and news_question.ok
    bodies = [b for b in fake_ollama.chat_bodies
              if b["messages"][0]["content"].startswith("You are hearth's household")]
    assert len(bodies) == 3
    assert bodies[0]["messages"][0] == bodies[1]["messages"][0]
    assert bodies[0]["tools"] == bodies[1]["tools"]
    names = [t["function"]["name"] for t in bodies[0]["tools"]]
    assert names == sorted(names) and "set_device_state" in names
    assert "set_device_state" not in [t["function"]["name"] for t in bodies[2]["tools"]]
    assert first.reply is not None and first.reply.data["tier"] == "local"
