"""The household around the devices: areas, floors, local overrides, and the matcher's lists.

Areas and floors come from `[[areas]]`/`[[floors]]` (names and aliases, one canonical name
each) and from devices' own areas (a discovered `suggested_area`, a config `area`). An
`[[device_overrides]]` entry finds a discovered device by any address it has and adds local
aliases, an area, a sensitivity, a device class or an age limit, without redefining it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from agent.config import HearthConfig
from agent.config.home import DeviceOverrideSection, DeviceSection
from agent.devices.discovery.z2m import SENSOR_PROPERTIES
from agent.devices.model import READ_ONLY_KINDS, Device, normalise, slug

log = logging.getLogger(__name__)

# Domains whose devices a plural "<area> <domain>s" names as a group ("kitchen lights").
_GROUP_WORDS = ("lights", "lamps", "switches", "fans", "blinds", "curtains", "covers")
_LIGHT_WORDS = ("light", "lights", "lamp", "lamps")
# Words Home Assistant's own sentences use for "every such device here" ("turn on the light"
# in a satellite's room): never made into a "which one?" name.
_GENERIC_HEADS = frozenset({
    "light", "lights", "fan", "fans", "switch", "switches", "blind", "blinds", "curtain",
    "curtains", "shade", "shades", "shutter", "shutters", "awning", "cover", "covers", "door",
    "doors", "gate", "window", "windows", "lock", "locks", "valve", "thermostat"})


def variants(name: str) -> tuple[str, ...]:
    """The name and its other number: "garden light" <-> "garden lights"."""
    words = name.split(" ")
    last = words[-1]
    if last.endswith("ss") or len(last) < 3:
        return (name,)
    other = last[:-1] if last.endswith("s") else last + "s"
    return (name, " ".join([*words[:-1], other]))


def config_device(index: int, d: DeviceSection, z2m_base: str) -> tuple[Device | None, list[str]]:
    """A `[[devices]]` entry as a Device, or None with the problems naming its fields."""
    where = f"devices[{index}]"
    problems: list[str] = []
    command, state = d.command_topic, d.state_topic
    payloads = {"on": d.payload_on, "off": d.payload_off}
    if d.protocol == "zigbee2mqtt":
        address = d.address or d.name
        command = command or f"{z2m_base}/{address}/set"
        state = state or f"{z2m_base}/{address}"
    elif d.protocol == "tasmota" and d.kind not in READ_ONLY_KINDS:
        if not d.address:
            problems.append(f"{where}.address: the Tasmota topic (e.g. tasmota_1A2B3C) is required")
        else:
            command = command or f"cmnd/{d.address}/POWER"
            state = state or f"stat/{d.address}/POWER"
            payloads["toggle"] = "TOGGLE"
    read_only = d.kind in READ_ONLY_KINDS
    if read_only:
        command = None  # sensors take no commands; they need somewhere to report instead
        if not state:
            problems.append(f"{where}.state_topic: required for a {d.kind}")
    elif d.protocol not in ("zigbee2mqtt", "tasmota") and not command:
        problems.append(f"{where}.command_topic: required for protocol {d.protocol!r}")
    for field, topic in (("command_topic", command), ("state_topic", state)):
        if topic and ("+" in topic or "#" in topic):
            problems.append(f"{where}.{field}: wildcards are not allowed in {topic!r}")
    if problems:
        return None, problems
    return Device(
        id=slug(d.name),
        name=normalise(d.name),
        kind=d.kind,
        protocol=d.protocol,
        source="config",
        aliases=tuple(normalise(a) for a in d.aliases),
        area=normalise(d.area) if d.area else None,
        address=d.address or (d.name if d.protocol == "zigbee2mqtt" else None),
        command_topic=command,
        state_topic=state,
        payloads=payloads,
        state_values={"on": d.payload_on, "off": d.payload_off},
        dimmable=d.kind == "light",
        sensitivity=d.sensitive,
        device_class=d.device_class,
        unit=d.unit,
        max_age=d.max_age,
        value_key=_z2m_property(d) if d.protocol == "zigbee2mqtt" and read_only else None,
        features={"on_when": False} if _z2m_property(d) == "contact" else {},
    ), []


def _z2m_property(d: DeviceSection) -> str | None:
    """The Zigbee2MQTT state property a configured sensor reads, from its class."""
    if d.protocol != "zigbee2mqtt" or d.kind not in READ_ONLY_KINDS:
        return None
    by_class: dict[str, str] = {}
    for prop, (_, cls, _) in SENSOR_PROPERTIES.items():
        by_class.setdefault(cls, prop)
    return by_class.get(d.device_class or "", d.device_class)


class Household:
    """Areas, floors and overrides from the config; applied to every device the registry keeps."""

    def __init__(self, config: HearthConfig) -> None:
        self._area_words: dict[str, str] = {}
        self._floor_words: dict[str, str] = {}
        self._area_floor: dict[str, str] = {}
        for floor in config.floors:
            for word in (floor.name, *floor.aliases):
                self._floor_words[normalise(word)] = normalise(floor.name)
        for area in config.areas:
            canonical = normalise(area.name)
            for word in (area.name, *area.aliases):
                self._area_words[normalise(word)] = canonical
            if area.floor is not None:
                on = self._floor_words.setdefault(normalise(area.floor), normalise(area.floor))
                self._area_floor[canonical] = on
        self.overrides = config.device_overrides
        self._matched: set[int] = set()
        self._unmatched_logged: set[int] = set()

    def area(self, word: str) -> str:
        """The canonical area a word (name or alias) means; the word itself when not configured."""
        key = normalise(word)
        return self._area_words.get(key, key)

    def floor(self, word: str) -> str | None:
        """The canonical floor a word means, or None when it names no floor."""
        return self._floor_words.get(normalise(word))

    def floor_of_area(self, area: str | None) -> str | None:
        """The floor an area is on, if the config says."""
        return self._area_floor.get(self.area(area)) if area else None

    def areas_on(self, floor: str) -> set[str]:
        """Canonical areas on a floor."""
        return {a for a, f in self._area_floor.items() if f == floor}

    def area_words(self) -> dict[str, str]:
        """Every configured area word -> its canonical name."""
        return dict(self._area_words)

    def floor_words(self) -> dict[str, str]:
        """Every floor word -> its canonical name."""
        return dict(self._floor_words)

    # -- overrides --------------------------------------------------------------------

    def _matches(self, override: DeviceOverrideSection, device: Device) -> bool:
        """Whether `override` addresses the physical device `device` is (or is a sensor of)."""
        address = override.address.strip()
        key = slug(address)
        if address in (device.id, device.address) or device.features.get("mac") == address:
            return True
        if key and device.source == "zigbee2mqtt" and (
                device.id == f"z2m_{key}" or device.id.startswith(f"z2m_{key}_")):
            return True
        return device.source == "homeassistant" and bool(key) and device.id.endswith("_" + key)

    def apply(self, device: Device, taken: set[str]) -> Device:
        """`device` with its overrides, canonical area and floor; aliases in `taken` dropped.

        Area, sensitivity, class and age limit apply to every entity of the addressed device
        (its sensors too); aliases only to the device itself, not to each of its sensors.
        """
        for index, override in enumerate(self.overrides):
            if not self._matches(override, device):
                continue
            self._matched.add(index)
            itself = device.value_key is None or override.address == device.id
            aliases = [normalise(a) for a in override.aliases] if itself else []
            kept = tuple(a for a in aliases if a not in taken)
            if len(kept) < len(aliases):
                log.info("device_overrides[%d]: alias already names another device; dropped",
                         index)
            device = replace(
                device, aliases=tuple(dict.fromkeys((*device.aliases, *kept))),
                area=normalise(override.area) if override.area else device.area,
                sensitivity=override.sensitive if override.sensitive is not None
                else device.sensitivity,
                device_class=(override.device_class if itself else None) or device.device_class,
                max_age=override.max_age if override.max_age is not None else device.max_age)
        area = self.area(device.area) if device.area else None
        return replace(device, area=area, floor=self.floor_of_area(area))

    def log_unmatched(self) -> None:
        """Say once (INFO) which overrides matched no device yet: it may appear later."""
        for index, override in enumerate(self.overrides):
            if index not in self._matched and index not in self._unmatched_logged:
                self._unmatched_logged.add(index)
                log.info("device_overrides[%d]: no device with address %r (yet)", index,
                         override.address)


def slot_lists(devices: Iterable[Device], household: Household) -> dict[str, Any]:
    """hassil slot lists: `name`, `area` and `floor` (see PLAN: the matcher's contract).

    `name` values are device ids, or `?<noun>` for a word several devices share ("lamp"),
    with context {domain, device_class}; `area` values are canonical areas, or
    `device:<id>` for a device named like a room ("garden lights" when no area is "garden").
    """
    from hassil.intents import TextSlotList  # hassil costs ~80 ms to import

    devices = list(devices)
    areas = {d.area for d in devices if d.area} | set(household.area_words().values())
    names_taken = {n for d in devices for n in d.spoken_names()}
    area_words = set(household.area_words()) | areas
    names: list[tuple[str, Any, dict[str, Any]]] = []
    heads: dict[str, list[Device]] = {}
    pseudo: list[tuple[str, str]] = []
    for device in devices:
        context: dict[str, Any] = {"domain": device.domain}
        if device.device_class:
            context["device_class"] = device.device_class
        elif device.kind == "garage":
            context["device_class"] = "garage"
        for spoken in device.spoken_names():
            for form in variants(spoken):
                if form != spoken and (form in names_taken or _is_group(form, area_words)):
                    continue
                names.append((form, device.id, context))
                if device.kind == "switch" and form.split(" ")[-1] in _LIGHT_WORDS:
                    names.append((form, device.id, {**context, "domain": "light"}))
        head = device.name.split(" ")[-1]
        if len(device.name.split(" ")) > 1 and device.controllable \
                and head not in _GENERIC_HEADS:
            heads.setdefault(head, []).append(device)
        words = device.name.split(" ")
        if len(words) > 1 and words[-1] in _LIGHT_WORDS:
            room = " ".join(words[:-1])
            if room not in area_words and room not in names_taken:
                pseudo.append((room, f"device:{device.id}"))
    for head, group in heads.items():
        if len(group) >= 2 and head not in names_taken and head not in area_words:
            domains = {d.domain for d in group}
            context = {"domain": domains.pop()} if len(domains) == 1 else {}
            names.append((head, f"?{head}", context))
    area_pairs = [(w, c) for w, c in household.area_words().items()]
    area_pairs += [(a, a) for a in sorted(areas) if a not in household.area_words()]
    return {
        "name": TextSlotList.from_tuples(names, allow_template=False),
        "area": TextSlotList.from_tuples(area_pairs + pseudo, allow_template=False),
        "floor": TextSlotList.from_tuples(list(household.floor_words().items()),
                                          allow_template=False),
    }


def _is_group(form: str, area_words: set[str]) -> bool:
    words = form.split(" ")
    return len(words) > 1 and words[-1] in _GROUP_WORDS and " ".join(words[:-1]) in area_words
