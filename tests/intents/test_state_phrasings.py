"""Hearth's state questions about sensors, locks, switches and floors (agent/intents/states.py).

Through the real matcher with the registry's slot lists, then the real home skill's question
mapping and `DeviceRegistry` answer: a class's own words reach only that class, and the answer
counts only sensors of the class and domain asked about.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.devices import DeviceRegistry
from agent.devices.queries import answer
from agent.intents import IntentMatcher
from agent.plugins import Reply, Skill, SkillDeclaration, SkillSet, discover
from skills.home.arguments import HA_INTENTS, question
from tests.intents.test_matcher_cache import registry
from tests.support.skill_points import points


async def _noop(ctx: object, event: object) -> Reply:
    return Reply("")


def home_skills() -> SkillSet:
    home = Skill(SkillDeclaration(name="home", description="home", tier="none",
                                  ha_intents=HA_INTENTS), _noop)
    return discover(HearthConfig.model_validate({}), entry_points=points(home))

DEVICES: list[dict[str, Any]] = [
    {"name": "phone", "kind": "binary_sensor", "protocol": "topic", "state_topic": "s/phone",
     "device_class": "battery"},
    {"name": "my phone", "kind": "sensor", "protocol": "topic", "state_topic": "s/myphone",
     "device_class": "battery", "unit": "%"},
    {"name": "kitchen smoke", "kind": "binary_sensor", "protocol": "topic",
     "state_topic": "s/smoke", "device_class": "smoke", "area": "kitchen"},
    {"name": "washer", "kind": "binary_sensor", "protocol": "topic", "state_topic": "s/washer",
     "device_class": "running"},
    {"name": "furnace", "kind": "sensor", "protocol": "topic", "state_topic": "s/furnace",
     "device_class": "temperature", "unit": "°C"},
    {"name": "front door", "kind": "lock", "command_topic": "t/fd", "area": "hall"},
    {"name": "kitchen switch", "kind": "switch", "command_topic": "t/ks", "area": "kitchen"},
    {"name": "kitchen light", "kind": "light", "command_topic": "t/kl", "area": "kitchen"},
]


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher(home_skills(), slot_lists=registry(DEVICES).slot_lists)


@pytest.mark.parametrize(("text", "slots"), [
    ("are any batteries low?", {"domain": "binary_sensor", "device_class": "battery",
                                "state": "on"}),
    ("is the phone battery normal", {"name": "phone", "device_class": "battery",
                                     "state": "off"}),
    ("is there smoke in the kitchen", {"device_class": "smoke", "area": "kitchen",
                                       "state": "on"}),
    ("how many smoke detectors are triggered", {"device_class": "smoke", "state": "on"}),
    ("is the washer running", {"name": "washer", "device_class": "running", "state": "on"}),
    ("what is the battery level of my phone", {"name": "my_phone", "domain": "sensor"}),
    ("what is Furnace's temperature", {"name": "furnace", "domain": "sensor"}),
    ("is the front door currently locked", {"name": "front_door", "state": "locked"}),
    ("are there any unlocked doors", {"domain": "lock", "state": "unlocked"}),
    ("are all switches in the kitchen on", {"domain": "switch", "area": "kitchen",
                                            "state": "on"}),
])
def test_state_questions_match_hass_get_state(matcher: IntentMatcher, text: str,
                                              slots: dict[str, object]) -> None:
    found = matcher.match(text)
    assert found is not None and found.intent == "HassGetState", text
    assert {k: found.slots.get(k) for k in slots} == slots


@pytest.mark.parametrize("text", ["are any batteries wet", "is the washer low",
                                  "is the kitchen switch charging"])
def test_a_class_word_reaches_only_its_class(matcher: IntentMatcher, text: str) -> None:
    assert matcher.match(text) is None


@pytest.mark.parametrize(("text", "slots"), [
    ("turn the lights in the upstairs off", {"domain": "light", "floor": "upstairs"}),
    ("turn all fans off", {"domain": "fan"}),
])
def test_floors_and_all_fans(text: str, slots: dict[str, object]) -> None:
    devices = [{"name": "landing light", "kind": "light", "command_topic": "t/ll",
                "area": "landing"}, {"name": "ceiling fan", "kind": "fan", "command_topic": "t/f"}]
    reg = DeviceRegistry(HearthConfig.model_validate({
        "devices": devices, "floors": [{"name": "upstairs"}],
        "areas": [{"name": "landing", "floor": "upstairs"}]}))
    found = IntentMatcher(home_skills(), slot_lists=reg.slot_lists).match(text)
    assert found is not None and found.intent == "HassTurnOff"
    assert {k: found.slots.get(k) for k in slots} == slots


def test_a_class_question_counts_only_that_domain(matcher: IntentMatcher) -> None:
    reg = registry(DEVICES)
    reg.handle_message("s/phone", json.dumps({"state": "ON"}).encode())
    reg.handle_message("s/myphone", b"12")
    found = matcher.match("which batteries are low")
    assert found is not None
    asked = question(found.intent, found.slots, found.text, None)
    said = answer(reg, asked)
    # The battery level sensor "my phone" is not a low-battery sensor: not counted.
    assert said.devices == ("phone",) or "my phone" not in said.text
    assert "my_phone" not in said.devices + said.unknown


def test_a_binary_sensor_is_said_in_its_class_words(matcher: IntentMatcher) -> None:
    reg = registry(DEVICES)
    reg.handle_message("s/phone", b"ON")
    reg.handle_message("s/washer", b"OFF")
    said = []
    for text in ("which batteries are low", "is the phone battery low", "is the washer running"):
        found = matcher.match(text)
        assert found is not None
        said.append(answer(reg, question(found.intent, found.slots, found.text, None)).text)
    assert said == ["The phone is low.", "Yes, the phone is low.",
                    "No, the washer is not running."]


def test_a_shared_word_is_narrowed_by_the_place_said_with_it() -> None:
    from agent.devices.targets import Scope, resolve
    from agent.errors import DeviceError
    from skills.home.arguments import intent_arguments

    reg = DeviceRegistry(HearthConfig.model_validate({
        "devices": [{"name": "bedroom lamp", "kind": "light", "command_topic": "t/b",
                     "area": "bedroom"},
                    {"name": "living room lamp", "kind": "light", "command_topic": "t/l",
                     "area": "living room"}],
        "floors": [{"name": "upstairs"}, {"name": "ground floor"}],
        "areas": [{"name": "bedroom", "floor": "upstairs"},
                  {"name": "living room", "floor": "ground floor"}]}))
    args = intent_arguments("HassTurnOn", {"name": "?lamp", "floor": "upstairs"})
    assert args == {"device": "?lamp", "floor": "upstairs", "state": "on"}
    found = resolve(reg, Scope(device="?lamp", floor="upstairs"))
    assert [d.id for d in found.devices] == ["bedroom_lamp"]
    with pytest.raises(DeviceError, match="Which lamp"):
        resolve(reg, Scope(device="?lamp"))
