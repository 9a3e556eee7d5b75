"""IntentMatcher's speed-ups (result cache, pruned templates) change no result."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hassil import Intents, TextSlotList, filter_intents, recognize_best
from hassil.sample import sample_intents
from home_assistant_intents import get_intents

from agent.config import HearthConfig
from agent.devices import DeviceRegistry
from agent.intents import CALLER_LISTS, IntentMatcher
from agent.plugins import Reply, Skill, SkillDeclaration, SkillSet, discover
from tests.support.skill_points import points

HOME_INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition")


async def _noop(ctx: object, event: object) -> Reply:
    return Reply("")


def home_skills() -> SkillSet:
    home = Skill(SkillDeclaration(name="home", description="home", tier="none",
                                  ha_intents=HOME_INTENTS), _noop)
    return discover(HearthConfig.model_validate({}), entry_points=points(home))


def registry(devices: list[dict[str, Any]]) -> DeviceRegistry:
    return DeviceRegistry(HearthConfig.model_validate({"devices": devices}))


def z2m_devices(*items: tuple[str, str]) -> bytes:
    return json.dumps([{"friendly_name": name, "ieee_address": f"0x{i}",
                        "definition": {"exposes": [{"type": kind}]}}
                       for i, (name, kind) in enumerate(items)]).encode()


LIGHTS_ONLY = [
    {"name": "kitchen light", "kind": "light", "protocol": "zigbee2mqtt", "area": "kitchen"},
    {"name": "bedroom lamp", "kind": "light", "protocol": "zigbee2mqtt", "area": "bedroom"},
]
MIXED = [*LIGHTS_ONLY,
         {"name": "desk fan", "kind": "fan", "protocol": "zigbee2mqtt", "area": "office"},
         {"name": "coffee plug", "kind": "switch", "protocol": "zigbee2mqtt", "area": "kitchen"},
         {"name": "hall blind", "kind": "cover", "protocol": "zigbee2mqtt", "area": "hall"},
         {"name": "front door", "kind": "lock", "protocol": "zigbee2mqtt", "area": "hall"}]

PHRASES = [
    "turn off the kitchen light", "turn on the bedroom lamp", "Turn ON the Kitchen Light!",
    "switch off kitchen light", "please turn the desk fan on", "turn off the lights",
    "turn on all the lights in the kitchen", "turn off the kitchen", "turn on the hall blind",
    "open the hall blind", "close the blinds in the hall", "set the hall blind to 40%",
    "set the bedroom lamp to 30%", "set kitchen light brightness to 70 percent",
    "set the kitchen light to red", "dim the bedroom lamp", "turn off the coffee plug",
    "unlock the front door", "turn off the front door", "turn on the porch light",
    "what's the weather", "tell me a joke", "turn off everything upstairs",
    "turn the lights off in the office", "activate the movie scene", "turn off the fans",
]


def reference(lists: dict[str, Any]) -> tuple[Intents, dict[str, Any]]:
    """Plain hassil over the declared intents, no pruning, no cache."""
    data = get_intents("en")
    assert data is not None
    intents = filter_intents(Intents.from_dict(data), intent_names=set(HOME_INTENTS))
    defaults = {n: TextSlotList(name=n, values=[]) for n in CALLER_LISTS}
    return intents, {**defaults, **lists}


def outcome_of(found: Any) -> Any:
    if found is None:
        return None
    return found.intent, dict(found.slots), dict(found.context)


def sampled(intents: Intents, lists: dict[str, Any], per_intent: int) -> list[str]:
    out: list[str] = []
    for name in HOME_INTENTS:
        texts = (text for _, text in sample_intents(intents, slot_lists=lists,
                                                     intent_names={name}, language="en",
                                                     expand_ranges=False))
        out += list(itertools.islice(texts, per_intent))
    return out


@pytest.mark.parametrize("devices", [LIGHTS_ONLY, MIXED], ids=["lights", "mixed"])
def test_results_equal_plain_hassil(devices: list[dict[str, Any]]) -> None:
    reg = registry(devices)
    matcher = IntentMatcher(home_skills(), slot_lists=reg.slot_lists)
    intents, lists = reference(reg.slot_lists())
    texts = PHRASES + sampled(intents, lists, per_intent=60)
    matched = 0
    for _round in range(2):  # the second round is answered from the cache
        for text in texts:
            want = recognize_best(text, intents, slot_lists=lists, language="en",
                                  best_slot_name="name")
            got = matcher.match(text)
            expected = None if want is None else (
                want.intent.name, {n: e.value for n, e in want.entities.items()},
                dict(want.context))
            assert outcome_of(got) == expected, text
            matched += got is not None
    assert matched // 2 >= 100  # many texts match: the comparison means something


def test_a_discovered_device_is_matched_right_after() -> None:
    reg = registry([])
    matcher = IntentMatcher(home_skills(), slot_lists=reg.slot_lists)
    assert matcher.match("turn on the shed") is None
    assert matcher.match("turn on the shed") is None  # now a cached miss
    reg.handle_message("zigbee2mqtt/bridge/devices", z2m_devices(("shed", "switch")))
    shed = reg.resolve("shed")
    assert shed is not None
    found = matcher.match("turn on the shed")
    assert found is not None
    assert (found.intent, found.slots["name"], found.context["domain"]) == (
        "HassTurnOn", shed.id, "switch")
    # A removed device stops matching as promptly.
    reg.handle_message("zigbee2mqtt/bridge/devices", z2m_devices(("barn", "light")))
    assert matcher.match("turn on the shed") is None


def test_a_new_domain_brings_back_its_templates() -> None:
    # With no cover, the cover-only templates are pruned; a discovered blind restores them.
    reg = registry(LIGHTS_ONLY)
    matcher = IntentMatcher(home_skills(), slot_lists=reg.slot_lists)
    assert matcher.match("set the hall blind to 40%") is None
    reg.handle_message("zigbee2mqtt/bridge/devices", z2m_devices(("hall blind", "cover")))
    found = matcher.match("set the hall blind to 40%")
    assert found is not None
    assert (found.intent, found.slots["position"]) == ("HassSetPosition", 40)


def test_in_place_changes_to_plain_lists_are_seen() -> None:
    radio = Skill(SkillDeclaration(name="radio", description="radio", tier="none",
                                   intents={"RadioPlay": ("play {station}",)}), _noop)
    stations = ["radio one"]
    lists = {"station": stations}  # the same dict and list object on every call
    matcher = IntentMatcher(discover(HearthConfig.model_validate({}),
                                     entry_points=points(radio)), slot_lists=lambda: lists)
    assert matcher.match("play radio two") is None
    stations.append("radio two")
    found = matcher.match("play radio two")
    assert found is not None
    assert found.slots == {"station": "radio two"}


def test_callers_cannot_spoil_a_cached_result() -> None:
    reg = registry(LIGHTS_ONLY)
    matcher = IntentMatcher(home_skills(), slot_lists=reg.slot_lists)
    first = matcher.match("turn off the kitchen light")
    assert first is not None
    first.slots["name"] = "tampered"  # type: ignore[index]
    first.context.clear()  # type: ignore[attr-defined]
    again = matcher.match("turn off the kitchen light")
    assert again is not None
    assert again.slots["name"] == "kitchen_light"
    assert again.context["domain"] == "light"


def test_the_cache_is_bounded_and_keeps_recent_texts() -> None:
    reg = registry(LIGHTS_ONLY)
    matcher = IntentMatcher(home_skills(), slot_lists=reg.slot_lists, cache_size=4)
    for i in range(20):
        assert matcher.match(f"turn off the kitchen light {i}") is None
    hit = matcher.match("turn off the kitchen light")
    assert hit is not None and hit.slots["name"] == "kitchen_light"
    generation = matcher._generation
    assert generation is not None
    assert len(generation.cache) == 4
    assert next(reversed(generation.cache)) == ("turn off the kitchen light", None)


def test_the_same_text_keeps_its_own_text_field() -> None:
    reg = registry(LIGHTS_ONLY)
    matcher = IntentMatcher(home_skills(), slot_lists=reg.slot_lists)
    a = matcher.match("turn off the kitchen light")
    b = matcher.match("turn off the kitchen light")
    assert a is not None and b is not None
    assert a == b and a is not b
