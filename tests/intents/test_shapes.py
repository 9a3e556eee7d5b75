"""The shape memo (agent/intents/names.py) changes no result, and is really used.

test_speed_parts.py runs the corpus through a matcher with the memo on against the unfiltered
reference. Here each corpus sentence is said again about other devices of the same kind (the
case the memo answers without hassil) and compared, context included, with the same matcher
with the memo off (`shape_cache_size=0`). The exact-text cache is off in both.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.config import HearthConfig
from agent.devices import DeviceRegistry
from agent.intents import IntentMatcher
from agent.intents.names import PLACEHOLDER
from agent.intents.normalise import normalise
from tests.intents.corpus.expected import cases
from tests.intents.corpus.fixtures import config as corpus_config
from tests.intents.corpus.fixtures import fixtures
from tests.intents.test_speed_parts import HOME, OTHERS, skills


def reading(found: Any) -> Any:
    if found is None:
        return None
    return found.intent, dict(found.slots), dict(found.context)


def pair(registry: DeviceRegistry) -> tuple[IntentMatcher, IntentMatcher]:
    every = skills(HOME, OTHERS)
    shaped = IntentMatcher(every, slot_lists=registry.slot_lists, cache_size=0)
    plain = IntentMatcher(every, slot_lists=registry.slot_lists, cache_size=0,
                          shape_cache_size=0)
    return shaped, plain


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> DeviceRegistry:
    return DeviceRegistry(corpus_config(fixtures(), tmp_path_factory.mktemp("corpus")))


def _swaps(matcher: IntentMatcher, text: str, limit: int) -> list[str]:
    """`text` with its named device replaced by up to `limit` others of the same kind."""
    generation = matcher._current()
    assert generation.names is not None
    clean = normalise(text)
    shape = generation.names.said(clean).shape
    if shape is None:
        return []
    start = shape.text.index(PLACEHOLDER)
    said = clean[start:start + len(clean) - len(shape.text) + len(PLACEHOLDER)]
    others = []
    for value in generation.lists["name"].values:
        spoken = value.text_in.text
        if (frozenset((value.context or {}).items()) == shape.kind
                and value.value_out != shape.value and spoken.casefold() != said.casefold()):
            others.append(f"{clean[:start]}{spoken}{clean[start + len(said):]}")
    return others[:limit]


# About 2,200 matches, half with hassil on every one: some 20 s on a quiet 2-core machine.
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_sentence_about_one_device_reads_right_about_another(corpus: DeviceRegistry) -> None:
    shaped, plain = pair(corpus)
    differ, tried = [], 0
    seen: set[str] = set()
    for case in cases():
        if case.sentence in seen:
            continue
        seen.add(case.sentence)
        for text in [case.sentence, *_swaps(shaped, case.sentence, 3)]:
            tried += 1
            if reading(shaped.match(text)) != reading(plain.match(text)):
                differ.append((text, reading(shaped.match(text)), reading(plain.match(text))))
    assert differ == []
    # Swapped names share the first's shape unless their own words change the gates or
    # keyword blocks tried (then the memo keys differ and hassil runs): about 200 here.
    assert tried > 1000 and shaped.shape_hits >= 100


def _registry(*devices: dict[str, Any]) -> DeviceRegistry:
    return DeviceRegistry(HearthConfig.model_validate({"devices": list(devices)}))


def _device(name: str, kind: str, area: str = "kitchen") -> dict[str, Any]:
    return {"name": name, "kind": kind, "protocol": "zigbee2mqtt", "area": area}


HOUSE = (_device("west kitchen lamp", "light"), _device("east hall lamp", "light", "hall"),
         _device("porch light", "light", "porch"), _device("desk fan", "fan", "office"),
         _device("garden lights", "switch", "garden"), _device("lamp two", "light"),
         _device("reading lamp 2", "light", "study"), _device("lamp for me", "light"))


def test_the_device_said_is_the_device_answered() -> None:
    shaped, plain = pair(_registry(*HOUSE))
    first = shaped.match("turn off the east hall lamp")
    second = shaped.match("turn off the porch light")
    assert shaped.shape_hits == 1  # the second came from the first's shape
    assert first is not None and second is not None
    assert (first.intent, second.intent) == ("HassTurnOff", "HassTurnOff")
    assert first.slots["name"] != second.slots["name"]
    assert reading(second) == reading(plain.match("turn off the porch light"))


@pytest.mark.parametrize(("text", "why"), [
    ("turn off the garden lights", "a switch named like a light: two readings as long"),
    ("turn off the reading lamp 2", "a digit in the name"),
    ("turn off the lamp for me", "a skip word inside the name"),
    ("turn off the desk fan and the desk fan", "the name said twice"),
    ("turn off the desk fanatic desk fan", "the name inside a word as well"),
    ("turn off the desk fan, desk-fan", "said again as hassil reads the text"),
    ("turn off the desk fan hearthsa\u0131dname", "the placeholder, as a case-blind regex reads it"),
    (f"turn off the desk fan {PLACEHOLDER}", "the placeholder itself in the text"),
])
def test_no_shape_where_the_reading_could_differ(text: str, why: str) -> None:
    shaped, plain = pair(_registry(*HOUSE))
    generation = shaped._current()
    assert generation.names is not None
    assert generation.names.said(text).shape is None, why
    assert reading(shaped.match(text)) == reading(plain.match(text))


def test_a_name_inside_a_longer_one_gives_the_longer_ones_shape() -> None:
    shaped, _ = pair(_registry(*HOUSE))
    generation = shaped._current()
    assert generation.names is not None
    said = generation.names.said("dim the west kitchen lamp")
    # "lamp" alone is a name too (the word two lamps share), found inside the longer one.
    assert len(said.names.values) >= 2
    assert said.shape is not None
    assert said.shape.text == f"dim the {PLACEHOLDER}"


def test_a_letter_that_folds_longer_does_not_move_the_name() -> None:
    shaped, plain = pair(_registry(*HOUSE))
    generation = shaped._current()
    assert generation.names is not None
    # "ß" folds to "ss": offsets from a folded copy would cut the wrong span.
    said = generation.names.said("Straße: turn off the desk fan")
    assert said.shape is not None
    assert said.shape.text == f"Straße: turn off the {PLACEHOLDER}"
    assert reading(shaped.match("Straße: turn off the desk fan")) == reading(
        plain.match("Straße: turn off the desk fan"))
