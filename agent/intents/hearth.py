"""Templates for hearth's own device intents (`Hearth*`), which Home Assistant does not ship.

Relative brightness ("dim the desk lamp a bit", "turn up the bedroom lamp"), stopping a
cover ("stop the office blind", "stop the blinds"), everything in a room or on a floor
("turn off everything downstairs"), questions Home Assistant words differently ("is anything
unlocked", "how humid is it in the bedroom", "what is the thermostat set to"), and two
catch-alls that answer "I don't know a room/device called ..." instead of handing an unknown
name to a model that would have to guess (tried only when nothing else matched).

Every block names `required_keywords` (hassil skips it for text without one), so a plain
"turn off the hall light" pays nothing for these. The catch-alls use wildcard lists; the
matcher tries them only after every other intent failed, and the compound splitter treats
them as no match at all, so "turn off the hall light and the fan" is still two commands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_BIT = "[(a [little] bit|a little|slightly|some|a touch)]"
_PLACE = "<in> [<the>] ({area}|{floor} [floor])"
_LIGHTS = "[(<all>|<the>)] <light>"
_DOWN = ("dim", "dimmer", "darker", "down", "lower", "reduce")
_UP = ("brighten", "brighter", "up", "raise", "lighter", "increase")
_MEASURE_WORDS = "{hearth_measure:measure}"

HEARTH_BLOCKS: Mapping[str, tuple[Mapping[str, Any], ...]] = {
    "HearthLightDown": (
        {"sentences": (f"(dim|lower) [<the>] {{name}} {_BIT}",
                       f"(make|set) [<the>] {{name}} (dimmer|darker) {_BIT}",
                       f"<turn> down [<the>] {{name}} {_BIT}",
                       f"<turn> [<the>] {{name}} down {_BIT}",
                       f"(reduce|lower) [<the>] brightness of [<the>] {{name}} {_BIT}"),
         "requires_context": {"domain": "light"}, "required_keywords": _DOWN},
        {"sentences": (f"(dim|lower) {_LIGHTS} {_PLACE} {_BIT}",
                       f"(dim|lower) [<the>] {{area}} <light> {_BIT}",
                       f"<turn> down {_LIGHTS} {_PLACE} {_BIT}",
                       f"<turn> {_LIGHTS} down {_PLACE} {_BIT}",
                       f"(make|set) {_LIGHTS} {_PLACE} (dimmer|darker) {_BIT}"),
         "slots": {"domain": "light"}, "required_keywords": _DOWN},
    ),
    "HearthLightUp": (
        {"sentences": (f"brighten [up] [<the>] {{name}} {_BIT}",
                       f"(make|set) [<the>] {{name}} (brighter|lighter) {_BIT}",
                       f"<turn> up [<the>] {{name}} {_BIT}",
                       f"<turn> [<the>] {{name}} up {_BIT}",
                       f"(raise|increase) [<the>] brightness of [<the>] {{name}} {_BIT}"),
         "requires_context": {"domain": "light"}, "required_keywords": _UP},
        {"sentences": (f"brighten [up] {_LIGHTS} {_PLACE} {_BIT}",
                       f"brighten [up] [<the>] {{area}} <light> {_BIT}",
                       f"<turn> up {_LIGHTS} {_PLACE} {_BIT}",
                       f"<turn> {_LIGHTS} up {_PLACE} {_BIT}",
                       f"(make|set) {_LIGHTS} {_PLACE} (brighter|lighter) {_BIT}"),
         "slots": {"domain": "light"}, "required_keywords": _UP},
    ),
    "HearthStop": (
        {"sentences": ("(stop|halt|pause) [<the>] {name} [(moving|now)]",),
         "requires_context": {"domain": "cover"}, "required_keywords": ("stop", "halt", "pause")},
    ),
    "HearthStopClass": (
        {"sentences": ("(stop|halt) [<all>] [<the>] {cover_classes:device_class} "
                       "[<in> [<the>] ({area}|{floor} [floor])] [(moving|now)]",
                       "(stop|halt) [<all>] [<the>] {area} {cover_classes:device_class} "
                       "[(moving|now)]"),
         "slots": {"domain": "cover"}, "required_keywords": ("stop", "halt")},
    ),
    "HearthEverythingOff": (
        {"sentences": (f"<turn> off (everything|all devices) [{_PLACE}]",
                       f"<turn> (everything|all devices) off [{_PLACE}]",
                       "<turn> off (everything|all devices) {floor}",
                       "<turn> (everything|all devices) off {floor}",
                       "<turn> off (everything|all devices) <in> [<the>] (house|home)"),
         "required_keywords": ("everything", "devices")},
    ),
    "HearthEverythingOn": (
        {"sentences": (f"<turn> on (everything|all devices) {_PLACE}",
                       f"<turn> (everything|all devices) on {_PLACE}",
                       "<turn> on (everything|all devices) {floor}",
                       "<turn> (everything|all devices) on {floor}"),
         "required_keywords": ("everything", "devices")},
    ),
    "HearthAnyState": (
        {"sentences": (f"<is> (anything|something) [still] {{lock_states:state}} [{_PLACE}]",
                       f"<is> (anything|something) [still] left {{lock_states:state}} [{_PLACE}]"),
         "slots": {"domain": "lock"}, "required_keywords": ("anything", "something")},
        {"sentences": (f"<is> (anything|something) [still] [(left|turned)] "
                       f"{{on_off_states:state}} [{_PLACE}]",),
         "required_keywords": ("anything", "something")},
    ),
    "HearthSensorGet": (
        {"sentences": (f"<what_is> [<the>] [current] {_MEASURE_WORDS} [(level|reading)] "
                       f"[{_PLACE}]",),
         "slots": {"domain": "sensor"},
         "required_keywords": ("humidity", "pressure", "illuminance", "level", "co2", "carbon",
                               "power", "energy", "voltage")},
        {"sentences": (f"how (humid|damp) is it [{_PLACE}]", "how (humid|damp) is [<the>] {area}"),
         "slots": {"domain": "sensor", "measure": "humidity"},
         "required_keywords": ("humid", "damp")},
    ),
    "HearthClimateGetTarget": (
        {"sentences": ("<what_is> [<the>] {name} set to",
                       "what (temperature|temp) is [<the>] {name} set to",
                       "<what_is> [<the>] (target|set) [(temperature|temp)] (of|on|for) "
                       "[<the>] {name}",
                       "<what_is> [<the>] {name}['s] (target|setpoint|set point) "
                       "[(temperature|temp)]"),
         "requires_context": {"domain": "climate"},
         "required_keywords": ("set", "target", "setpoint")},
        {"sentences": (f"what (temperature|temp) is [<the>] (heating|thermostat) set to "
                       f"[{_PLACE}]",
                       f"<what_is> [<the>] (heating|thermostat) set to [{_PLACE}]"),
         "required_keywords": ("set",)},
    ),
    "HearthUnknownArea": (
        {"sentences": ("<turn> (on|off) [<all>] [<the>] <light> <in> [<the>] {hearth_unknown}",
                       "<turn> [<all>] [<the>] <light> <in> [<the>] {hearth_unknown} (on|off)",
                       "<turn> [<all>] [<the>] <light> (on|off) <in> [<the>] {hearth_unknown}",
                       "<turn> (on|off) everything <in> [<the>] {hearth_unknown}"),
         "required_keywords": ("light", "lights", "lamp", "lamps", "lighting", "everything")},
    ),
    "HearthUnknownName": (
        {"sentences": ("<turn> (on|off) [<the>] {hearth_unknown}",
                       "<turn> [<the>] {hearth_unknown} (on|off)"),
         "required_keywords": ("on", "off")},
    ),
}

# Tried by the matcher only when no other intent matched the text.
CATCH_ALLS = frozenset({"HearthUnknownArea", "HearthUnknownName"})
# A catch-all reading stands only for a short name: "turn off the kitchen light and sing me a
# song" is not a device called "kitchen light and sing me a song".
MAX_UNKNOWN_WORDS = 3
_JOINERS = frozenset({"and", "then", "also", "but", "or"})


def plausible_unknown(slots: Mapping[str, Any]) -> bool:
    """Whether a catch-all match's unknown name is short and joins no requests."""
    said = str(slots.get("hearth_unknown") or "").split()
    return 0 < len(said) <= MAX_UNKNOWN_WORDS and not _JOINERS.intersection(said)


HEARTH_LISTS: Mapping[str, Any] = {
    "hearth_unknown": {"wildcard": True},
    "hearth_measure": {"values": [
        {"in": "humidity", "out": "humidity"}, {"in": "[air] pressure", "out": "pressure"},
        {"in": "(illuminance|light level)", "out": "illuminance"},
        {"in": "(co2|carbon dioxide) [level]", "out": "co2"},
        {"in": "power [(use|usage|draw)]", "out": "power"},
        {"in": "energy [(use|usage)]", "out": "energy"}, {"in": "voltage", "out": "voltage"},
    ]},
}
