"""The advisor: deep, cues, a fallback skill, and never a tool that changes the home."""

from __future__ import annotations

import re
from pathlib import Path

from skills.advisor import DECLARATION
from skills.advisor.desk import WITHHELD
from skills.advisor.prompt import INSTRUCTIONS
from tests.dispatch.assist import assisted, household
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama


def test_declaration() -> None:
    assert (DECLARATION.tier, DECLARATION.fallback) == ("deep", ())
    assert DECLARATION.fallback_skill == "assistant"
    assert DECLARATION.cues == ("ask claude", "think carefully", "think hard",
                                "think it through")
    assert "set_device_state" not in DECLARATION.tools
    assert "history" in DECLARATION.cloud_scopes and "news" not in DECLARATION.cloud_scopes
    assert len(INSTRUCTIONS) > 2500
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}", INSTRUCTIONS)
    assert WITHHELD.count(".") == 1  # one sentence


async def test_two_calls_send_the_same_prefix_bytes_and_no_actuating_tool(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    # Scopes that let every read-only tool go to Claude (the default keeps device data home).
    scopes = ["utterance", "conversation", "devices", "states", "history", "spend"]
    config = household(state_dir, fake_ollama.url, fake_anthropic.url,
                       privacy={"cloud_scopes": scopes})
    async with assisted(config) as core:
        granted = core.dispatcher.context("advisor").tools
        assert not [t for t in granted.values() if t.actuates]
        first = await core.dispatcher.handle_text("think carefully: compare two tariffs")
        second = await core.dispatcher.handle_text("think hard: plan a week of dinners")
    assert first.ok and second.ok
    one, two = fake_anthropic.message_bodies
    assert one["system"] == two["system"] and one["tools"] == two["tools"]
    assert one["system"][0]["text"].startswith(INSTRUCTIONS)
    assert [t["name"] for t in one["tools"]] == ["device_states", "home_summary",
                                                 "spend_status", "state_history"]
    assert first.reply is not None and first.reply.data["tier"] == "deep"
