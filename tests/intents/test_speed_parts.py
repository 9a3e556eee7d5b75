"""The speed-ups (names said, gates, sentence shapes) change no result, and more intents cost no more
per request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.devices import DeviceRegistry
from agent.intents import IntentMatcher
from agent.intents.gates import FAMILIES, INTENT_FAMILY, closed
from agent.plugins import Reply, Skill, SkillDeclaration, SkillSet, discover
from tests.intents.corpus.expected import cases
from tests.intents.corpus.fixtures import config as corpus_config
from tests.intents.corpus.fixtures import fixtures
from tests.support.skill_points import points

HOME = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition", "HassGetState",
        "HassClimateGetTemperature", "HassClimateSetTemperature", "HassFanSetSpeed")
OTHERS = ("HassStartTimer", "HassCancelTimer", "HassCancelAllTimers", "HassIncreaseTimer",
          "HassDecreaseTimer", "HassPauseTimer", "HassUnpauseTimer", "HassTimerStatus",
          "HassGetCurrentTime", "HassGetCurrentDate", "HassNevermind",
          "HassShoppingListAddItem", "HassShoppingListCompleteItem")


async def _noop(ctx: object, event: object) -> Reply:
    return Reply("")


def skills(home: tuple[str, ...], others: tuple[str, ...] = ()) -> SkillSet:
    found = [Skill(SkillDeclaration(name="home", description="h", tier="none",
                                    ha_intents=home), _noop)]
    if others:
        found.append(Skill(SkillDeclaration(name="timers", description="t", tier="none",
                                            ha_intents=others), _noop))
    return discover(HearthConfig.model_validate({}), entry_points=points(*found))


def reading(found: Any) -> Any:
    return None if found is None else (found.intent, dict(found.slots))


def test_every_gated_corpus_sentence_carries_a_gate_word() -> None:
    missing = [(c.intent, c.sentence) for c in cases()
               if c.intent in INTENT_FAMILY
               and INTENT_FAMILY[c.intent] in closed(c.sentence, FAMILIES)]
    assert missing == []


# Every corpus sentence twice through the unfiltered reference matcher: about a minute on a
# quiet 2-core machine, more when it is busy. A correctness check, so it may take its time.
@pytest.mark.slow
@pytest.mark.timeout(400)
def test_names_said_and_gates_lose_no_corpus_sentence(tmp_path: Path) -> None:
    registry = DeviceRegistry(corpus_config(fixtures(), tmp_path))
    every = skills(HOME, OTHERS)
    fast = IntentMatcher(every, slot_lists=registry.slot_lists, cache_size=0)
    reference = IntentMatcher(every, slot_lists=registry.slot_lists, cache_size=0,
                              filter_names=False)
    differ = []
    for case in cases():
        if case.house.entities is not fixtures().entities and case.source.count("/"):
            continue  # per-intent files have their own entities; the shared ones suffice
        for area in (None, case.area):
            got, want = fast.match(case.sentence, area=area), reference.match(case.sentence,
                                                                              area=area)
            if reading(got) != reading(want):
                differ.append((case.sentence, area, reading(got), reading(want)))
    assert differ == []


# The cost of a bigger vocabulary per request (all intents against four) is measured by
# bench/latency.py (`match_cost`), not here: a timing assertion fails on a busy machine.
