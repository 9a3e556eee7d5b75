"""Hearth's own phrasings ride on Home Assistant's intents and never widen what a verb does."""

from __future__ import annotations

import pytest

from agent.intents import IntentMatcher
from tests.intents.test_matcher_cache import home_skills, registry

DEVICES = [
    {"name": "kitchen light", "kind": "light", "area": "kitchen", "command_topic": "t/kl"},
    {"name": "ceiling fan", "kind": "fan", "area": "living room", "command_topic": "t/cf"},
    {"name": "living room blinds", "kind": "cover", "area": "living room",
     "command_topic": "t/bl"},
    {"name": "front door", "kind": "lock", "command_topic": "t/fd"},
]


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher(home_skills(), slot_lists=registry(DEVICES).slot_lists)


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("dim the kitchen light to 30 percent", "HassLightSet",
     {"name": "kitchen_light", "brightness": 30}),
    ("Dim the Kitchen Light to 30%!", "HassLightSet", {"name": "kitchen_light", "brightness": 30}),
    ("brighten kitchen light to 80 %", "HassLightSet", {"name": "kitchen_light", "brightness": 80}),
    ("dim the lights in the kitchen to 20%", "HassLightSet",
     {"area": "kitchen", "domain": "light", "brightness": 20}),
    ("stop the ceiling fan", "HassTurnOff", {"name": "ceiling_fan"}),
    ("turn on all the lights", "HassTurnOn", {"domain": "light"}),
    ("turn on the lights everywhere", "HassTurnOn", {"domain": "light"}),
    ("light up the whole house", "HassTurnOn", {"domain": "light"}),
])
def test_hearth_phrasings_match_the_home_assistant_intent(matcher: IntentMatcher, text: str,
                                                          intent: str,
                                                          slots: dict[str, object]) -> None:
    found = matcher.match(text)
    assert found is not None and found.intent == intent
    assert {k: found.slots.get(k) for k in slots} == slots
    assert "name" in slots or "name" not in found.slots


@pytest.mark.parametrize("text", ["stop the living room blinds", "stop the front door",
                                  "stop the kitchen light", "dim the front door to 10%",
                                  "dim the ceiling fan to 10%"])
def test_a_verb_reaches_only_the_devices_it_is_safe_for(matcher: IntentMatcher,
                                                         text: str) -> None:
    found = matcher.match(text)
    assert found is None or found.intent not in ("HassTurnOff", "HassTurnOn", "HassLightSet")
