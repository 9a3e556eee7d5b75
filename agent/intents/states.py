"""Hearth's phrasings for state questions about sensors (HassGetState), with their lists.

The shipped English data asks about lights, switches, fans, covers and locks, but not about
binary sensors by class ("are any batteries low", "is there smoke in the kitchen", "is the
washer running") nor about a named sensor's measure ("what is the battery level of my
phone"). These blocks add them to HassGetState with the slots the home skill already reads:
`domain`, `device_class` and `state` ("on"/"off" as the sensor reports it). Each binary
sensor class has its own state words, so "are any batteries wet" matches nothing rather
than something else; a named device must be of that class (required context).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# "in the kitchen", "on the first floor" after a question about many sensors.
_PLACE = "[<in> [<the>] ({area}|{floor} [floor])]"
_NOW = "[(now|right now|currently|at the moment)]"

# Binary sensor class -> (plural noun for its sensors, words for "on", words for "off").
# Nouns are how a household names the group ("motion sensors"); None: asked by name only.
BINARY_CLASSES: Mapping[str, tuple[str | None, str, str]] = {
    "battery": ("batter(y|ies)", "low", "(normal|charged|ok|okay|full)"),
    "battery_charging": ("batter(y|ies)", "charging", "not charging"),
    "carbon_monoxide": ("(carbon monoxide|co) (sensor|detector|alarm)[s]",
                        "(on|triggered|detecting|detected)", "(off|clear)"),
    "cold": ("(thing|device|sensor)[s]", "(cold|freezing)", "(not cold|normal|warm)"),
    "connectivity": ("device[s]", "(connected|online)", "(disconnected|offline)"),
    "gas": ("gas (sensor|detector|alarm)[s]", "(on|triggered|detecting|detected)",
            "(off|clear)"),
    "heat": ("(thing|device|sensor)[s]", "(hot|overheating)", "(not hot|normal|cool)"),
    "light": ("light[s] [sensor[s]]", "detected", "(not detected|dark)"),
    "lock": (None, "unlocked", "locked"),
    "moisture": ("(water|leak|moisture|flood) (sensor|detector)[s]", "(wet|leaking|flooded)",
                 "dry"),
    "motion": ("motion (sensor|detector)[s]", "(triggered|on|detecting [motion])",
               "(clear|off)"),
    "occupancy": ("(occupancy|presence) sensor[s]", "(triggered|on|occupied)", "(clear|off)"),
    "opening": ("opening[s]", "open", "(closed|shut)"),
    "plug": ("(device|thing)[s]", "plugged in", "unplugged"),
    "power": ("(device|thing)[s]", "([power] detected|powered [on]|on)",
              "(powered off|unpowered|off)"),
    "presence": ("(device|thing)[s]", "(home|here|present)", "(away|gone|not home)"),
    "problem": (None, "(faulty|broken|failing)", "(ok|okay|fine)"),
    "running": ("(device|thing|appliance)[s]", "running", "(stopped|not running|idle)"),
    "safety": (None, "unsafe", "safe"),
    "smoke": ("smoke (sensor|detector|alarm)[s]", "(triggered|on|detecting [smoke])",
              "(clear|off)"),
    "sound": ("(sound|noise) (sensor|detector)[s]", "(triggered|on|detecting [sound])",
              "(clear|off)"),
    "tamper": ("tamper (sensor|detector)[s]", "(tampered [with]|triggered)", "(ok|okay|clear)"),
    "update": ("(device|thing)[s]", "(outdated|out of date)", "up to date"),
    "vibration": ("(device|thing)[s]", "vibrating", "(still|not vibrating)"),
}

# Words one of which every question about a class without a name carries: hassil skips the
# class's blocks (its `required_keywords`) for any other text, so "turn off the hall light"
# pays nothing for them.
_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "battery": ("battery", "batteries"), "battery_charging": ("battery", "batteries"),
    "carbon_monoxide": ("carbon", "co"), "cold": ("cold", "freezing", "warm", "normal"),
    "connectivity": ("connected", "online", "disconnected", "offline"), "gas": ("gas",),
    "heat": ("hot", "overheating", "cool", "normal"), "light": ("detected", "dark"),
    "moisture": ("water", "leak", "leaking", "leakage", "moisture", "flood", "flooded", "wet",
                 "dry"),
    "motion": ("motion",), "occupancy": ("occupancy", "presence", "occupied"),
    "opening": ("opening", "openings"), "plug": ("plugged", "unplugged"),
    "power": ("power", "powered", "unpowered", "detected"),
    "presence": ("home", "here", "present", "away", "gone"),
    "running": ("running", "stopped", "idle"), "smoke": ("smoke",),
    "sound": ("sound", "noise"), "tamper": ("tamper", "tampered"),
    "update": ("update", "updates", "outdated", "date"),
    "vibration": ("vibrating", "vibration", "still"),
}

# Questions a class is asked in its own words, with no name ("is there smoke in the kitchen").
_CLASS_PHRASES: Mapping[str, tuple[str, ...]] = {
    "carbon_monoxide": (f"<is> [there] [any] (carbon monoxide|co) [detected] {_PLACE}",),
    "gas": (f"<is> [there] [any] gas [detected] {_PLACE}",),
    "moisture": (f"<is> [there] [any] (leak|water leak|leakage|water) [detected] {_PLACE}",
                 "<is> [<the>] floor wet", "<is> [<the>] {area} (flooded|wet)",
                 f"<is> (anything|something) (wet|leaking) {_PLACE}"),
    "motion": (f"<is> [there] [any] motion [detected] {_PLACE}",),
    "occupancy": (f"<is> [there] [any] (occupancy|presence) [detected] {_PLACE}",
                  "<is> [<the>] {area} occupied"),
    "smoke": (f"<is> [there] [any] smoke [detected] {_PLACE}",),
    "sound": (f"<is> [there] [any] (noise|sound) [detected] {_PLACE}",),
    "vibration": (f"<is> (anything|something) vibrating {_PLACE}",),
    "update": (f"<is> [there] [any] update[s] available {_PLACE}",
               "(what|which) updates (is|are) available", "how many updates (is|are) available"),
}
# A named device asked in its class's own words ("are there any problems with the feeder").
_NAME_PHRASES: Mapping[str, tuple[str, ...]] = {
    "problem": ("<is> [there] [any] problem[s] with [<the>] {name}",
                "does [<the>] {name} have [a|any] problem[s]"),
    "update": ("does [<the>] {name} have [an|any] update[s] [available]",),
}


def _state_list(on: str, off: str) -> dict[str, Any]:
    return {"values": [{"in": on, "out": "on"}, {"in": off, "out": "off"}]}


def _binary_blocks(device_class: str, noun: str | None) -> list[dict[str, Any]]:
    state = f"{{bs_{device_class}:state}}"
    slots = {"domain": "binary_sensor", "device_class": device_class}
    # "is the phone battery low": the class said after the device's name.
    battery = " [battery]" if device_class.startswith("battery") else ""
    blocks: list[dict[str, Any]] = [{
        "sentences": [f"<is> [<the>] {{name}}{battery} {_NOW} {state} {_NOW}"],
        "slots": slots,
        "requires_context": {"domain": "binary_sensor", "device_class": device_class},
    }]
    named = _NAME_PHRASES.get(device_class)
    if named:
        blocks.append({"sentences": list(named), "slots": {**slots, "state": "on"},
                       "requires_context": {"domain": "binary_sensor",
                                            "device_class": device_class}})
    keywords = list(_KEYWORDS.get(device_class, ()))
    if noun is not None:
        blocks.append({"required_keywords": keywords, "sentences": [
            f"<is> [<the>] {noun} {_NOW} {state} {_PLACE}",
            f"<are_any> {noun} {_NOW} {state} {_PLACE}",
            f"<are_all> {noun} {_NOW} {state} {_PLACE}",
            f"(<which>|<how_many>) {noun} <is> {_NOW} {state} {_PLACE}",
        ], "slots": slots})
    phrases = _CLASS_PHRASES.get(device_class)
    if phrases:
        blocks.append({"sentences": list(phrases), "slots": {**slots, "state": "on"},
                       "required_keywords": keywords})
    return blocks


# What a sensor measures, as people say it ("battery level", "co2 concentration").
_MEASURE = ("(power|apparent power|reactive power|power factor|air quality [index]|aqi"
            "|[air] pressure|atmospheric pressure|acoustic pressure|sound pressure|battery"
            "|co2|carbon dioxide|carbon monoxide|co|current|download speed|upload speed"
            "|data rate|size|date|distance|mileage|duration|energy|frequency|gas|humidity"
            "|brightness|illuminance|light level|irradiance|moisture|cost|price"
            "|nitrogen dioxide|no2|nitrogen monoxide|no|n2o|nitrous oxide|o3|ozone|pm1"
            "|pm2.5|pm25|pm10|rainfall|rain|precipitation|signal [strength]|speed"
            "|wind speed|sulphur dioxide|so2|temperature|temp|organic compounds|voc"
            "|voltage|volume|water|weight|level|reading|value|state|status)")
_QUANTITY = (f"[(amount|level|concentration|value|reading|total [amount]) of] [total] "
             f"[(current|accumulated|relative|stored|consumed)] {_MEASURE} "
             f"[(level|concentration|value|reading|intensity|index|drop|left)]")
SENSOR_BLOCK: Mapping[str, Any] = {
    "sentences": [
        f"<what_is> [the] {_QUANTITY} (of|in|on|for|from|indicated by|measured by|reported by)"
        " [<the>] {name}",
        f"<what_is> [<the>] {{name}}['s] {_QUANTITY}",
        f"how much {_QUANTITY} (does|do) [<the>] {{name}} have [left]",
        "when (is|will) [<the>] {name} [be]",
    ],
    "slots": {"domain": "sensor"},
    "requires_context": {"domain": "sensor"},
}


def state_blocks() -> list[dict[str, Any]]:
    """HassGetState blocks hearth adds: binary sensors by class, a sensor's measure."""
    blocks: list[dict[str, Any]] = []
    for device_class, (noun, _, _) in BINARY_CLASSES.items():
        blocks.extend(_binary_blocks(device_class, noun))
    blocks.append(dict(SENSOR_BLOCK))
    return blocks


def state_lists() -> dict[str, Any]:
    """The `bs_<class>` state lists the blocks refer to."""
    return {f"bs_{c}": _state_list(on, off) for c, (_, on, off) in BINARY_CLASSES.items()}
