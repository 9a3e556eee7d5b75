"""`HomeService`: the devices side of the daemon in one object.

It owns the registry, the pending room, the rules and the device tools, subscribes what
they need on the bridge, and takes every inbound message first:

    home = HomeService(config, bridge, run_action=lambda hit: dispatcher.handle_action(
        hit.skill, hit.action, hit.args), history=ApprovalHistory(db))
    home.subscribe_all()
    tools.register(*home.tools)
    # in the bridge's on_message:  await home.handle_message(topic, payload, meta)
    # control socket:              handlers.update(home.control_handlers())

Who may approve a pending action: the control socket always (path "control"); MQTT
(`<prefix>/confirm`, path "mqtt") only with ``[approval] mqtt = true``; otherwise hearth does
not even subscribe to that topic. An action's full id never goes out on a shared topic
(`shared_reply` strips it): only to the control socket and to a requester's own MQTT v5
response topic.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from agent.config import HearthConfig
from agent.devices.actions import Publisher
from agent.devices.approvals import ApprovalHistory
from agent.devices.pending import GROUP, PendingActions, PendingEvent, code_of
from agent.devices.registry import DeviceRegistry
from agent.devices.rules import RuleHit, RuleMatcher
from agent.devices.tools import make_device_tools
from agent.errors import DeviceError, HearthError, MalformedMessage
from agent.mqtt.payload import decode_text, load_json
from agent.mqtt.types import MessageMeta

log = logging.getLogger(__name__)

RunAction = Callable[[RuleHit], Awaitable[Any]]
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]

# A full action id as `pending.new_id` writes it (what must not reach a shared topic).
_ID_RE = re.compile(r"\b([a-z2-9]{5})(?:-[a-z2-9]{5}){3}\b")
MAX_CONFIRM_BYTES = 256


class Bridge(Publisher, Protocol):
    """What the home service needs of a bridge: publish, and remembered subscriptions."""

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Subscribe now and after every reconnect."""
        ...

# A trigger that waited longer than this in the inbound queue fires no rule: a button press
# must not switch a light a minute late.
STALE_AFTER_S = 30.0


class HomeService:
    """Registry, confirmation, rules and tools, bound to one bridge."""

    def __init__(self, config: HearthConfig, bridge: Bridge, *,
                 run_action: RunAction | None = None,
                 clock: Callable[[], float] | None = None,
                 history: ApprovalHistory | None = None) -> None:
        self.bridge = bridge
        self.prefix = config.mqtt.prefix
        self.registry = DeviceRegistry(config, subscribe=bridge.subscribe)
        timeout = config.discovery.confirm_timeout
        self.history = history
        self.pending = (PendingActions(timeout, on_event=self._on_event) if clock is None
                        else PendingActions(timeout, clock=clock, on_event=self._on_event))
        self.rules = RuleMatcher(config.rules)
        self.tools = make_device_tools(self.registry, bridge, self.pending)
        self.run_action = run_action
        self.mqtt_approval = config.approval.mqtt
        self.confirm_topic = f"{self.prefix}/confirm"
        self.reply_topic = f"{self.prefix}/reply"
        self._timers: list[asyncio.TimerHandle] = []

    def topics(self) -> list[str]:
        """Discovery, state, rule and (when MQTT approval is on) confirmation topics."""
        own = [self.confirm_topic] if self.mqtt_approval else []
        return [*self.registry.topics(), *self.rules.topics(), *own]

    def subscribe_all(self) -> None:
        """Subscribe every topic this service needs (renewed by the bridge on reconnect)."""
        large = self.registry.large_topics()
        for topic in self.topics():
            self.bridge.subscribe(topic, max_payload=large.get(topic))

    async def handle_message(self, topic: str, payload: bytes, meta: MessageMeta) -> bool:
        """Feed one inbound message; True when devices used it. MalformedMessage when malformed."""
        if topic == self.confirm_topic:
            await self._mqtt_confirm(payload, meta)
            return True
        used = self.registry.handle_message(topic, payload)
        hits = self.rules.match(topic, payload, retain=meta.retain)
        age = time.monotonic() - meta.received_at if meta.received_at else 0.0
        if hits and age > STALE_AFTER_S:
            log.warning("trigger on %s waited %.0f s; %d rule(s) not fired", topic, age, len(hits))
            return True
        for hit in hits:
            log.info("rule %d fired on %s: %s.%s", hit.index, topic, hit.skill, hit.action)
            if self.run_action is not None:
                await self.run_action(hit)
        return used or bool(hits)

    async def confirm(self, action_id: str, *, path: str = "control",
                      detail: str = "") -> dict[str, Any]:
        """Approve a pending action and publish its command, once (`detail`: who, within
        `path`, for the approval history).

        Returns ``{"ok": True, "reply", "device", "topic", "code"}`` or ``{"ok": False,
        "error"}``; an unknown, used or expired id publishes nothing.
        """
        held = self.pending.confirm(action_id, path=path, detail=detail)
        if held is None:
            return {"ok": False, "error": f"no pending action {code_of(action_id)!r} "
                                          "(unknown, already used or expired)"}
        command = held.command
        try:
            await self.bridge.publish(command.topic, command.payload, qos=command.qos,
                                      retain=command.retain)
        except DeviceError as exc:
            self._record(PendingEvent("refused", held.code, path, held.device.id, command.topic,
                                      command.payload, f"approved but not sent: {exc}"))
            return {"ok": False, "error": f"confirmed, but not sent: {exc}"}
        log.info("confirmed action %s over %s: %s -> %s %s", held.code, path, held.device.id,
                 command.topic, command.payload)
        return {"ok": True, "code": held.code, "device": held.device.id, "topic": command.topic,
                "reply": held.device.describe(held.desired.action, held.desired.brightness,
                                              held.desired.position)}

    def control_handlers(self) -> dict[str, Handler]:
        """The control socket commands this service answers."""
        return {"confirm": self.control_confirm, "pending": self.control_pending,
                "cancel": self.control_cancel}

    async def control_confirm(self, args: dict[str, Any]) -> dict[str, Any]:
        """The control socket's ``confirm`` handler: args ``{"nonce": ID}`` (or ``{"id": ID}``)."""
        action_id = args.get("nonce", args.get("id"))
        if not isinstance(action_id, str) or not action_id.strip():
            return {"ok": False, "error": "confirm needs the action id as `nonce`"}
        return await self.confirm(action_id, path="control")

    async def control_cancel(self, args: dict[str, Any]) -> dict[str, Any]:
        """The control socket's ``cancel`` handler: the household refuses action ``id``."""
        action_id = args.get("id")
        if not isinstance(action_id, str) or not self.pending.cancel(action_id):
            return {"ok": False, "error": "no such pending action (unknown, used or expired)"}
        return {"ok": True, "reply": f"cancelled {code_of(action_id)}"}

    async def control_pending(self, args: dict[str, Any]) -> dict[str, Any]:
        """The control socket's ``pending`` handler: what waits, and (``history``) what was."""
        now = self.pending_clock()
        waiting = [{"id": p.id, "code": p.code, "device": p.device.id, "name": p.device.name,
                    "desired": p.desired.as_dict(), "topic": p.command.topic,
                    "payload": p.command.payload, "requested_by": p.requested_by,
                    "expires_in": round(max(0.0, p.expires_at - now), 1)}
                   for p in self.pending.pending()]
        result: dict[str, Any] = {"pending": waiting}
        if args.get("history"):
            limit = args.get("limit", 50)
            if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 5000:
                return {"ok": False, "error": "limit must be an integer from 1 to 5000"}
            if self.history is None:
                return {"ok": False, "error": "this hearth keeps no approval history"}
            result["history"] = await self.history.recent(limit)
        return result

    def pending_clock(self) -> float:
        """The pending room's clock (monotonic seconds, or a test's)."""
        return self.pending._clock()

    def shared_reply(self, text: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """`text` and `data` fit for a topic every broker client may read: no action ids."""
        hint = r"\1… (see `hearth pending` on the hearth host)"
        clean = _ID_RE.sub(hint, text)
        actions = data.get("actions")
        if isinstance(actions, list):
            data = {**data, "actions": [_without_id(a) for a in actions]}
        return clean, data

    async def _mqtt_confirm(self, payload: bytes, meta: MessageMeta) -> None:
        if meta.retain:
            return  # a stale retained confirmation confirms nothing
        action_id = parse_confirmation(payload)
        if not self.mqtt_approval:
            # Not subscribed when off; a message here anyway is refused and recorded.
            self.pending.refuse(action_id, path="mqtt", reason="approval over MQTT is off")
            return
        result = await self.confirm(action_id, path="mqtt")
        await self._reply(result, meta)

    async def _reply(self, result: dict[str, Any], meta: MessageMeta) -> None:
        from agent.mqtt.requests import build_reply, parse_ask

        # parse_ask applies the same response-topic rules as requests: hearth's own topics,
        # device command topics and wildcards are refused in favour of <prefix>/reply.
        request = parse_ask(b"confirm", meta, prefix=self.prefix,
                            refuse_topic=self.registry.is_command_topic)
        text = result.get("reply") or result.get("error", "")
        # Same body as always ({"text", "ok", ...}); build_reply adds the correlation data.
        message = dataclasses.replace(build_reply(request, text),
                                      payload=json.dumps({"text": text, **result}))
        try:
            await message.send(self.bridge)
        except HearthError as exc:
            log.warning("confirmation reply not sent: %s", exc)

    def _on_event(self, event: PendingEvent) -> None:
        self._record(event)
        if event.kind == "requested":
            self._schedule_expiry()

    def _record(self, event: PendingEvent) -> None:
        if self.history is not None:
            self.history.record(event)

    def _schedule_expiry(self) -> None:
        # Expiry is otherwise noticed lazily; a timer makes it recorded when it happens.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timers = [t for t in self._timers if not t.cancelled()
                        and t.when() > loop.time()]
        self._timers.append(loop.call_later(self.pending.timeout + 0.5, self.pending.expire_now))


def _without_id(action: Any) -> Any:
    if not isinstance(action, dict) or not action.get("pending_id"):
        return action
    pending_id = str(action["pending_id"])
    return {**action, "pending_id": None, "pending_code": pending_id[:GROUP]}


def parse_confirmation(payload: bytes) -> str:
    """The action id in a `<prefix>/confirm` message: bare text or ``{"id": "..."}``."""
    if len(payload) > MAX_CONFIRM_BYTES:
        raise MalformedMessage("confirmation longer than an action id")
    text = decode_text(payload).strip()
    if text.startswith("{"):
        doc = load_json(text, max_depth=2)
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise MalformedMessage("confirmation JSON needs a string `id`")
        text = doc["id"].strip()
    if not text or len(text) > 64 or not text.replace("-", "").isalnum():
        raise MalformedMessage("confirmation id must be a short alphanumeric string")
    return text
