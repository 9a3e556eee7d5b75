"""Gates: a family of intents is tried only when a word it cannot do without is present.

Timer, time, list and climate sentences always carry one of a few words ("timer",
"remind", "time", "list", "temperature", "degrees"...); trying their hundreds of templates
on "turn off the hall light" only costs time. Device and state intents have no gate. A test
checks that every corpus and household sentence of a gated intent carries a gate word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FAMILIES: Mapping[str, frozenset[str]] = {
    "timers": frozenset({"timer", "timers", "remind", "reminder", "reminders", "second",
                         "seconds", "minute", "minutes", "hour", "hours"}),
    "time": frozenset({"time", "date", "day", "today", "clock"}),
    "lists": frozenset({"list", "lists"}),
    "climate": frozenset({"temperature", "temp", "degrees", "degree", "warm", "hot",
                          "cold", "heat", "heating", "thermostat", "°", "celsius",
                          "fahrenheit"}),
}
INTENT_FAMILY: Mapping[str, str] = {
    **dict.fromkeys(("HassStartTimer", "HassCancelTimer", "HassCancelAllTimers",
                     "HassIncreaseTimer", "HassDecreaseTimer", "HassPauseTimer",
                     "HassUnpauseTimer", "HassTimerStatus"), "timers"),
    "HassGetCurrentTime": "time", "HassGetCurrentDate": "time",
    "HassShoppingListAddItem": "lists", "HassShoppingListCompleteItem": "lists",
    "HassListAddItem": "lists", "HassListCompleteItem": "lists",
    "HassClimateGetTemperature": "climate", "HassClimateSetTemperature": "climate",
}
_WORDS = re.compile(r"[\w']+|°")


def closed(text: str, families: Iterable[str]) -> frozenset[str]:
    """The `families` whose gate words `text` lacks (their intents are not tried)."""
    words = set(_WORDS.findall(text.casefold()))
    return frozenset(f for f in families if not words & FAMILIES[f])


def family_of(intent: str) -> str | None:
    """The gated family of `intent`, or None (always tried)."""
    return INTENT_FAMILY.get(intent)
