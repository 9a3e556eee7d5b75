"""IntentMatcher: hassil with the enabled skills' templates and the HA intents they name."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pytest
from hassil import TextSlotList

from agent.config import HearthConfig
from agent.errors import StartupError
from agent.intents import IntentMatcher
from agent.plugins import Reply, Skill, SkillDeclaration, SkillSet, discover
from tests.support.skill_points import points


async def _noop(ctx: object, event: object) -> Reply:
    return Reply("")


def skill(name: str, **fields: Any) -> Skill:
    return Skill(SkillDeclaration(name=name, description=name, tier="none", **fields),
                 _noop)


def skills(*items: Skill, config: Mapping[str, Any] | None = None) -> SkillSet:
    return discover(HearthConfig.model_validate({"skills": dict(config or {})}),
                    entry_points=points(*items))


HOME = skill("home", ha_intents=("HassTurnOn", "HassTurnOff"))
BRIEFING = skill("briefing", intents={
    "BriefingNow": ("(read | give) [me] [the] [morning] (news | briefing)",)})
NOTE = skill("note", intents={"NoteTake": ("(note | remember) that {note}",)})


def devices() -> dict[str, Any]:
    return {
        "name": TextSlotList.from_tuples([
            ("kitchen light", "kitchen light", {"domain": "light"}),
            ("bedroom lamp", "bedroom lamp", {"domain": "light"}),
        ]),
        "area": ["kitchen", "bedroom"],
    }


def test_home_assistant_intents_match_with_device_slot_lists() -> None:
    matcher = IntentMatcher(skills(HOME), slot_lists=devices)
    off = matcher.match("turn off the kitchen light")
    assert off is not None
    assert (off.skill, off.intent, off.slots["name"]) == ("home", "HassTurnOff", "kitchen light")
    assert off.context["domain"] == "light"
    area = matcher.match("turn on all the lights in the kitchen")
    assert area is not None
    assert (area.intent, area.slots["area"], area.slots["domain"]) == ("HassTurnOn", "kitchen",
                                                                       "light")


def test_only_declared_ha_intents_are_held() -> None:
    matcher = IntentMatcher(skills(HOME), slot_lists=devices)
    assert matcher.intent_names == ("HassTurnOff", "HassTurnOn")
    # HassGetWeather ships with home-assistant-intents but nobody declared it.
    assert matcher.match("what's the weather") is None
    # Unknown targets are not handled locally: they go on to the dispatcher.
    assert matcher.match("turn on the garage") is None


def test_skill_templates_and_wildcards() -> None:
    matcher = IntentMatcher(skills(HOME, BRIEFING, NOTE), slot_lists=devices)
    news = matcher.match("give me the morning news")
    assert news is not None
    assert (news.skill, news.intent, dict(news.slots)) == ("briefing", "BriefingNow", {})
    note = matcher.match("remember that the bins go out on Tuesday")
    assert note is not None
    assert (note.skill, note.slots["note"]) == ("note", "the bins go out on Tuesday")


def test_overlong_text_is_not_matched() -> None:
    matcher = IntentMatcher(skills(NOTE))
    assert matcher.match("remember that " + "x" * 100) is not None
    assert matcher.match("remember that " + "x" * 400) is None


def test_disabled_skills_intents_are_not_held() -> None:
    matcher = IntentMatcher(skills(HOME, BRIEFING, config={"briefing": {"enabled": False}}),
                            slot_lists=devices)
    assert matcher.match("give me the morning news") is None
    assert "BriefingNow" not in matcher.intent_names


def test_slot_lists_are_read_at_match_time() -> None:
    names = ["kitchen light"]

    def lights() -> dict[str, Any]:
        # Home Assistant's sentences need the device's domain in the list value's context.
        return {"name": TextSlotList.from_tuples([(n, n, {"domain": "light"}) for n in names])}

    matcher = IntentMatcher(skills(HOME), slot_lists=lights)
    assert matcher.match("turn on the porch light") is None
    names.append("porch light")  # a device discovered after start-up
    match = matcher.match("turn on the porch light")
    assert match is not None
    assert match.slots["name"] == "porch light"


def test_plain_string_lists_feed_skill_templates() -> None:
    radio = skill("radio", intents={"RadioPlay": ("play {station}",)})
    matcher = IntentMatcher(skills(radio), slot_lists=lambda: {"station": ["radio one"]})
    match = matcher.match("play radio one")
    assert match is not None
    assert match.slots == {"station": "radio one"}
    # A list a caller supplies is not a wildcard: unknown stations do not match.
    assert matcher.match("play radio two") is None


def test_unknown_ha_intent_fails_start_up_naming_the_skill() -> None:
    with pytest.raises(StartupError, match=r"HassTeleport \(skill 'odd'\)"):
        IntentMatcher(skills(skill("odd", ha_intents=("HassTeleport",))))


def test_no_intents_matches_nothing() -> None:
    matcher = IntentMatcher(skills(skill("plain")))
    assert matcher.intent_names == ()
    assert matcher.match("turn off the kitchen light") is None


def test_a_broken_slot_list_is_logged_and_matches_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = {"n": 0}

    def flaky() -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] > 2:  # construction and warm-up succeed, then the source breaks
            return {"name": 42}
        return devices()

    matcher = IntentMatcher(skills(HOME), slot_lists=flaky)
    with caplog.at_level(logging.ERROR, logger="agent.intents"):
        assert matcher.match("turn off the kitchen light") is None
    assert "intent matching failed" in caplog.text
