"""`HomeService`: the devices side of the daemon in one object.

It owns the registry, the pending room, the rules and the device tools, subscribes what
they need on the bridge, and takes every inbound message first:

    home = HomeService(config, bridge, run_action=lambda hit: dispatcher.handle_action(
        hit.skill, hit.action, hit.args))
    home.subscribe_all()
    tools.register(*home.tools)
    # in the bridge's on_message:  await home.handle_message(topic, payload, meta)
    # control socket:              handlers["confirm"] = home.control_confirm
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from agent.config import HearthConfig
from agent.devices.actions import Publisher, confirm_pending, parse_confirmation
from agent.devices.pending import PendingActions
from agent.devices.registry import DeviceRegistry
from agent.devices.rules import RuleHit, RuleMatcher
from agent.devices.tools import make_device_tools
from agent.errors import HearthError
from agent.mqtt.types import MessageMeta

log = logging.getLogger(__name__)

RunAction = Callable[[RuleHit], Awaitable[Any]]


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
                 clock: Callable[[], float] | None = None) -> None:
        self.bridge = bridge
        self.prefix = config.mqtt.prefix
        self.registry = DeviceRegistry(config, subscribe=bridge.subscribe)
        timeout = config.discovery.confirm_timeout
        self.pending = (PendingActions(timeout) if clock is None
                        else PendingActions(timeout, clock=clock))
        self.rules = RuleMatcher(config.rules)
        self.tools = make_device_tools(self.registry, bridge, self.pending)
        self.run_action = run_action
        self.confirm_topic = f"{self.prefix}/confirm"
        self.reply_topic = f"{self.prefix}/reply"

    def topics(self) -> list[str]:
        """Discovery, state, rule and confirmation topics."""
        return [*self.registry.topics(), *self.rules.topics(), self.confirm_topic]

    def subscribe_all(self) -> None:
        """Subscribe every topic this service needs (renewed by the bridge on reconnect)."""
        large = self.registry.large_topics()
        for topic in self.topics():
            self.bridge.subscribe(topic, max_payload=large.get(topic))

    async def handle_message(self, topic: str, payload: bytes, meta: MessageMeta) -> bool:
        """Feed one inbound message; True when devices used it. ValueError when malformed."""
        if topic == self.confirm_topic:
            if meta.retain:
                return True  # a stale retained confirmation confirms nothing
            result = await self.confirm(parse_confirmation(payload))
            await self._reply(result)
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

    async def confirm(self, action_id: str) -> dict[str, Any]:
        """Approve a pending action (the control socket's "confirm" command)."""
        return await confirm_pending(self.pending, self.bridge, action_id)

    async def control_confirm(self, args: dict[str, Any]) -> dict[str, Any]:
        """The control socket's ``confirm`` handler: args ``{"nonce": ID}`` (or ``{"id": ID}``)."""
        action_id = args.get("nonce", args.get("id"))
        if not isinstance(action_id, str) or not action_id.strip():
            return {"ok": False, "error": "confirm needs the action id as `nonce`"}
        return await self.confirm(action_id)

    async def _reply(self, result: dict[str, Any]) -> None:
        text = result.get("reply") or result.get("error", "")
        try:
            await self.bridge.publish(self.reply_topic, json.dumps({"text": text, **result}))
        except HearthError as exc:
            log.warning("confirmation reply not sent: %s", exc)
