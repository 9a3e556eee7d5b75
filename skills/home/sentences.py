"""The home skill's sentences: home-assistant-intents filtered to `HA_INTENTS`.

The core's intent matcher (agent/intents.py) does this for every skill; this module is the
home skill's own reference of it, used by its tests and by bench/latency.py to measure the
tier-`none` path without the rest of the daemon.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skills.home.handler import HA_INTENTS


def load_intents(language: str = "en") -> Any:
    """hassil `Intents` holding only the intents the home skill handles."""
    from hassil import Intents, filter_intents
    from home_assistant_intents import get_intents

    data = get_intents(language)
    if data is None:
        raise ValueError(f"home-assistant-intents has no language {language!r}")
    return filter_intents(Intents.from_dict(data), intent_names=set(HA_INTENTS))


def match(text: str, intents: Any,
          slot_lists: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(intent name, slot values) for `text`, or None; a device name beats an area reading."""
    from hassil import recognize_best

    result = recognize_best(text, intents, slot_lists=dict(slot_lists), best_slot_name="name")
    if result is None:
        return None
    return result.intent.name, {name: e.value for name, e in result.entities.items()}
