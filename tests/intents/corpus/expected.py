"""The corpus cases and a small reference resolver: expected slots -> what should happen.

Home Assistant's tests name the intent and its slots; hearth answers with actions (device
name, desired state). This module turns the slots into the set of fixture entities a right
answer acts on (or asks about) and the desired state, so results are compared by *action*:
a different slot reading that does the same thing is right, a plausible reading that moves
another device is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.intents.corpus.fixtures import CORPUS, Household, fixtures, kind_of, load_household

# Intents whose answer is a device command: the desired state they ask for.
DEVICE_INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition",
                  "HassClimateSetTemperature", "HassFanSetSpeed")


@dataclass(frozen=True)
class Case:
    """One sentence with what Home Assistant's test expects of it."""

    sentence: str
    intent: str
    slots: Mapping[str, Any]
    area: str | None  # the satellite's area (the test's intent context)
    source: str  # file name under ha_en/
    house: Household


def _plain(slots: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.get("value") if isinstance(v, Mapping) else v) for k, v in slots.items()}


def _cases_of(path: Path, default: Household) -> Iterator[Case]:
    doc = yaml.safe_load(path.read_text())
    per_intent = path.parent != CORPUS
    house = load_household(doc) if per_intent else default
    for test in doc.get("tests") or []:
        if per_intent:
            intent, slots, context = path.parent.name, test.get("slots") or {}, {}
        else:
            spec = test["intent"]
            intent, slots, context = spec["name"], spec.get("slots") or {}, spec.get("context") or {}
        area = context.get("area")
        merged = {**{k: v for k, v in context.items() if k != "area"}, **_plain(slots)}
        for sentence in test["sentences"]:
            yield Case(str(sentence), intent, merged, area, str(path.relative_to(CORPUS)), house)


def cases() -> list[Case]:
    """Every sentence of the copied files, in file order."""
    default = fixtures()
    found: list[Case] = []
    for path in sorted(CORPUS.rglob("*.yaml")):
        if path.name != "_fixtures.yaml":
            found.extend(_cases_of(path, default))
    return found


def _as_set(value: Any) -> set[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list | tuple) else [value]
    return {str(v).lower() for v in items}


def targets(case: Case) -> set[str]:
    """Lowered names of the entities a right answer acts on or reports."""
    slots, house = case.slots, case.house
    held = [e for e in house.entities if kind_of(e) is not None]
    name = slots.get("name")
    if name is not None and str(name).lower() != "all":
        wanted = {str(name).lower()}
        return {e.key for e in held if e.key in wanted or wanted & {a.lower() for a in e.aliases}}
    domains, classes = _as_set(slots.get("domain")), _as_set(slots.get("device_class"))
    if domains is None and case.intent == "HassLightSet":
        domains = {"light"}  # Home Assistant's handler sets lights only
    areas = _as_set(slots.get("area"))
    if slots.get("floor") is not None:
        areas = house.on_floor(str(slots["floor"]))
    found = set()
    for entity in held:
        if domains is not None and entity.domain not in domains:
            continue
        if classes is not None and (entity.device_class or "") not in classes:
            continue
        if areas is not None and (entity.area or "").lower() not in areas:
            continue
        found.add(entity.key)
    return found


# Intent -> (slot, desired key, type) of the value a device intent sets.
_VALUE_SLOTS: dict[str, tuple[str, str, type]] = {
    "HassLightSet": ("brightness", "brightness", int),
    "HassSetPosition": ("position", "position", int),
    "HassClimateSetTemperature": ("temperature", "temperature", float),
    "HassFanSetSpeed": ("percentage", "percentage", int),
}


def desired(case: Case) -> dict[str, Any]:
    """The desired state a device intent asks of every target (compared key by key)."""
    if case.intent in ("HassTurnOn", "HassTurnOff"):
        return {"state": "on" if case.intent == "HassTurnOn" else "off"}
    spec = _VALUE_SLOTS.get(case.intent)
    if spec is None or case.slots.get(spec[0]) is None:
        return {}
    slot, key, cast = spec
    return {key: cast(case.slots[slot])}
