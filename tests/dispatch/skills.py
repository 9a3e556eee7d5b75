"""Skills that misbehave on purpose, for the dispatcher's isolation tests."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from agent.plugins import Event, Reply, Skill, SkillContext, SkillDeclaration, TextEvent
from agent.router.types import Message, ModelRequest


def _decl(name: str, intent: str, sentence: str, **fields: Any) -> SkillDeclaration:
    return SkillDeclaration(name=name, description=f"The {name} test skill.", tier="none",
                            intents={intent: (sentence,)}, **fields)


async def _crash(ctx: SkillContext, event: Event) -> Reply:
    raise RuntimeError("boom from a buggy skill")


async def _hang(ctx: SkillContext, event: Event) -> Reply:
    await asyncio.sleep(3600)
    return Reply("never")


class Stubborn:
    """Ignores the first cancellation and carries on for a while (a badly written skill)."""

    def __init__(self) -> None:
        self.finished = asyncio.Event()

    async def __call__(self, ctx: SkillContext, event: Event) -> Reply:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(1.5)  # swallowing the cancellation
        self.finished.set()
        return Reply("late")


async def _junk(ctx: SkillContext, event: Event) -> Any:
    return 42


async def _exit(ctx: SkillContext, event: Event) -> Reply:
    sys.exit(3)


class Gauge:
    """Counts handler calls running at once."""

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0

    async def __call__(self, ctx: SkillContext, event: Event) -> Reply:
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(0.05)
        finally:
            self.running -= 1
        return Reply("measured")


async def _tools(ctx: SkillContext, event: Event) -> Reply:
    return Reply(",".join(sorted(ctx.tools)))


async def _ask_model(ctx: SkillContext, event: Event) -> Reply:
    text = event.text if isinstance(event, TextEvent) else "hello"
    response = await ctx.router.complete(
        ModelRequest(skill=ctx.name, messages=[Message("user", text)]))
    return Reply(response.text, {"tier": response.tier_used, "ledger_id": response.ledger_id})


crashy = Skill(_decl("crashy", "CrashNow", "crash now"), _crash)
sleepy = Skill(_decl("sleepy", "SleepNow", "sleep now"), _hang)
junk = Skill(_decl("junk", "JunkNow", "junk now"), _junk)
exiter = Skill(_decl("exiter", "ExitNow", "exit now"), _exit)
toolish = Skill(_decl("toolish", "ToolsNow", "show tools", tools=("set_device_state",)), _tools)
thinker = Skill(SkillDeclaration(name="thinker", description="Thinks with the local model.",
                                 tier="local", allow_cloud=False,
                                 intents={"ThinkNow": ("think about {topic}",)}), _ask_model)


def stubborn(handler: Stubborn) -> Skill:
    """A skill whose handler ignores cancellation."""
    return Skill(_decl("stubborn", "StubbornNow", "be stubborn"), handler)


def gauged(handler: Gauge) -> Skill:
    """A skill that measures its own concurrency."""
    return Skill(_decl("gauged", "GaugeNow", "measure"), handler)
