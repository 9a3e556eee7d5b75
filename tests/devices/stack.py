"""A real home stack for tests: bridge on the test broker, HomeService, the home skill."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from agent.devices import HomeService, RuleHit
from agent.mqtt import MessageMeta, MqttBridge
from agent.plugins.contract import ActionEvent, Event, Reply, SkillContext, TextEvent
from agent.router.types import ModelRequest, ModelResponse, Tier
from skills.home import skill
from tests.mqtt.client import make_config
from tests.support.broker import Broker
from tests.support.skill_points import bare_services


class NoModelRouter:
    """The home skill's router: any model call is a test failure (tier none means no model)."""

    calls = 0

    async def complete(self, request: ModelRequest, tier: Tier | None = None) -> ModelResponse:
        NoModelRouter.calls += 1
        raise AssertionError(f"home called a model: {request}")


@dataclass
class HomeStack:
    bridge: MqttBridge
    home: HomeService
    ctx: SkillContext
    prefix: str
    replies: list[Reply] = field(default_factory=list)
    handled: int = 0

    async def handle(self, event: Event) -> Reply | None:
        reply = await skill.handler(self.ctx, event)
        if reply is not None:
            self.replies.append(reply)
        return reply

    async def text(self, intent: str, dry_run: bool = False, **slots: Any) -> Reply:
        reply = await self.handle(TextEvent(text="", intent=intent, slots=slots,
                                            dry_run=dry_run))
        assert reply is not None
        return reply

    async def wait_for(self, cond: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.02)


def make_context(home: HomeService) -> SkillContext:
    return bare_services("home", NoModelRouter(), {t.name: t for t in home.tools},
                         devices=home.registry)


@asynccontextmanager
async def home_stack(broker: Broker, prefix: str, *, clock: Callable[[], float] | None = None,
                     **config: Any) -> AsyncIterator[HomeStack]:
    cfg = make_config(broker, prefix, **config)
    bridge = MqttBridge(cfg)
    stack: HomeStack

    async def run_action(hit: RuleHit) -> None:
        assert hit.skill == "home"
        await stack.handle(ActionEvent(hit.action, hit.args))

    home = HomeService(cfg, bridge, run_action=run_action, clock=clock)
    stack = HomeStack(bridge, home, make_context(home), prefix)

    async def on_message(topic: str, payload: bytes, meta: MessageMeta) -> None:
        await home.handle_message(topic, payload, meta)
        stack.handled += 1

    bridge.on_message = on_message
    home.subscribe_all()
    await bridge.start()
    assert await bridge.wait_subscribed(10)
    try:
        yield stack
    finally:
        await bridge.stop()
