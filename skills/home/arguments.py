"""Matched intents to `set_device_state` arguments or to state questions.

Slot names every home intent may carry (the Home Assistant ones and hearth's own
`Hearth*` templates in skills/home/sentences.py): `name` (a device id, `?noun` for a word
several devices share, or a spoken name), `area` (canonical area or `device:<id>`),
`floor`, `domain`, `device_class`, `state`, `brightness`, `position`, `temperature`,
`percentage`, `measure`, `scope` ("everything", from custom sentences).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from agent.devices.queries import StateQuestion

# The Home Assistant intents this skill carries out (HassToggle is not in the English data).
HA_INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition", "HassGetState",
              "HassClimateGetTemperature", "HassClimateSetTemperature", "HassFanSetSpeed")
# Hearth's own device intents (templates: skills/home/sentences.py).
HEARTH_INTENTS = ("HearthLightUp", "HearthLightDown", "HearthStop", "HearthStopClass",
                  "HearthEverythingOff", "HearthEverythingOn", "HearthAnyState",
                  "HearthSensorGet", "HearthClimateGetTarget", "HearthUnknownArea",
                  "HearthUnknownName")
QUESTION_INTENTS = frozenset({"HassGetState", "HassClimateGetTemperature", "HearthAnyState",
                              "HearthSensorGet", "HearthClimateGetTarget"})

_INTENT_STATE = {"HassTurnOn": "on", "HassTurnOff": "off", "HearthEverythingOn": "on",
                 "HearthEverythingOff": "off"}
_UNSUPPORTED_LIGHT_SLOTS = ("color", "temperature")
_WHERE = ("area", "floor", "domain", "device_class", "scope")


def value(slot: Any) -> Any:
    """A slot's value: matchers hand slots as bare values or as {"value": ..., "text": ...}."""
    return slot.get("value") if isinstance(slot, Mapping) else slot


def _where(values: Mapping[str, Any]) -> dict[str, Any]:
    if values.get("name") is not None:
        name = str(values["name"])
        # A word several devices share ("?lamp") is narrowed by the place said with it.
        places = ("area", "floor") if name.startswith("?") else ()
        return {"device": name, **{k: str(values[k]) for k in places if values.get(k)}}
    return {key: str(values[key]) for key in _WHERE if values.get(key) is not None}


def _change(intent: str, values: Mapping[str, Any], step: int) -> dict[str, Any]:  # noqa: PLR0911 - one per intent
    """What the intent wants done, and the domain it implies for a wide request."""
    if intent in _INTENT_STATE:
        return {"state": _INTENT_STATE[intent]}
    if intent == "HassLightSet":
        if values.get("brightness") is None:
            unsupported = [s for s in _UNSUPPORTED_LIGHT_SLOTS if s in values]
            raise ValueError(f"setting a light's {', '.join(unsupported) or 'colour'} is not "
                             "supported yet")
        return {"brightness": values["brightness"]}
    if intent == "HassSetPosition":
        return {"position": values.get("position")}
    if intent == "HassFanSetSpeed":
        return {"percentage": values.get("percentage"), "domain": "fan"}
    if intent == "HassClimateSetTemperature":
        return {"temperature": values.get("temperature"), "domain": "climate"}
    if intent in ("HearthLightUp", "HearthLightDown"):
        return {"step": step if intent == "HearthLightUp" else -step, "domain": "light"}
    if intent in ("HearthStop", "HearthStopClass"):
        return {"stop": True}
    raise ValueError(f"intent {intent} is not handled by home")


def intent_arguments(intent: str, slots: Mapping[str, Any], *,
                     step: int = 25, speaker_area: str | None = None) -> dict[str, Any]:
    """Tool arguments for a matched command intent; ValueError for what home does not do."""
    values = {k: value(v) for k, v in slots.items()}
    args = _where(values)
    change = _change(intent, values, step)
    implied = change.pop("domain", None)
    args.update(change)
    if intent.startswith("HearthEverything"):
        args["scope"] = "everything"
    if "device" not in args:
        if implied is not None and "device_class" not in args:
            args.setdefault("domain", implied)
        if not {"area", "floor", "device_class", "scope"} & set(args):
            if "domain" not in args:
                raise ValueError("Say which device, room or floor.")
            # "turn off all the lights": Home Assistant's domain-wide sentences name no place.
            args["everywhere"] = True
    if speaker_area is not None:
        args["speaker_area"] = speaker_area
    return args


HERE_WORDS = ("here", "this room")


def unknown_answer(intent: str, said: str) -> str:
    """"I don't know a room called cellar." for a catch-all match on `said`."""
    if intent == "HearthUnknownArea" and said.lower() in HERE_WORDS:
        return "I don't know which room you are in. Say the room, like: in the kitchen."
    if intent == "HearthUnknownArea":
        return f"I don't know a room called {said}."
    return f"I don't know a device called {said}."


def _response(text: str) -> str:
    words = re.sub(r"[^a-z ]", " ", text.lower()).split()
    joined = " ".join(words)
    if joined.startswith(("which", "what lights", "what doors", "what windows")):
        return "which"
    if joined.startswith("how many"):
        return "how_many"
    if re.match(r"^(are|is) (all|every)", joined):
        return "all"
    if re.match(r"^(are|is) (any|anything|there any)", joined) or "anything" in words:
        return "any"
    return "one"


def question(intent: str, slots: Mapping[str, Any], text: str,
             speaker_area: str | None) -> StateQuestion:
    """The state question a matched question intent asks."""
    values = {k: value(v) for k, v in slots.items()}

    def text_of(key: str) -> str | None:
        found = values.get(key)
        return None if found is None else str(found)

    kind: Any = {"HassClimateGetTemperature": "temperature", "HearthSensorGet": "sensor",
                 "HearthClimateGetTarget": "target"}.get(intent, "state")
    response: Any = "any" if intent == "HearthAnyState" else _response(text)
    if text_of("name") is not None:
        response = "one"
    measure = text_of("measure") or ("temperature" if kind == "temperature" else None)
    return StateQuestion(kind=kind, name=text_of("name"), area=text_of("area"),
                         floor=text_of("floor"), domain=text_of("domain"),
                         device_class=text_of("device_class"), state=text_of("state"),
                         response=response, measure=measure, speaker_area=speaker_area)
