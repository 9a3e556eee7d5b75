"""The home skill's handler: command intents, rule actions and dispatcher arguments become
`set_device_state` calls; state questions are answered from reported states.

The skill reaches devices only through the granted tool, so the registry's validation and
the confirmation of sensitive devices apply to every command path. Questions use the
read-only `DeviceView.answer` (no grant needed: nothing is commanded).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from agent.devices.tools import SET_DEVICE_STATE
from agent.errors import SkillError
from agent.intents import CATCH_ALLS
from agent.plugins.contract import ActionEvent, Event, Reply, SkillContext, TextEvent
from skills.home.arguments import (
    HA_INTENTS,
    HEARTH_INTENTS,
    HERE_WORDS,
    QUESTION_INTENTS,
    intent_arguments,
    question,
    unknown_answer,
    value,
)

__all__ = ["HA_INTENTS", "HEARTH_INTENTS", "action_arguments", "handle", "intent_arguments"]

_ACTION_STATE = {
    "toggle": "toggle", "turn_on": "on", "on": "on", "turn_off": "off", "off": "off",
    "set": None, "set_device_state": None,
}


def action_arguments(action: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Tool arguments for a rule's action (e.g. "toggle" with {"device": "hall light"})."""
    if action not in _ACTION_STATE:
        raise ValueError(f"home has no action {action!r}; use one of "
                         f"{', '.join(sorted(_ACTION_STATE))}")
    out = dict(args)
    state = _ACTION_STATE[action]
    if state is not None:
        out["state"] = state
    return out


def _stop_means_off(ctx: SkillContext, args: dict[str, Any]) -> dict[str, Any]:
    # "stop the ceiling fan" turns it off; "stop the blinds" stops them moving.
    name = args.get("device")
    device = ctx.devices.resolve(name) if isinstance(name, str) else None
    if device is not None and device.kind == "fan":
        args = {k: v for k, v in args.items() if k != "stop"}
        args["state"] = "off"
    return args


def _unknown(ctx: SkillContext, event: TextEvent) -> str | None:
    """For a catch-all match, the answer and the nearest names hearth does know."""
    if event.intent not in CATCH_ALLS:
        return None
    said = str(value(event.slots.get("hearth_unknown")) or "that").strip()
    answer = unknown_answer(event.intent, said)
    if said.lower() in HERE_WORDS:
        return answer
    if event.intent == "HearthUnknownName":
        names = list(dict.fromkeys(d.name for d in ctx.devices.devices()))
        near = difflib.get_close_matches(said.lower(), names, n=3, cutoff=0.6)
        return f"{answer} Did you mean: {', '.join(near)}?" if near else answer
    areas = ctx.devices.areas()  # sorted, each once
    said = said.lower()
    near = difflib.get_close_matches(said, areas, n=3, cutoff=0.6)
    if near:
        return f"{answer} Did you mean: {', '.join(near)}?"
    if not areas:
        return answer
    more = "" if len(areas) <= 6 else f" and {len(areas) - 6} more"
    return f"{answer} Rooms: {', '.join(areas[:6])}{more}."


def _text_arguments(ctx: SkillContext, event: TextEvent) -> dict[str, Any]:
    if event.intent is not None:
        args = intent_arguments(event.intent, event.slots,
                                step=ctx.household.discovery.brightness_step,
                                speaker_area=getattr(event, "area", None))
        return _stop_means_off(ctx, args) if args.get("stop") else args
    if event.arguments:
        return dict(event.arguments)
    raise ValueError("I could not tell which device you meant.")


async def handle(ctx: SkillContext, event: Event) -> Reply | None:
    """Carry out one device request or answer one state question."""
    if isinstance(event, TextEvent) and event.intent in QUESTION_INTENTS:
        asked = question(event.intent, event.slots, event.text, getattr(event, "area", None))
        found = ctx.devices.answer(asked)
        return Reply(found.text, {**found.as_dict(), "actions": [], "dry_run": event.dry_run})
    if isinstance(event, TextEvent):
        unknown = _unknown(ctx, event)
        if unknown is not None:
            # Nothing is actuated on a guess: the answer names what hearth does know.
            return Reply(unknown, {"ok": False, "actions": []})
    try:
        if isinstance(event, TextEvent):
            args = _text_arguments(ctx, event)
            dry_run = event.dry_run
        elif isinstance(event, ActionEvent):
            args = action_arguments(event.action, event.args)
            dry_run = event.dry_run
        else:
            return None
    except ValueError as exc:
        # Matched but not something home does: a plain answer, not a skill failure.
        return Reply(str(exc), {"ok": False, "actions": []})
    tool = ctx.tools.get(SET_DEVICE_STATE)
    if tool is None:
        raise SkillError(f"home was not granted {SET_DEVICE_STATE}", skill="home")
    if dry_run:
        args["dry_run"] = True
    result = await tool.handler(args)
    # The reply is not logged: it may carry a pending action's full approval id.
    ctx.log.debug("home: %s -> ok=%s", args, result.ok)
    return Reply(result.text, {"ok": result.ok, "actions": result.data.get("actions", []),
                               "dry_run": dry_run})
