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
from agent.devices.targets import Scope, Targets, resolve
from agent.errors import DeviceError

log = logging.getLogger(__name__)

Status = Literal["sent", "pending", "planned", "failed"]

DOMAINS = ("light", "switch", "fan", "cover", "lock", "climate", "valve", "scene")

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
        "floor": {"type": "string", "description": "floor, for every device of a kind on it"},
        "device_class": {"type": "string", "maxLength": 32,
                         "description": "cover or sensor class: blind, curtain, garage, ..."},
        "scope": {"type": "string", "enum": ["everything"],
                  "description": "everything: every light, switch and fan in the scope"},
        "everywhere": {"type": "boolean", "description": "the whole house"},
        "temperature": {"type": "number", "minimum": 0, "maximum": 100,
                        "description": "thermostat target temperature"},
        "percentage": {"type": "integer", "minimum": 0, "maximum": 100,
                       "description": "fan speed in percent"},
        "stop": {"type": "boolean", "description": "stop a moving cover (or a fan)"},
        "step": {"type": "integer", "minimum": -100, "maximum": 100,
                 "description": "relative brightness change in percent"},
        "scene": {"type": "boolean", "description": "recall the named scene"},
        "speaker_area": {"type": "string",
                         "description": "the room the request came from (a satellite's)"},
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
    floor: str | None = None
    device_class: str | None = None
    scope: str | None = None
    everywhere: bool = False
    speaker_area: str | None = None

    def where(self) -> Scope:
        """Where the request points (agent.devices.targets)."""
        return Scope(device=self.device, area=self.area, floor=self.floor,
                     house=self.everywhere or self.scope == "everything",
                     domain=self.domain, device_class=self.device_class,
                     everything=self.scope == "everything", speaker_area=self.speaker_area)

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, requested_by: str = "") -> DeviceRequest:
        """Validate tool/intent arguments; ValueError naming the bad one."""
        unknown = set(args) - set(DEVICE_ARGUMENTS_SCHEMA["properties"]) - {"dry_run"}
        if unknown:
            raise ValueError(f"unknown argument(s): {', '.join(sorted(unknown))}")
        text = {k: _opt_str(args, k) for k in ("device", "area", "domain", "floor",
                                                "device_class", "scope", "speaker_area")}
        if text["domain"] is not None and text["domain"] not in DOMAINS:
            raise ValueError(f"domain must be one of {', '.join(DOMAINS)}")
        if text["scope"] not in (None, "everything"):
            raise ValueError("scope must be \"everything\"")
        flags = {k: _opt_bool(args, k) for k in ("everywhere", "stop", "scene", "dry_run")}
        if not (text["device"] or text["area"] or text["floor"] or text["device_class"]
                or text["scope"] or flags["everywhere"]):
            raise ValueError("name a device, an area or a floor")
        desired = _desired(args, flags)
        return cls(device=text["device"], area=text["area"], domain=text["domain"],
                   desired=desired, dry_run=flags["dry_run"], requested_by=requested_by,
                   floor=text["floor"], device_class=text["device_class"],
                   scope=text["scope"], everywhere=flags["everywhere"],
                   speaker_area=text["speaker_area"])


def _desired(args: Mapping[str, Any], flags: Mapping[str, bool]) -> DesiredState:
    brightness = _opt_percent(args, "brightness")
    position = _opt_percent(args, "position")
    percentage = _opt_percent(args, "percentage")
    temperature = _opt_number(args, "temperature", 0, 100)
    step = _opt_number(args, "step", -100, 100)
    state = args.get("state")
    if state is None:
        if brightness is None and position is None and percentage is None and \
                temperature is None and step is None and not flags["stop"] and \
                not flags["scene"]:
            raise ValueError("say what to do: state on, off or toggle, or a brightness")
        state = "off" if 0 in (brightness, percentage) else "on"
    if state not in ACTIONS:
        raise ValueError(f"state must be one of {', '.join(ACTIONS)}")
    action: Action = state
    return DesiredState(action, brightness, position, temperature=temperature,
                        percentage=percentage, stop=flags["stop"],
                        step=None if step is None else round(step), scene=flags["scene"])


def _opt_bool(args: Mapping[str, Any], key: str) -> bool:
    value = args.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def _opt_number(args: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    value = args.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{key} must be a number from {low:g} to {high:g}")
    return float(value)


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

    def targets(self, request: DeviceRequest) -> Targets:
        """The devices a request addresses; DeviceError when none (unknown names included)."""
        return resolve(self.registry, request.where())

    async def execute(self, request: DeviceRequest) -> Outcome:
        """Plan every target; hold sensitive ones, publish the rest (unless dry run)."""
        try:
            found = self.targets(request)
        except DeviceError as exc:
            return Outcome(False, str(exc))
        devices = list(found.devices)
        results = [await self._one(device, request, by_name=found.by_name)
                   for device in devices]
        reply = self._reply(request, devices, results)
        if found.left_out:
            reply += (f"; left out: {', '.join(d.name for d in found.left_out)}, "
                      "ask for it by name")
        return Outcome(all(r.status != "failed" for r in results), reply, tuple(results))

    async def _one(self, device: Device, request: DeviceRequest, *,
                   by_name: bool = True) -> ActionResult:
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
        if confirm and not by_name:
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
            change = _change(desired)
            if change is not None:
                title = device.name[:1].upper() + device.name[1:]
                return f"{title} {change}"
            return device.describe(desired.action, desired.brightness, desired.position)
        done = sum(r.status in ("sent", "planned") for r in results)
        what = f"{request.device_class or request.domain}s" \
            if request.device_class or request.domain else "devices"
        if desired.brightness is not None:
            verb = f"set to {desired.brightness}%"
        else:
            verb = _change(desired) or (
                "toggled" if desired.action == "toggle" else f"turned {desired.action}")
        where = (f" in the {normalise(request.area)}" if request.area and
                 not request.area.startswith("device:") else
                 f" on the {normalise(request.floor)}" if request.floor else "")
        failed = len(results) - done
        tail = f" ({failed} failed)" if failed else ""
        return f"{done} {what}{where} {verb}{tail}"


def _change(desired: DesiredState) -> str | None:
    """Reply words for the changes beyond on/off, brightness and position."""
    if desired.scene:
        return "activated"
    if desired.stop:
        return "stopped"
    if desired.temperature is not None:
        return f"set to {desired.temperature:g} degrees"
    if desired.percentage is not None:
        return f"set to {desired.percentage}%" if desired.percentage else "turned off"
    if desired.step is not None:
        return "brighter" if desired.step > 0 else "dimmer"
    return None
