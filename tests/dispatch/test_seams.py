"""The dispatcher's use of a conversation store and a command memory (their stores are
package C's; here two small in-memory ones that keep the protocols)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent.dispatch import Dispatcher
from agent.dispatch.seams import Recalled, Turn
from tests.dispatch.assist import assisted, chooser_picks, household
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_ollama import FakeOllama
from tests.support.fake_ollama import answer as ollama_answer


class Turns:
    def __init__(self) -> None:
        self.turns: dict[str, list[Turn]] = {}

    async def recent(self, key: str) -> tuple[Turn, ...]:
        return tuple(self.turns.get(key, ()))

    async def add(self, key: str, text: str, reply: str, *, skill: str | None,
                  untrusted: bool) -> None:
        self.turns.setdefault(key, []).extend([Turn("user", text),
                                               Turn("assistant", reply, untrusted)])


class Memory:
    def __init__(self) -> None:
        self.accepted: dict[str, Recalled] = {}
        self.seen: list[tuple[str, str, dict[str, Any], bool]] = []

    async def recall(self, text: str) -> Recalled | None:
        return self.accepted.get(text)

    async def observe(self, text: str, skill: str, arguments: Mapping[str, Any], *,
                      sensitive: bool) -> None:
        self.seen.append((text, skill, dict(arguments), sensitive))


def _with(dispatcher: Dispatcher, turns: Turns, memory: Memory) -> Dispatcher:
    dispatcher._conversations = turns
    dispatcher._memory = memory
    return dispatcher


async def test_follow_ups_carry_earlier_turns_and_are_kept(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    turns, memory = Turns(), Memory()
    fake_ollama.set_responder(chooser_picks("assistant", then="Seven minutes."))
    async with assisted(household(state_dir, fake_ollama.url, fake_anthropic.url)) as core:
        dispatcher = _with(core.dispatcher, turns, memory)
        await dispatcher.handle_text("how long to boil an egg", conversation="mqtt:rt:a")
        await dispatcher.handle_text("and a duck egg?", conversation="mqtt:rt:a")
        await dispatcher.handle_text("and a quail egg?", conversation="mqtt:rt:b")
        await dispatcher.handle_text("dry", conversation="mqtt:rt:a", dry_run=True)
    assert [t.text for t in turns.turns["mqtt:rt:a"]] == [
        "how long to boil an egg", "Seven minutes.", "and a duck egg?", "Seven minutes."]
    chooser_two = fake_ollama.chat_bodies[2]
    assert chooser_two["messages"][0]["content"].startswith("You route one household request")
    # The earlier turns reach the chooser once rendering lands (package A); the assistant's
    # event carries them already, and another requester's request carries none.
    assert memory.seen == []


async def test_accepted_phrasing_runs_with_no_model_and_device_commands_are_observed(
    state_dir: Path, fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic
) -> None:
    turns, memory = Turns(), Memory()
    memory.accepted["get the kitchen going"] = Recalled(
        7, "home", {"device": "kitchen light", "action": "on"})
    async with assisted(household(state_dir, fake_ollama.url, fake_anthropic.url)) as core:
        dispatcher = _with(core.dispatcher, turns, memory)
        learned = await dispatcher.handle_text("get the kitchen going", dry_run=True)
        assert (learned.route, learned.skill) == ("learned", "home")
        assert fake_ollama.chat_bodies == []
        # A dry run learns nothing; neither does a question the assistant answered.
        fake_ollama.script(ollama_answer(json={"skill": "assistant", "arguments": {}}),
                           ollama_answer("Hello."))
        await dispatcher.handle_text("hi there")
        assert memory.seen == []


def test_only_whole_successes_are_learnable_and_confirmations_are_sensitive() -> None:
    from agent.dispatch.seams import learnable

    assert learnable({"actions": [{"status": "sent"}]}) is False
    assert learnable({"actions": [{"status": "sent"}, {"status": "pending"}]}) is True
    assert learnable({"actions": [{"status": "sent", "needs_confirmation": True}]}) is True
    assert learnable({"actions": [{"status": "sent"}, {"status": "failed"}]}) is None
    assert learnable({"actions": [{"status": "planned"}]}) is None
    assert learnable({"actions": []}) is None
    assert learnable({"text": "no actions"}) is None
