"""Which devices a request means: one by name, a room, a floor or the whole house.

Scope rules (issue 16): a name resolves to exactly one device (a word several devices share,
like "lamp", asks which, unless the speaker's room has exactly one); a room, floor or the
house never sweeps in a sensitive device (it is left out and named, to be asked for by name);
a device class matches only devices of exactly that class ("close the blinds" never moves a
curtain or a cover of unknown class).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from agent.devices.model import Device, normalise
from agent.devices.places import variants
from agent.devices.registry import DeviceRegistry
from agent.errors import DeviceError

# What "turn off everything" switches: never covers, locks, valves, heating.
EVERYTHING_DOMAINS = frozenset({"light", "switch", "fan"})


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a request points; exactly one of device, area, floor or house is meant."""

    device: str | None = None
    area: str | None = None
    floor: str | None = None
    house: bool = False
    domain: str | None = None
    device_class: str | None = None
    everything: bool = False
    speaker_area: str | None = None


@dataclass(frozen=True, slots=True)
class Targets:
    """The devices to command, and the sensitive ones a wide request left out."""

    devices: tuple[Device, ...]
    left_out: tuple[Device, ...] = ()
    by_name: bool = True


def _list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def by_name(registry: DeviceRegistry, name: str, speaker_area: str | None) -> Device:
    """One device for a spoken name (or `?noun`, `device:<id>`); DeviceError naming choices."""
    if name.startswith("device:"):
        found = registry.get(name.removeprefix("device:"))
        if found is not None:
            return found
    if name.startswith("?"):
        return _one_of(registry, name[1:], speaker_area)
    for form in variants(normalise(name)):
        found = registry.resolve(form)
        if found is not None:
            return found
    head = normalise(name).split(" ")[-1]
    if sum(1 for d in registry.devices() if d.name.split(" ")[-1] == head) >= 2 \
            and normalise(name) == head:
        return _one_of(registry, head, speaker_area)
    names = sorted({n for d in registry.devices() for n in d.spoken_names()})
    close = difflib.get_close_matches(normalise(name), names, n=3, cutoff=0.6)
    hint = f" Did you mean {_list(close)}?" if close else ""
    raise DeviceError(f"I don't know a device called {normalise(name)}.{hint}")


def _one_of(registry: DeviceRegistry, noun: str, speaker_area: str | None) -> Device:
    group = [d for d in registry.devices() if d.name.split(" ")[-1] == noun]
    if speaker_area is not None:
        here = [d for d in group if d.area == registry.household.area(speaker_area)]
        if len(here) == 1:
            return here[0]
    if len(group) == 1:
        return group[0]
    names = sorted(d.name for d in group)
    if not names:
        raise DeviceError(f"I don't know a device called {noun}.")
    raise DeviceError(f"Which {noun}: {_list(names)}?")


def _known_area(registry: DeviceRegistry, area: str) -> str:
    canonical = registry.household.area(area)
    areas = registry.areas()
    if canonical not in areas:
        raise DeviceError(f"I don't know a room called {normalise(area)}. "
                          f"Rooms: {', '.join(areas) or 'none yet'}.")
    return canonical


def _wide(registry: DeviceRegistry, scope: Scope) -> list[Device]:
    if scope.area is not None:
        area = _known_area(registry, scope.area)
        return [d for d in registry.devices() if d.area == area]
    if scope.floor is not None:
        floor = registry.household.floor(scope.floor)
        if floor is None:
            floors = sorted(set(registry.household.floor_words().values()))
            raise DeviceError(f"I don't know a floor called {normalise(scope.floor)}. "
                              f"Floors: {', '.join(floors) or 'none configured'}.")
        return [d for d in registry.devices() if d.floor == floor]
    return registry.devices()


def resolve(registry: DeviceRegistry, scope: Scope) -> Targets:
    """The devices `scope` means; DeviceError with a short answer when none or unclear."""
    if scope.device is not None:
        if scope.device.startswith("?") and (scope.area or scope.floor):
            # "the lamp on the first floor": the one lamp there, else ask among all of them.
            noun = scope.device[1:]
            there = [d for d in _wide(registry, Scope(area=scope.area, floor=scope.floor))
                     if d.name.split(" ")[-1] == noun]
            if len(there) == 1:
                return Targets((there[0],))
        return Targets((by_name(registry, scope.device, scope.speaker_area),))
    if scope.area is not None and scope.area.startswith("device:"):
        return Targets((by_name(registry, scope.area, None),))
    found = [d for d in _wide(registry, scope) if d.controllable and d.kind != "scene"]
    if scope.everything:
        found = [d for d in found if d.domain in EVERYTHING_DOMAINS]
    if scope.domain is not None:
        found = [d for d in found if d.domain == scope.domain]
    elif scope.device_class is None:
        # "turn off the kitchen": what switches, not the heating.
        found = [d for d in found if d.kind != "climate"]
    if scope.device_class is not None:
        found = [d for d in found if d.device_class == scope.device_class
                 or (scope.device_class == "garage" and d.kind == "garage")]
    if scope.area is None and scope.floor is None and scope.device_class is None \
            and scope.domain is None and not scope.everything and not scope.house:
        raise DeviceError("Say which device, room or floor.")
    safe = tuple(d for d in found if not d.sensitive)
    held = tuple(d for d in found if d.sensitive)
    if not safe and len(held) == 1 and scope.device_class is not None:
        # "open the garage door": the one device of that class, held for confirmation.
        return Targets(held)
    if not safe:
        what = scope.device_class or scope.domain or "device"
        where = (f" in the {normalise(scope.area)}" if scope.area else
                 f" on the {normalise(scope.floor)}" if scope.floor else "")
        if held:
            raise DeviceError(f"No {what}s{where} I may switch together; "
                              f"left out: {', '.join(d.name for d in held)}, ask by name.")
        raise DeviceError(f"There are no {what}s{where}.")
    return Targets(safe, held, by_name=False)
