"""Inbound MQTT: each message to the part that owns its topic.

Device state, discovery, rules and confirmations are handled inline (fast, ordered);
requests on `<prefix>/ask` and skill topics run as tracked tasks, so a slow model call
never holds up the queue behind it, and shutdown can drain them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, cast

from agent.daemon.core import Core
from agent.errors import DeviceError, HearthError
from agent.mqtt.bridge import MqttBridge
from agent.mqtt.ha_discovery import HaDiscovery
from agent.mqtt.requests import allowed_tier, build_reply, parse_ask
from agent.mqtt.types import MessageMeta
from agent.words import plural

if TYPE_CHECKING:
    from agent.router.types import Tier

log = logging.getLogger(__name__)


class Inbound:
    """Routes inbound messages and keeps count of the work still in flight."""

    name = "inbound"

    def __init__(self, core: Core, bridge: MqttBridge, ha: HaDiscovery, *,
                 max_in_flight: int = 32) -> None:
        self.core = core
        self.bridge = bridge
        self.ha = ha
        self.prefix = core.config.mqtt.prefix
        self.ask_topic = f"{self.prefix}/ask"
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepting = True

    def topics(self) -> list[str]:
        """Topics this router needs besides the devices' own."""
        skill_topics = sorted({t for s in self.core.dispatcher.skills.skills.values()
                               for t in s.declaration.topics})
        return [self.ask_topic, *self.ha.topics(), *skill_topics]

    def subscribe_all(self) -> None:
        """Subscribe everything inbound needs (the bridge renews it on every reconnect)."""
        self.core.home.subscribe_all()
        for topic in self.topics():
            self.bridge.subscribe(topic)

    @property
    def in_flight(self) -> int:
        """Requests and skill runs not finished yet."""
        return len(self._tasks)

    async def on_message(self, topic: str, payload: bytes, meta: MessageMeta) -> None:
        """The bridge's handler. MalformedMessage means bad input (the bridge counts it)."""
        if not self.accepting:
            return
        if topic == self.ask_topic:
            if meta.retain:
                return  # a retained request would re-run on every restart
            request = parse_ask(payload, meta, prefix=self.prefix,
                                refuse_topic=self.core.home.registry.is_command_topic)
            self._spawn(self._answer(request), "ask")
            return
        if await self.ha.handle_message(topic, payload):
            return
        await self.core.home.handle_message(topic, payload, meta)
        if self.core.dispatcher.skills.by_topic(topic):
            self._spawn(self._to_skills(topic, payload), f"mqtt:{topic[:40]}")

    async def _answer(self, request: Any) -> None:
        result = await self.core.dispatcher.handle_text(request.text, trigger="mqtt",
                                                        dry_run=request.dry_run,
                                                        area=self._area_of(request),
                                                        conversation=request.conversation,
                                                        tier=self._tier(request.tier))
        data = dict(result.reply.data) if result.reply is not None else {}
        data.setdefault("skill", result.skill)
        data.setdefault("status", str(result.status))
        text = result.text
        if request.reply_topic == f"{self.prefix}/reply":
            # Every client may read the shared topic: a pending action's id stays off it.
            text, data = self.core.home.shared_reply(text, data)
        try:
            await build_reply(request, text, data=data).send(self.bridge)
        except (DeviceError, HearthError) as exc:
            log.warning("reply to %s not sent: %s", request.reply_topic, exc)

    def _area_of(self, request: Any) -> str | None:
        """The request's own area, else its satellite's configured area (`[[satellites]]`)."""
        if request.area is not None or request.satellite is None:
            return str(request.area) if request.area is not None else None
        for satellite in getattr(self.core.config, "satellites", ()):
            if satellite.id == request.satellite:
                return str(satellite.area)
        log.warning("request from unknown satellite %r: no area", request.satellite[:80])
        return None

    def _tier(self, tier: str | None) -> Tier | None:
        """A JSON "tier" only where [ask] mqtt_tiers allows it (parse_ask checked the name)."""
        return cast("Tier | None", allowed_tier(tier, self.core.config.ask.mqtt_tiers,
                                                topic=self.ask_topic))

    async def _to_skills(self, topic: str, payload: bytes) -> None:
        await self.core.dispatcher.handle_mqtt(topic, payload)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        async def bounded() -> None:
            async with self._slots:
                try:
                    await coro
                except Exception:
                    # The dispatcher isolates skills; this catches faults in our own glue.
                    log.exception("inbound %s failed", name)

        task = asyncio.create_task(bounded(), name=f"inbound-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Stop accepting, then wait up to `timeout` s for work in flight; cancel the rest."""
        self.accepting = False
        if not self._tasks:
            return
        done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            log.warning("abandoning %s at shutdown", task.get_name())
            task.cancel()
        log.info("drained %s, abandoned %d", plural(len(done), "in-flight request"),
                 len(pending))
