"""The skill contract: what a skill declares, what it is handed, what it hands back.

A skill is data (a frozen `SkillDeclaration`) plus one async handler. The core reads the
declaration at start-up, refuses duplicates, and builds each handler a `SkillContext` that
holds only what the skill declared: a router bound to its name and tier, its granted tools,
its validated config section and a logger.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from agent.router.types import ModelRequest, ModelResponse, Tier, ToolSpec


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A timed run the skill wants: five-field cron in the household's timezone."""

    name: str
    cron: str
    # Latest local time ("HH:MM") at which a run missed while hearth was down still runs.
    catch_up_until: str | None = None
    catch_up_hours: float = 1.0


@dataclass(frozen=True, slots=True)
class SkillDeclaration:
    """Everything the core needs to know about a skill before running it."""

    name: str
    description: str
    tier: Tier
    fallback: tuple[Tier, ...] = ()
    allow_cloud: bool = True
    # hassil sentence templates: {"IntentName": ["turn on {name}", ...]}.
    intents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Home Assistant intents (from home-assistant-intents) the skill handles, e.g. HassTurnOn.
    ha_intents: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    schedules: tuple[ScheduleSpec, ...] = ()
    tools: tuple[str, ...] = ()
    config_schema: type[BaseModel] | None = None
    # JSON schema of the arguments the local dispatcher may pass on free text.
    arguments_schema: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class TextEvent:
    """Free text from a person (`hearth ask`, `<prefix>/ask`, a voice satellite)."""

    text: str
    # Set when the intent matcher matched: the intent's name and its slot values.
    intent: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    # Set when the local dispatcher chose this skill: the arguments it extracted.
    arguments: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class MqttEvent:
    """A message on a topic the skill subscribed to. The payload is untrusted bytes."""

    topic: str
    payload: bytes
    retain: bool = False


@dataclass(frozen=True, slots=True)
class ScheduleEvent:
    """A scheduled run; ``planned`` is when it should have run (it may be a catch-up)."""

    job: str
    planned: datetime
    catch_up: bool = False


@dataclass(frozen=True, slots=True)
class ActionEvent:
    """A named action with arguments, from a rule or another part of the core."""

    action: str
    args: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False


Event = TextEvent | MqttEvent | ScheduleEvent | ActionEvent


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler hands back: text for a person, and optional structured data."""

    text: str
    data: Mapping[str, Any] = field(default_factory=dict)


class SkillRouter(Protocol):
    """The router as a skill sees it: bound to the skill's name, tier and cloud policy."""

    async def complete(self, request: ModelRequest, tier: Tier | None = None) -> ModelResponse:
        """Run `request` on the skill's tier (or a lower one it names)."""
        ...


@dataclass(frozen=True, slots=True)
class SkillContext:
    """What a handler is given. Nothing else: no clients, no tools it did not declare."""

    name: str
    router: SkillRouter
    tools: Mapping[str, ToolSpec]
    config: BaseModel | None
    log: logging.Logger


Handler = Callable[[SkillContext, Event], Awaitable[Reply | None]]


@dataclass(frozen=True, slots=True)
class Skill:
    """A declaration and its handler; what `skills/<name>` and entry points provide."""

    declaration: SkillDeclaration
    handler: Handler


def unwired(declaration: SkillDeclaration, needs: str) -> Skill:
    """The entry-point form of a built-in skill that needs objects only the daemon builds.

    Discovery reads its declaration; the daemon passes the wired skill (same name) through
    `discover(extra=...)`, which replaces this one. Run on its own, it says what is missing.
    """

    async def handler(_ctx: SkillContext, _event: Event) -> Reply | None:
        from agent.errors import SkillError

        raise SkillError(f"the {declaration.name} skill is not wired ({needs})",
                         skill=declaration.name)

    return Skill(declaration, handler)
