"""Explicit cues pick a skill with no model call: a requested tier, then phrases in the text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent.dispatch.cues import normalise, strip_leading
from tests.dispatch.assist import assisted, chooser_picks, household
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama


@pytest.mark.parametrize(("text", "rest"), [
    ("Ask Claude: compare tariffs", "compare tariffs"),
    ("  ask   CLAUDE,compare tariffs", "compare tariffs"),
    ("could you ask Claude about tariffs", "could you ask Claude about tariffs"),
    ("Ask Claudette about tariffs", "Ask Claudette about tariffs"),
    ("Ask Claude!", "Ask Claude!"),  # nothing left: the person's text stays as it was
])
def test_a_leading_cue_is_stripped(text: str, rest: str) -> None:
    assert strip_leading(text, "ask claude") == rest


def test_normalise_folds_case_and_punctuation() -> None:
    assert normalise("Think-it THROUGH, please!") == "think it through please"


async def test_text_cues_reach_the_advisor_with_no_chooser_call(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="agent.dispatch.dispatcher")
    async with assisted(household(state_dir, fake_ollama.url, fake_anthropic.url)) as core:
        for text, cue in [("Ask Claude: compare tariffs", "ask claude"),
                          ("please THINK IT THROUGH: a week of dinners", "think it through"),
                          ("we should think hard about the heating", "think hard")]:
            result = await core.dispatcher.handle_text(text)
            assert (result.route, result.skill, result.status) == ("cue", "advisor", "ok"), text
            assert result.reply is not None and result.reply.data["tier"] == "deep"
            assert f"cue {cue!r} selects skill advisor" in caplog.text
        assert fake_ollama.chat_bodies == []
        first = fake_anthropic.message_bodies[0]
        # The cue is gone; whatever context precedes the person's words, they end the text.
        text = first["messages"][-1]["content"][-1]["text"]
        assert text.endswith("compare tariffs") and "ask claude" not in text.lower()
        # A word that merely contains a cue is not one: the chooser decides.
        fake_ollama.set_responder(chooser_picks("assistant"))
        result = await core.dispatcher.handle_text("the task Claude set us")
        assert (result.route, result.skill) == ("dispatcher", "assistant")


async def test_a_requested_tier_is_a_cue(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    async with assisted(household(state_dir, fake_ollama.url, fake_anthropic.url)) as core:
        deep = await core.dispatcher.handle_text("compare tariffs", tier="deep")
        assert (deep.route, deep.skill) == ("cue", "advisor")
        local = await core.dispatcher.handle_text("how long to boil an egg", tier="local")
        assert (local.route, local.skill) == ("cue", "assistant")
        assert len(fake_anthropic.message_bodies) == 1
        assert len(fake_ollama.chat_bodies) == 1  # the assistant's answer, no chooser
        # A tier with no skill of its own routes as usual.
        fake_ollama.set_responder(chooser_picks("assistant"))
        fast = await core.dispatcher.handle_text("how long to boil an egg", tier="fast")
        assert (fast.route, fast.skill) == ("dispatcher", "assistant")
        # A dry run plans the cued skill's call and makes none.
        planned = await core.dispatcher.handle_text("compare tariffs", tier="deep",
                                                    dry_run=True)
        assert (planned.route, planned.status, planned.skill) == ("cue", "planned", "advisor")
        assert len(fake_anthropic.message_bodies) == 1


async def test_intents_still_come_before_text_cues(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    async with assisted(household(state_dir, fake_ollama.url, fake_anthropic.url)) as core:
        result = await core.dispatcher.handle_text("turn on the kitchen light", dry_run=True)
        assert (result.route, result.skill) == ("intent", "home")
        # A requested tier is the person's explicit choice and wins over templates.
        cued = await core.dispatcher.handle_text("turn on the kitchen light", tier="deep",
                                                 dry_run=True)
        assert (cued.route, cued.skill) == ("cue", "advisor")
