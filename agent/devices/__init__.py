"""Devices: the registry, protocol adapters, sensitive-action confirmation, rules, tools,
and state questions answered from what devices reported (docs/devices.md).

The daemon wires it through `HomeService` (see agent/devices/service.py): the registry
(fed every inbound message), the pending room, the rules and the `set_device_state` tool.
The home skill never builds clients; it reaches devices only through the granted tool.
"""

from agent.devices.actions import (
    DEVICE_ARGUMENTS_SCHEMA,
    ActionResult,
    DeviceActions,
    DeviceRequest,
    OfflinePublisher,
    Outcome,
    Publisher,
)
from agent.devices.model import DesiredState, Device, DeviceState, PlannedCommand
from agent.devices.pending import PendingAction, PendingActions
from agent.devices.queries import StateAnswer, StateQuestion
from agent.devices.registry import DeviceRegistry
from agent.devices.rules import RuleHit, RuleMatcher
from agent.devices.service import HomeService, parse_confirmation
from agent.devices.state import Reading
from agent.devices.tools import SET_DEVICE_STATE, make_device_tools

__all__ = [
    "DEVICE_ARGUMENTS_SCHEMA",
    "SET_DEVICE_STATE",
    "ActionResult",
    "DesiredState",
    "Device",
    "DeviceActions",
    "DeviceRegistry",
    "DeviceRequest",
    "DeviceState",
    "HomeService",
    "OfflinePublisher",
    "Outcome",
    "PendingAction",
    "PendingActions",
    "PlannedCommand",
    "Publisher",
    "Reading",
    "RuleHit",
    "RuleMatcher",
    "StateAnswer",
    "StateQuestion",
    "make_device_tools",
    "parse_confirmation",
]
