"""With the assistant enabled the chooser always picks a skill; without it, the old "none"."""

from __future__ import annotations

import json
from pathlib import Path

from agent.dispatch import SkillChooser
from agent.plugins import discover
from skills.advisor import DECLARATION as ADVISOR
from skills.assistant import DECLARATION as ASSISTANT
from tests.dispatch.assist import BUILT_INS, assisted, household
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama
from tests.support.fake_ollama import answer as ollama_answer


def _consts(schema: dict[str, object]) -> list[str]:
    return [b["properties"]["skill"]["const"] for b in schema["anyOf"]]  # type: ignore[attr-defined]


def test_the_assistant_replaces_the_model_s_own_answer(state_dir: Path) -> None:
    config = household(state_dir, "http://127.0.0.1:9", "http://127.0.0.1:9")
    chooser = SkillChooser(discover(config, entry_points=BUILT_INS))
    assert _consts(chooser.schema) == ["advisor", "assistant", "home"]
    assert "If unsure between assistant and advisor, choose assistant." in chooser.system
    assert '"skill": "none"' not in chooser.system
    assert f"- assistant: {ASSISTANT.description}" in chooser.system
    assert f"- advisor: {ADVISOR.description}" in chooser.system
    # The descriptions name things, with no hedging a 1.5B model would have to weigh.
    assert " may " not in ASSISTANT.description + ADVISOR.description


def test_without_the_assistant_the_model_may_still_answer(state_dir: Path) -> None:
    config = household(state_dir, "http://127.0.0.1:9", "http://127.0.0.1:9",
                       skills={"assistant": {"enabled": False}, "advisor": {"enabled": False}})
    chooser = SkillChooser(discover(config, entry_points=BUILT_INS))
    assert _consts(chooser.schema) == ["home", "none"]
    assert '"skill": "none"' in chooser.system
    assert "If unsure" not in chooser.system


async def test_a_none_choice_is_refused_when_the_assistant_is_offered(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    fake_ollama.script(ollama_answer(json={"skill": "none", "answer": "I'd say 7 minutes"}))
    async with assisted(household(state_dir, fake_ollama.url, fake_anthropic.url)) as core:
        result = await core.dispatcher.handle_text("how long to boil an egg")
    assert (result.route, result.status) == ("dispatcher", "refused")
    assert "not an offered skill" in result.text
    body = fake_ollama.chat_bodies[0]
    assert json.dumps(body["format"]).count('"const": "none"') == 0
