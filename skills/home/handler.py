"""The home skill's handler: intents, rule actions and dispatcher arguments become
`set_device_state` calls. The skill reaches devices only through that granted tool, so the
registry's validation and the confirmation of sensitive devices apply to every path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.devices.tools import SET_DEVICE_STATE
from agent.errors import SkillError
from agent.plugins.contract import ActionEvent, Event, Reply, SkillContext, TextEvent

# The Home Assistant intents this skill carries out (HassToggle is not in the English data).
HA_INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition")

_INTENT_STATE = {"HassTurnOn": "on", "HassTurnOff": "off"}
_ACTION_STATE = {
    "toggle": "toggle", "turn_on": "on", "on": "on", "turn_off": "off", "off": "off",
    "set": None, "set_device_state": None,
}
_UNSUPPORTED_LIGHT_SLOTS = ("color", "temperature")


def _value(slot: Any) -> Any:
    # Matchers hand slots either as bare values or as {"value": ..., "text": ...}.
    return slot.get("value") if isinstance(slot, Mapping) else slot


def intent_arguments(intent: str, slots: Mapping[str, Any]) -> dict[str, Any]:
    """Tool arguments for a matched intent; ValueError for what the skill does not do."""
    values = {k: _value(v) for k, v in slots.items()}
    args: dict[str, Any] = {}
    if values.get("name") is not None:
        args["device"] = str(values["name"])
    elif values.get("area") is not None:
        args["area"] = str(values["area"])
        if values.get("domain") is not None:
            args["domain"] = str(values["domain"])
    if intent in _INTENT_STATE:
        args["state"] = _INTENT_STATE[intent]
    elif intent == "HassLightSet":
        if values.get("brightness") is None:
            unsupported = [s for s in _UNSUPPORTED_LIGHT_SLOTS if s in values]
            raise ValueError(f"setting a light's {', '.join(unsupported) or 'colour'} is not "
                             "supported yet")
        args["brightness"] = values["brightness"]
    elif intent == "HassSetPosition":
        args["position"] = values.get("position")
    else:
        raise ValueError(f"intent {intent} is not handled by home")
    return args


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


async def handle(ctx: SkillContext, event: Event) -> Reply | None:
    """Carry out one device request; the reply says what happened (or would, on a dry run)."""
    try:
        if isinstance(event, TextEvent):
            if event.intent is not None:
                args = intent_arguments(event.intent, event.slots)
            elif event.arguments:
                args = dict(event.arguments)
            else:
                raise ValueError("I could not tell which device you meant.")
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
