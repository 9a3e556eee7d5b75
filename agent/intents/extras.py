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

_PERCENT = "{brightness}[([ ]%)| percent]"
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
        {"sentences": ("stop [<the>] {name}", "[<turn>] off [<the>] {name}"),
         "requires_context": {"domain": "fan"}},
    ),
    "HassTurnOn": (
        # Home Assistant ships "all the lights off everywhere" but not its "on" twin.
        {"sentences": ("<turn> on <all> <light> [<everywhere>]",
                       "<turn> <all> <light> on [<everywhere>]",
                       "<turn> on [<the>] <light> <everywhere>",
                       "<turn> [<the>] <light> on <everywhere>",
                       f"(activate|illuminate|light up) [(<all>|<the>)] <light> {_HOUSE}",
                       "(illuminate|light up) [<the>] [(entire|whole)] (home|house)"),
         "slots": {"domain": "light"}},
    ),
}


def with_extras(intents: Mapping[str, Any]) -> dict[str, Any]:
    """Home Assistant's intent data (name -> {"data": [...]}) with hearth's blocks added."""
    out = dict(intents)
    for name, blocks in EXTRA_BLOCKS.items():
        if name in out:
            shipped = out[name]
            extra = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in b.items()}
                     for b in blocks]
            out[name] = {**shipped, "data": [*shipped.get("data", []), *extra]}
    return out
