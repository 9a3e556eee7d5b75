"""Home Assistant's English test fixtures as a hearth household.

Entities become Zigbee2MQTT `[[devices]]` (address: the entity id, so brightness and
position work as in a real house), kinds from the entity id's domain; areas and floors
become `[[areas]]`/`[[floors]]` when this hearth's config has those sections (older configs
take the area name only). Fields a config does not know yet (device_class, unit) are left
out, so the corpus runs on every branch and grows with the config.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent.config import HearthConfig
from agent.config.home import DeviceKind, DeviceSection
from agent.devices.model import KIND_DOMAIN

CORPUS = Path(__file__).parent / "ha_en"
KINDS = frozenset(typing.get_args(DeviceKind))
# Domains hearth has no device for: media, people, scripts, weather, todo lists, vacuums.
_SKIPPED_DOMAINS = frozenset({"media_player", "person", "script", "weather", "todo", "vacuum"})
_GARAGE_CLASSES = frozenset({"garage", "gate", "door"})


@dataclass(frozen=True)
class Entity:
    """One fixture entity: name, domain, area name, class, state."""

    entity_id: str
    name: str
    domain: str
    area: str | None = None
    device_class: str | None = None
    state: Any = None
    unit: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """How results are compared: the name, lowered (hearth ids differ from HA's)."""
        return self.name.lower()


@dataclass
class Household:
    """Entities, areas (name -> floor name) and floors of one fixture file."""

    entities: list[Entity] = field(default_factory=list)
    areas: dict[str, str | None] = field(default_factory=dict)
    floors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def on_floor(self, floor: str) -> set[str]:
        """Area names on `floor` (compared lowered)."""
        return {a.lower() for a, f in self.areas.items() if f and f.lower() == floor.lower()}


def load_household(data: Mapping[str, Any]) -> Household:
    """A fixture document (`_fixtures.yaml` or a per-intent file's inline part)."""
    floors = {f.get("id", f["name"]): f["name"] for f in data.get("floors") or []}
    area_names = {}
    house = Household(floors={f["name"]: tuple(f.get("aliases") or ()) for f in
                              data.get("floors") or []})
    for area in data.get("areas") or []:
        area_names[area.get("id", area["name"])] = area["name"]
        house.areas[area["name"]] = floors.get(area.get("floor"))
    for n, raw in enumerate(data.get("entities") or []):
        entity_id = raw.get("id") or f"{raw['domain']}.entity_{n}"
        attrs = raw.get("attributes") or {}
        state = raw.get("state")
        if isinstance(state, Mapping):
            state = state.get("in")
        house.entities.append(Entity(
            entity_id=entity_id, name=raw["name"], domain=entity_id.split(".")[0],
            area=area_names.get(raw.get("area"), raw.get("area")),
            device_class=attrs.get("device_class"), state=state,
            unit=attrs.get("unit_of_measurement"), aliases=tuple(raw.get("aliases") or ())))
    return house


def fixtures() -> Household:
    """The shared fixtures every `tests/en/<domain>_<intent>.yaml` file is run against."""
    return load_household(yaml.safe_load((CORPUS / "_fixtures.yaml").read_text()))


def kind_of(entity: Entity) -> str | None:
    """The hearth device kind for a fixture entity, or None when hearth has none."""
    if entity.domain in _SKIPPED_DOMAINS:
        return None
    if entity.domain == "cover" and entity.device_class in _GARAGE_CLASSES:
        return "garage"
    if entity.domain == "alarm_control_panel":
        return "alarm"
    # A kind the config accepts but the registry has no domain for yet would be read as a
    # switch: such entities become plain sensors (not controllable) instead.
    if entity.domain in KINDS and (entity.domain in KIND_DOMAIN or entity.domain == "sensor"):
        return entity.domain
    if entity.domain == "binary_sensor":
        return "sensor"
    return None


def devices(house: Household) -> list[dict[str, Any]]:
    """`[[devices]]` entries for the entities hearth can hold."""
    known = DeviceSection.model_fields
    out = []
    seen: set[str] = set()
    for entity in house.entities:
        kind = kind_of(entity)
        # Several binary sensors share a name ("Phone" per class); hearth names are unique.
        if kind is None or entity.key in seen:
            continue
        seen.add(entity.key)
        device: dict[str, Any] = {
            "name": entity.name, "kind": kind, "protocol": "zigbee2mqtt",
            "address": entity.entity_id, "aliases": list(entity.aliases)}
        if entity.area is not None:
            device["area"] = entity.area
        for extra in ("device_class", "unit"):
            if extra in known and getattr(entity, extra) is not None:
                device[extra] = getattr(entity, extra)
        out.append(device)
    return out


def config(house: Household, state_dir: Path) -> HearthConfig:
    """The test config: the fixture devices, and areas/floors where the config has them."""
    data: dict[str, Any] = {"hearth": {"state_dir": str(state_dir), "log_level": "WARNING"},
                            "devices": devices(house)}
    fields = HearthConfig.model_fields
    if "floors" in fields and house.floors:
        data["floors"] = [{"name": n, "aliases": list(a)} for n, a in house.floors.items()]
    if "areas" in fields and house.areas:
        data["areas"] = [{"name": n, **({"floor": f} if f else {})}
                         for n, f in house.areas.items()]
    return HearthConfig.model_validate(data)


def state_messages(house: Household) -> Iterable[tuple[str, bytes]]:
    """The fixtures' states as the messages a device would publish on its state topic."""
    for entity in house.entities:
        if kind_of(entity) is None or entity.state is None:
            continue
        state = str(entity.state)
        payload = {"on": "ON", "off": "OFF"}.get(state, state)
        yield f"zigbee2mqtt/{entity.entity_id}", json.dumps({"state": payload}).encode()
