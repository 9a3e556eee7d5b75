"""Carrying out device requests: validate against the registry, plan, hold or publish.

This is the allow-listed code between any request (an intent, a rule, a model's tool call)
and a publish. A request names a device (or an area); anything not in the registry is
refused; a command whose TARGET is sensitive (the device, the owner of its topic, or what
its payload would do: see agent/devices/sensitivity.py) gets a pending confirmation instead
of a publish; area-wide requests never include such commands.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, Protocol

from agent.devices.model import ACTIONS, Action, DesiredState, Device, PlannedCommand, normalise
from agent.devices.pending import PendingActions
from agent.devices.registry import DeviceRegistry
from agent.errors import DeviceError

log = logging.getLogger(__name__)

Status = Literal["sent", "pending", "planned", "failed"]

DOMAINS = ("light", "switch", "fan", "cover", "lock", "climate")

# What the `set_device_state` tool accepts; also the home skill's `arguments_schema`.
DEVICE_ARGUMENTS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "device": {"type": "string", "description": "device name or alias, as the person said it"},
        "area": {"type": "string", "description": "room, when the request is for a whole room"},
        "domain": {"type": "string", "enum": list(DOMAINS),
                   "description": "kind of device, with `area` (e.g. all the lights)"},
        "state": {"type": "string", "enum": list(ACTIONS)},
        "brightness": {"type": "integer", "minimum": 0, "maximum": 100,
                       "description": "light level in percent"},
        "position": {"type": "integer", "minimum": 0, "maximum": 100,
                     "description": "cover position in percent (100 = open)"},
    },
    "additionalProperties": False,
}


class Publisher(Protocol):
    """The part of `MqttBridge` actions need."""

    async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                      retain: bool = False) -> None:
        """Send one message."""
        ...


class OfflinePublisher:
    """A publisher for processes without a broker (`hearth ask --dry-run`): refuses to send."""

    async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                      retain: bool = False) -> None:
        """Always refuses; dry runs never get here."""
        raise DeviceError(f"no MQTT broker in this process; {topic} not sent")


@dataclass(frozen=True, slots=True)
class DeviceRequest:
    """One validated request: a device or an area, and what to do."""

    device: str | None = None
    area: str | None = None
    domain: str | None = None
    desired: DesiredState = field(default_factory=DesiredState)
    dry_run: bool = False
    requested_by: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, requested_by: str = "") -> DeviceRequest:
        """Validate tool/intent arguments; ValueError naming the bad one."""
        unknown = set(args) - set(DEVICE_ARGUMENTS_SCHEMA["properties"]) - {"dry_run"}
        if unknown:
            raise ValueError(f"unknown argument(s): {', '.join(sorted(unknown))}")
        device = _opt_str(args, "device")
        area = _opt_str(args, "area")
        domain = _opt_str(args, "domain")
        if domain is not None and domain not in DOMAINS:
            raise ValueError(f"domain must be one of {', '.join(DOMAINS)}")
        if device is None and area is None:
            raise ValueError("name a device or an area")
        brightness = _opt_percent(args, "brightness")
        position = _opt_percent(args, "position")
        state = args.get("state")
        if state is None:
            if brightness is None and position is None:
                raise ValueError("say what to do: state on, off or toggle, or a brightness")
            state = "off" if brightness == 0 else "on"
        if state not in ACTIONS:
            raise ValueError(f"state must be one of {', '.join(ACTIONS)}")
        action: Action = state
        return cls(device=device, area=area, domain=domain,
                   desired=DesiredState(action, brightness, position),
                   dry_run=bool(args.get("dry_run", False)), requested_by=requested_by)


def _opt_str(args: Mapping[str, Any], key: str) -> str | None:
    value = args.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise ValueError(f"{key} must be a short non-empty string")
    return value.strip()


def _opt_percent(args: Mapping[str, Any], key: str) -> int | None:
    value = args.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError(f"{key} must be a number from 0 to 100")
    return round(value)


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What happened (or would happen) to one device."""

    device: str
    name: str
    desired: dict[str, Any]
    topic: str | None
    payload: str | None
    needs_confirmation: bool
    status: Status
    qos: int = 1
    retain: bool = False
    pending_id: str | None = None
    expires_in: float | None = None
    error: str | None = None


_RESULT_FIELDS = tuple(f.name for f in fields(ActionResult))


@dataclass(frozen=True, slots=True)
class Outcome:
    """The whole request's result: a reply for a person and one entry per device."""

    ok: bool
    reply: str
    actions: tuple[ActionResult, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (tool results, dry-run output)."""
        # Shallow on purpose: every field is already JSON-ready, and dataclasses.asdict's
        # deep copy was a measurable share of a device command's time.
        return {"ok": self.ok, "reply": self.reply,
                "actions": [{f: getattr(a, f) for f in _RESULT_FIELDS} for a in self.actions]}

    def to_json(self) -> str:
        """The tool result a model reads."""
        return json.dumps(self.as_dict(), separators=(",", ":"))


class DeviceActions:
    """Executes `DeviceRequest`s against the registry, the pending room and the broker."""

    def __init__(self, registry: DeviceRegistry, publisher: Publisher,
                 pending: PendingActions) -> None:
        self.registry = registry
        self.publisher = publisher
        self.pending = pending

    def targets(self, request: DeviceRequest) -> list[Device]:
        """The devices a request addresses; DeviceError when none (unknown names included)."""
        if request.device is not None:
            device = self.registry.resolve(request.device)
            if device is None:
                raise DeviceError(f"I don't know a device called {request.device!r}")
            return [device]
        assert request.area is not None  # from_args guarantees a device or an area
        found = [d for d in self.registry.in_area(request.area, request.domain)
                 if not d.sensitive]
        if not found:
            what = f"{request.domain}s" if request.domain else "devices"
            raise DeviceError(f"no {what} in the {normalise(request.area)} I may switch")
        return found

    async def execute(self, request: DeviceRequest) -> Outcome:
        """Plan every target; hold sensitive ones, publish the rest (unless dry run)."""
        try:
            devices = self.targets(request)
        except DeviceError as exc:
            return Outcome(False, str(exc))
        results = [await self._one(device, request) for device in devices]
        return Outcome(all(r.status != "failed" for r in results),
                       self._reply(request, devices, results), tuple(results))

    async def _one(self, device: Device, request: DeviceRequest) -> ActionResult:
        desired = request.desired
        result = ActionResult(device=device.id, name=device.name, desired=desired.as_dict(),
                              topic=None, payload=None, needs_confirmation=device.sensitive,
                              status="planned")
        try:
            command = self.registry.plan(device, desired)
        except DeviceError as exc:
            return replace(result, status="failed", error=str(exc))
        # The gate: decided by the command's target, checked here, right before a publish,
        # whatever entry, rule, skill or tool produced the request.
        reason = self.registry.confirmation_reason(device, command)
        confirm = reason is not None or command.needs_confirmation
        command = replace(command, needs_confirmation=confirm)
        result = replace(result, topic=command.topic, payload=command.payload,
                         needs_confirmation=confirm, qos=command.qos, retain=command.retain)
        if confirm and request.device is None:
            # Whole-room requests never sweep in something that needs a person's yes.
            return replace(result, status="failed",
                           error=f"needs confirmation ({reason}); ask for it by name")
        if request.dry_run:
            return result
        state = self.registry.state(device.id)
        if state is not None and state.available is False:
            # The device said it is offline: a command now would be lost or run late.
            return replace(result, status="failed", error=f"{device.name} is offline")
        if confirm:
            log.info("command for %s held for confirmation: %s", device.id,
                     reason or "sensitive device")
            held = self.pending.create(device, desired, command,
                                       requested_by=request.requested_by)
            return replace(result, status="pending", pending_id=held.id,
                           expires_in=self.pending.timeout)
        return await self._send(device, command, request, result)

    async def _send(self, device: Device, command: PlannedCommand, request: DeviceRequest,
                    result: ActionResult) -> ActionResult:
        try:
            await self.publisher.publish(command.topic, command.payload, qos=command.qos,
                                         retain=command.retain)
        except DeviceError as exc:
            log.warning("command for %s not sent: %s", device.name, exc)
            return replace(result, status="failed", error=str(exc))
        log.info("device %s -> %s %s (%s)", device.id, command.topic, command.payload,
                 request.requested_by or "request")
        return replace(result, status="sent")

    @classmethod
    def _reply(cls, request: DeviceRequest, devices: list[Device],
               results: list[ActionResult]) -> str:
        text = cls._outcome(request, devices, results)
        if not request.dry_run:
            return text
        # A dry run did nothing: say so, or "Front door is unlocked" would be a lie.
        confirm = any(r.needs_confirmation for r in results)
        return f"Dry run, nothing sent; planned: {text}" + (
            " (needs confirmation)" if confirm else "")

    @staticmethod
    def _outcome(request: DeviceRequest, devices: list[Device],
                 results: list[ActionResult]) -> str:
        desired = request.desired
        if len(results) == 1:
            device, result = devices[0], results[0]
            if result.status == "failed":
                return f"Could not switch {device.name}: {result.error}"
            if result.status == "pending":
                return (f"{device.describe(desired.action)} once confirmed: "
                        f"hearth confirm {result.pending_id} (expires in "
                        f"{result.expires_in:.0f} s)")
            return device.describe(desired.action, desired.brightness, desired.position)
        done = sum(r.status in ("sent", "planned") for r in results)
        what = f"{request.domain}s" if request.domain else "devices"
        if desired.brightness is not None:
            verb = f"set to {desired.brightness}%"
        else:
            verb = "toggled" if desired.action == "toggle" else f"turned {desired.action}"
        where = f" in the {normalise(request.area)}" if request.area else ""
        failed = len(results) - done
        tail = f" ({failed} failed)" if failed else ""
        return f"{done} {what}{where} {verb}{tail}"
