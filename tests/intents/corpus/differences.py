"""Corpus sentences where hearth deliberately does something else than Home Assistant.

Each entry: sentence -> the reason (also listed in docs/intents.md). They count neither as
right nor unmatched in the report ("differs"), but a wrong action on one still fails.
"""

from __future__ import annotations

_LAMP = ("\"lamp\" is a word in several device names (bedroom lamp, living room lamp): hearth "
         "acts on the one lamp on that floor, or asks which; Home Assistant reads it as every "
         "light on the floor")
_ONE_NAME = ("hearth device names are unique: the fixtures name seven binary sensors \"Phone\" "
             "(one per class) and two \"Pet Door\"; hearth holds the first of each (the phone's "
             "battery sensor, the pet door's door sensor), so another class of it has no device")

DIFFERENCES: dict[str, str] = {
    "turn on the lamp in the first floor": _LAMP,
    "turn on my lamp in the first floor": _LAMP,
    "turn off the lamp in the first floor": _LAMP,
    "is the phone charging?": _ONE_NAME,
    "is the phone connected?": _ONE_NAME,
    "is the phone unplugged?": _ONE_NAME,
    "is the phone home?": _ONE_NAME,
    "is the phone gone?": _ONE_NAME,
    "is the phone up to date?": _ONE_NAME,
    "is the phone vibrating?": _ONE_NAME,
    "is the pet door locked?": _ONE_NAME,
}
