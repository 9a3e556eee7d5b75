"""State questions answered from what devices reported, with no model.

"is the garage door open", "which lights are on in the kitchen", "is anything unlocked",
"what is the temperature in the bedroom": `answer` reads `DeviceRegistry.reading`, so a
reading that never came, is from an offline device or is older than its age limit is said
to be unknown ("I don't know: the hall sensor has not reported for 3 hours"), never guessed.
Read-only: nothing here can command a device.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from agent.devices.model import Device
from agent.devices.targets import by_name
from agent.errors import DeviceError

if TYPE_CHECKING:
    from agent.devices.registry import DeviceRegistry

Kind = Literal["state", "temperature", "target", "sensor"]
Response = Literal["one", "any", "all", "which", "how_many"]

# Measures a person asks for -> the sensor device class that reports them.
MEASURES = {
    "temperature": "temperature", "humidity": "humidity", "power": "power",
    "energy": "energy", "pressure": "pressure", "illuminance": "illuminance",
    "light level": "illuminance", "co2": "carbon_dioxide", "carbon dioxide": "carbon_dioxide",
    "battery": "battery", "voltage": "voltage", "current": "current",
}
_UNITS = {"°C": "degrees", "°F": "degrees", "%": "percent", "W": "watts",
          "kWh": "kilowatt hours", "V": "volts", "A": "amps", "hPa": "hectopascals",
          "lx": "lux", "ppm": "parts per million"}
# Words for "on"/"off" per binary sensor class and per kind.
_CLASS_WORDS = {
    "door": ("open", "closed"), "window": ("open", "closed"), "opening": ("open", "closed"),
    "garage_door": ("open", "closed"), "motion": ("detected", "clear"),
    "occupancy": ("detected", "clear"), "presence": ("detected", "clear"),
    "moisture": ("wet", "dry"), "smoke": ("detected", "clear"), "tamper": ("tampered", "ok"),
    "battery": ("low", "normal"), "battery_charging": ("charging", "not charging"),
    "carbon_monoxide": ("detected", "clear"), "gas": ("detected", "clear"),
    "cold": ("cold", "normal"), "heat": ("hot", "normal"), "light": ("detecting light", "dark"),
    "connectivity": ("connected", "disconnected"), "lock": ("unlocked", "locked"),
    "plug": ("plugged in", "unplugged"), "power": ("powered", "not powered"),
    "problem": ("reporting a problem", "ok"),
    "running": ("running", "not running"), "safety": ("unsafe", "safe"),
    "sound": ("detected", "clear"), "update": ("out of date", "up to date"),
    "vibration": ("vibrating", "still"),
}
_KIND_WORDS = {"lock": ("locked", "unlocked"), "cover": ("open", "closed"),
               "garage": ("open", "closed"), "valve": ("open", "closed")}
# Asked-for state words -> the reported "on"/"off".
_WANTED = {"on": "on", "off": "off", "open": "on", "closed": "off", "locked": "on",
           "unlocked": "off", "detected": "on", "clear": "off", "occupied": "on",
           "empty": "off", "unoccupied": "off", "triggered": "on", "shut": "off",
           "wet": "on", "dry": "off"}


@dataclass(frozen=True, slots=True)
class StateQuestion:
    """One question: about a named device, or every matching device in an area/floor/house."""

    kind: Kind = "state"
    name: str | None = None
    area: str | None = None
    floor: str | None = None
    domain: str | None = None
    device_class: str | None = None
    state: str | None = None          # the asked-for state ("open", "on", "unlocked", ...)
    response: Response = "one"
    measure: str | None = None        # for kind "sensor": temperature, humidity, ...
    speaker_area: str | None = None


@dataclass(frozen=True, slots=True)
class StateAnswer:
    """A spoken answer and which devices it was about (and which were unknown)."""

    text: str
    devices: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    ok: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The reply data: `{"ok", "op": "state", "devices", "unknown"}`."""
        return {"ok": self.ok, "op": "state", "devices": list(self.devices),
                "unknown": list(self.unknown)}


def state_word(device: Device, value: Any) -> str:
    """How a reported value is said: "open", "locked", "21.5 degrees", "on"."""
    if value in ("on", "off"):
        words = _CLASS_WORDS.get(device.device_class or "") if device.kind == "binary_sensor" \
            else _KIND_WORDS.get(device.kind)
        on, off = words or ("on", "off")
        return on if value == "on" else off
    return spoken_value(value, device.unit)


def spoken_value(value: Any, unit: str | None) -> str:
    """`21.5 degrees`, `48 percent`, `380 watts`."""
    if isinstance(value, float):
        value = round(value, 1)
        text = f"{value:g}"
    else:
        text = str(value)
    said = _UNITS.get(unit or "", unit or "")
    return f"{text} {said}".strip()


def _the(device: Device) -> str:
    return f"the {device.name}"


def _list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def answer(registry: DeviceRegistry, question: StateQuestion) -> StateAnswer:
    """Answer `question` from reported states; never a guess."""
    try:
        if question.kind in ("temperature", "sensor"):
            return _measure(registry, question)
        if question.name is not None:
            device = by_name(registry, question.name, question.speaker_area)
            return _one(registry, device, question)
        if question.kind == "target":
            return _target(registry, question)
        return _many(registry, question)
    except DeviceError as exc:
        return StateAnswer(str(exc), ok=False)


def _unknown(registry: DeviceRegistry, device: Device) -> str:
    return f"the {device.name} {registry.reading(device.id).why}"


def _one(registry: DeviceRegistry, device: Device, q: StateQuestion) -> StateAnswer:
    reading = registry.reading(device.id)
    if q.kind == "target":
        values = registry.state(device.id)
        target = values.values.get("target") if values else None
        if not reading.fresh or target is None:
            return StateAnswer(f"I don't know: {_unknown(registry, device)}.", (),
                               (device.id,))
        return StateAnswer(f"The {device.name} is set to {spoken_value(target, device.unit)}.",
                           (device.id,))
    if not reading.fresh:
        return StateAnswer(f"I don't know: the {device.name} {reading.why}.", (), (device.id,))
    said = state_word(device, reading.value)
    if q.state is None:
        return StateAnswer(f"The {device.name} is {said}.", (device.id,))
    wanted = _WANTED.get(q.state)
    if wanted is None:
        return StateAnswer(f"I can't tell whether the {device.name} is {q.state}; it is {said}.",
                           (device.id,))
    yes = reading.value == wanted
    return StateAnswer(f"{'Yes' if yes else 'No'}, the {device.name} is {said}.", (device.id,))


def _place(registry: DeviceRegistry, area: str | None, floor: str | None) -> list[Device]:
    """Every device in an area, on a floor, or in the house; DeviceError for unknown places."""
    if area is not None:
        canonical = registry.household.area(area)
        if canonical not in registry.areas():
            raise DeviceError(f"I don't know a room called {canonical}. "
                              f"Rooms: {', '.join(registry.areas()) or 'none yet'}.")
        return [d for d in registry.devices() if d.area == canonical]
    if floor is not None:
        canonical_floor = registry.household.floor(floor)
        if canonical_floor is None:
            raise DeviceError(f"I don't know a floor called {floor}.")
        return [d for d in registry.devices() if d.floor == canonical_floor]
    return registry.devices()


def _target(registry: DeviceRegistry, q: StateQuestion) -> StateAnswer:
    area = q.area or (q.speaker_area if q.floor is None else None)
    found = [d for d in _place(registry, area, q.floor) if d.kind == "climate"]
    if len(found) == 1:
        return _one(registry, found[0], q)
    if not found:
        return StateAnswer("There is no thermostat there." if area or q.floor
                           else "There is no thermostat.", ok=False)
    return StateAnswer(f"Which thermostat: {_list(sorted(d.name for d in found))}?", ok=False)


def _scope(registry: DeviceRegistry, q: StateQuestion) -> list[Device]:
    found = _place(registry, q.area, q.floor)
    if q.device_class is not None:
        # "are any batteries low" asks the battery binary sensors, not battery level sensors.
        return [d for d in found if (d.device_class == q.device_class
                                     or (q.device_class == "garage" and d.kind == "garage"))
                and (q.domain is None or d.domain == q.domain)]
    if q.domain is not None:
        return [d for d in found if d.domain == q.domain]
    return [d for d in found if d.kind not in ("sensor", "scene")]


def _many(registry: DeviceRegistry, q: StateQuestion) -> StateAnswer:
    devices = _scope(registry, q)
    wanted = _WANTED.get(q.state or "on")
    what = q.device_class or q.domain or "device"
    if not devices:
        return StateAnswer(f"There are no {what}s there.", ok=False)
    known = [d for d in devices if registry.reading(d.id).fresh]
    unknown = [d for d in devices if d not in known]
    hits = [d for d in known if registry.reading(d.id).value == wanted]
    said = q.state or "on"
    words = _CLASS_WORDS.get(q.device_class or "") if q.domain == "binary_sensor" else None
    if words is not None and said in ("on", "off"):
        said = words[0] if said == "on" else words[1]  # "which batteries are low"
    tail = f" I don't know about {_list([_the(d) for d in unknown])}." if unknown else ""
    ids, missing = tuple(d.id for d in known), tuple(d.id for d in unknown)
    names = [_the(d) for d in hits]
    if q.response == "all":
        misses = [_the(d) for d in known if d not in hits]
        text = (f"No, {_list(misses)} {'is' if len(misses) == 1 else 'are'} not {said}."
                if misses else f"Yes, all {len(known)} are {said}." if known else "")
    elif q.response == "how_many":
        one = len(hits) == 1
        text = f"{len(hits)} {what}{'' if one else 's'} {'is' if one else 'are'} {said}."
    elif q.response == "which":
        text = (f"{_list(names)[:1].upper()}{_list(names)[1:]} "
                f"{'is' if len(names) == 1 else 'are'} {said}." if names else f"None are {said}.")
    else:
        text = (f"Yes, {_list(names)} {'is' if len(names) == 1 else 'are'} {said}."
                if names else f"No, none are {said}." if known else "")
    if not known:
        text = f"I don't know: {_list([_unknown(registry, d) for d in unknown])}."
    else:
        text += tail
    return StateAnswer(text, ids, missing)


def _measure(registry: DeviceRegistry, q: StateQuestion) -> StateAnswer:
    measure = q.measure or "temperature"
    device_class = MEASURES.get(measure)
    if device_class is None:
        return StateAnswer(f"I can't measure {measure}.", ok=False)
    if q.name is not None:
        device = by_name(registry, q.name, q.speaker_area)
        return _one(registry, device, StateQuestion())
    if q.area is None and q.floor is None and q.speaker_area is not None:
        q = StateQuestion(kind=q.kind, area=q.speaker_area, measure=q.measure)
    scope = _place(registry, q.area, q.floor)
    candidates: list[Device] = []
    if q.kind == "temperature":
        candidates = [d for d in scope if d.kind == "climate"]
    if not [d for d in candidates if registry.reading(d.id).fresh]:
        candidates = [d for d in scope if d.kind == "sensor" and d.device_class == device_class]
    where = (f" in the {registry.household.area(q.area)}" if q.area else
             f" on the {registry.household.floor(q.floor)}" if q.floor else "")
    if not candidates:
        return StateAnswer(f"Nothing measures {measure}{where}.", ok=False)
    fresh = [d for d in candidates if registry.reading(d.id).fresh]
    unknown = tuple(d.id for d in candidates if d not in fresh)
    if not fresh:
        return StateAnswer(f"I don't know: {_list([_unknown(registry, d) for d in candidates])}.",
                           (), unknown)
    values = [registry.reading(d.id).value for d in fresh]
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    unit = fresh[0].unit
    if len(numbers) == 1:
        text = f"The {measure}{where} is {spoken_value(numbers[0], unit)}."
    elif numbers:
        mean = sum(numbers) / len(numbers)
        text = (f"The {measure}{where} is {spoken_value(mean, unit)} "
                f"(the average of {len(numbers)} sensors).")
    else:
        text = f"The {measure}{where} is {spoken_value(values[0], unit)}."
    return StateAnswer(text, tuple(d.id for d in fresh), unknown)

