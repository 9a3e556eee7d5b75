"""The `set_device_state` tool: the only way a skill or a model reaches a device.

The core registers the returned specs in its tool registry; a skill gets the tool only if
its declaration names it (the home skill does; the news and briefing skills never do).
"""

from __future__ import annotations

from typing import Any

from agent.devices.actions import (
    DEVICE_ARGUMENTS_SCHEMA,
    DeviceActions,
    DeviceRequest,
    Outcome,
    Publisher,
)
from agent.devices.pending import PendingActions
from agent.devices.registry import DeviceRegistry
from agent.router.types import ToolResult, ToolSpec

SET_DEVICE_STATE = "set_device_state"

_DESCRIPTION = (
    "Switch, dim or move one device from the household's device list, or every device of "
    "one kind in a room. Unknown devices are refused. Locks, garage doors, alarms, valves and "
    "anything sent on their topics are never switched directly: a pending confirmation is "
    "created and its id returned."
)


def make_device_tools(registry: DeviceRegistry, bridge: Publisher,
                      pending: PendingActions) -> list[ToolSpec]:
    """The device tools, bound to one registry, bridge and pending room."""
    actions = DeviceActions(registry, bridge, pending)

    async def set_device_state(args: dict[str, Any]) -> ToolResult:
        # A model's arguments are untrusted: validation errors go back as a result it can
        # read, never as a publish.
        try:
            request = DeviceRequest.from_args(args, requested_by="tool")
        except ValueError as exc:
            outcome = Outcome(False, f"refused: {exc}")
        else:
            outcome = await actions.execute(request)
        return ToolResult(outcome.ok, outcome.reply, outcome.as_dict())

    return [ToolSpec(name=SET_DEVICE_STATE, description=_DESCRIPTION,
                     input_schema=DEVICE_ARGUMENTS_SCHEMA, handler=set_device_state)]
