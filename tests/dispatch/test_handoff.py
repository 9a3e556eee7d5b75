"""The advisor's spent budget or unreachable model: the assistant answers once, and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import StartupError
from tests.dispatch.assist import assisted, household
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama
from tests.support.fake_ollama import answer as ollama_answer


async def test_spent_budget_hands_over_once_with_the_notice(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    config = household(state_dir, fake_ollama.url, fake_anthropic.url,
                       budget={"per_skill": {"advisor": {"daily_usd": 0.000001}}})
    fake_ollama.script(ollama_answer("Fill the dishwasher before running it."))
    async with assisted(config) as core:
        result = await core.dispatcher.handle_text("think carefully: how do we save water?")
    assert (result.route, result.skill, result.status) == ("cue", "assistant", "ok")
    assert result.text == ("The advisor's budget is used up for now, so here is a quicker "
                           "answer from the assistant. Fill the dishwasher before running it.")
    assert result.reply is not None
    assert result.reply.data["handoff_from"] == "advisor"
    assert result.reply.data["tier"] == "local"
    assert fake_anthropic.message_bodies == []
    # The assistant got the same request text the advisor would have.
    assert fake_ollama.chat_bodies[0]["messages"][-1]["content"].endswith(
        "how do we save water?")


async def test_unreachable_claude_says_so_and_a_failing_fallback_is_not_chained(
    state_dir: Path, fake_ollama: FakeOllama, dead_url: str
) -> None:
    config = household(state_dir, fake_ollama.url, dead_url)
    fake_ollama.script(ollama_answer("Short answer."))
    async with assisted(config) as core:
        result = await core.dispatcher.handle_text("ask Claude to plan the week")
        assert result.text.startswith("Claude is unreachable right now, so here is a quicker "
                                      "answer from the assistant.")
        assert result.reply is not None and result.reply.data["handoff_from"] == "advisor"
    # Neither model answers: the assistant's own failure is reported, with no second hop.
    config = household(state_dir / "b", dead_url, dead_url)
    async with assisted(config) as core:
        result = await core.dispatcher.handle_text("ask Claude to plan the week")
        assert (result.route, result.skill, result.status) == ("cue", "assistant", "failed")
        assert core.dispatcher.stats["advisor"].calls == 1
        assert core.dispatcher.stats["assistant"].calls == 1


async def test_a_fallback_skill_that_is_not_enabled_fails_start_up(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    config = household(state_dir, fake_ollama.url, fake_anthropic.url,
                       skills={"assistant": {"enabled": False}})
    with pytest.raises(StartupError, match="fallback_skill 'assistant'"):
        async with assisted(config):
            pass
