"""Hearth's own phrasings for Home Assistant intents, added to the shipped templates.

Each entry is a hassil data block (sentences, fixed slots, required context) appended to the
Home Assistant intent of that name when a skill handles it, so the skill's handler sees the
same intent and slots it already understands. They use Home Assistant's own expansion rules
and lists (`<turn>`, `<all>`, `{brightness}`). Required context keeps a verb to the devices it
is safe for: "stop the ceiling fan" switches a fan off, while "stop the blinds" (a cover
stop, not a close) stays unmatched here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.intents.hearth import HEARTH_BLOCKS, HEARTH_LISTS
from agent.intents.states import state_blocks, state_lists

_PERCENT = "{brightness}[([ ]%)| percent]"
_NOW = "[(now|right now|currently|at the moment)]"
_HOUSE = "(everywhere|all over|in (the|my|our) [(entire|whole)] (home|house))"

EXTRA_BLOCKS: Mapping[str, tuple[Mapping[str, Any], ...]] = {
    "HassLightSet": (
        {"sentences": (f"(dim|brighten) [<the>] {{name}} to {_PERCENT}",
                       f"(dim|brighten|set) [<the>] {{name}} [brightness] to {_PERCENT} brightness"),
         "requires_context": {"domain": "light"}},
        {"sentences": (f"(dim|brighten) [(<all>|<the>)] <light> <in> [<the>] {{area}} to {_PERCENT}",
                       f"(dim|brighten) [<the>] {{area}} <light> to {_PERCENT}"),
         "slots": {"domain": "light"}},
    ),
    "HassTurnOff": (
        # "close the blinds": every blind in the house (Home Assistant needs a room for it).
        {"sentences": ("close [<all>] [<the>] {cover_classes:device_class} [<everywhere>]",),
         "slots": {"domain": "cover"}, "required_keywords": ("close",)},
        {"sentences": ("stop [<the>] {name}", "[<turn>] off [<the>] {name}"),
         "requires_context": {"domain": "fan"}},
        {"sentences": ("<turn> [<all>] [<the>] <light> <in> [<the>] {floor} [floor] (off|out)",
                       "<turn> [<all>] [<the>] <light> (off|out) <in> [<the>] {floor} [floor]"),
         "slots": {"domain": "light"}},
        # Home Assistant reads "all fans off" only with the speaker's room; no room: the house.
        {"sentences": ("<turn> off <all> fan[s] [<everywhere>]", "<turn> <all> fan[s] off",
                       "<turn> [<the>] fan[s] off <everywhere>",
                       "<turn> off [<the>] fan[s] <everywhere>",
                       "deactivate <all> fan[s]", "deactivate [<the>] fan[s] <everywhere>"),
         "slots": {"domain": "fan"}, "required_keywords": ("fan", "fans")},
    ),
    "HassTurnOn": (
        {"sentences": ("open [<all>] [<the>] {cover_classes:device_class} [<everywhere>]",),
         "slots": {"domain": "cover"}, "required_keywords": ("open",)},
        # Home Assistant ships "all the lights off everywhere" but not its "on" twin.
        {"sentences": ("<turn> on <all> <light> [<everywhere>]",
                       "<turn> <all> <light> on [<everywhere>]",
                       "<turn> on [<the>] <light> <everywhere>",
                       "<turn> [<the>] <light> on <everywhere>",
                       f"(activate|illuminate|light up) [(<all>|<the>)] <light> {_HOUSE}",
                       "(illuminate|light up) [<the>] [(entire|whole)] (home|house)",
                       "(activate|illuminate|light up) <all> <light>",
                       "(activate|illuminate|light up) [<the>] <light> <everywhere>",
                       "(activate|illuminate|light up) <all> (room|area)[s] [<in> [<the>] <home>]",
                       "make sure (every|all [of] [<the>]) <light> (is|are) on",
                       "<turn> on [<the>] (house|home) <light> <everywhere>"),
         "slots": {"domain": "light"}},
        {"sentences": ("<turn> [<all>] [<the>] <light> <in> [<the>] {floor} [floor] on",
                       "<turn> [<all>] [<the>] <light> on <in> [<the>] {floor} [floor]"),
         "slots": {"domain": "light"}},
    ),
    "HassGetState": (
        {"sentences": (f"<is> [<the>] {{name}} {_NOW} {{lock_states:state}} {_NOW}",
                       "(tell me|<what_is>) the (status|state) of [<the>] {name}"),
         "requires_context": {"domain": "lock"}},
        {"sentences": (f"(<are_any>|(do|does) (I|we) have any) {{lock_states:state}} <lockable>"
                       f" {_NOW}",
                       f"(<which>|<how_many>) <lockable> <is> {_NOW} {{lock_states:state}} {_NOW}"),
         "slots": {"domain": "lock"}, "required_keywords": ("locked", "unlocked")},
        {"sentences": ("tell me if there are any switch[es] {on_off_states:state} <in> [<the>] "
                       "({area}|{floor} [floor])",
                       "<are_all> switch[es] [turned] {on_off_states:state} <in> [<the>] "
                       "({area}|{floor} [floor])",
                       "<are_all> switch[es] <in> [<the>] ({area}|{floor} [floor]) "
                       "[turned] {on_off_states:state}"),
         "slots": {"domain": "switch"}, "required_keywords": ("switch", "switches")},
        *state_blocks(),
    ),
}


EXTRA_LISTS: Mapping[str, Any] = {**state_lists(), **HEARTH_LISTS}


def with_extras(intents: Mapping[str, Any]) -> dict[str, Any]:
    """Home Assistant's intent data (name -> {"data": [...]}) with hearth's blocks added
    (hearth's own `Hearth*` intents start empty and get only hearth's blocks)."""
    out = dict(intents)
    for name, blocks in {**EXTRA_BLOCKS, **HEARTH_BLOCKS}.items():
        if name in out:
            shipped = out[name]
            extra = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in b.items()}
                     for b in blocks]
            out[name] = {**shipped, "data": [*shipped.get("data", []), *extra]}
    return out
