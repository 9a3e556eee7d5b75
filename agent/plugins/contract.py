"""The skill contract: what a skill declares, what it is handed, what it hands back.

A skill is data (a frozen `SkillDeclaration`) plus one async handler, given directly or
built by a `setup(services)` hook. The core reads the declaration at start-up, refuses
duplicates, and builds each skill its `Services` (agent/plugins/services.py): only what the
skill declared, a router bound to its name and tier, its granted tools, its config section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from agent.plugins.services import Services
from agent.privacy.scopes import ScopePolicy
from agent.router.types import Message, ModelRequest, ModelResponse, Tier


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
    # MQTT topic filters the skill may publish on (`{prefix}` is the configured prefix).
    publishes: tuple[str, ...] = ()
    config_schema: type[BaseModel] | None = None
    # JSON schema of the arguments the local dispatcher may pass on free text.
    arguments_schema: Mapping[str, Any] | None = None
    # Data scopes (agent/privacy/scopes.py) its requests may send to a cloud tier, and what a
    # cloud request carrying any other scope does.
    cloud_scopes: tuple[str, ...] = ("utterance",)
    scope_policy: ScopePolicy = "refuse"
    # Phrases that select this skill with no model call ("ask claude").
    cues: tuple[str, ...] = ()
    # The skill run once instead when this one's budget is used up or its model unreachable.
    fallback_skill: str | None = None


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
    # Earlier turns of a follow-up conversation, oldest first; untrusted when any held feed text.
    earlier: tuple[Message, ...] = ()
    earlier_untrusted: bool = False
    # The cue that chose the skill, if one did.
    cue: str | None = None


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


# A handler's first argument: the skill's `Services` (the old name is kept for handlers).
SkillContext = Services

Handler = Callable[[Services, Event], Awaitable[Reply | None]]
# A skill's setup hook: given its services, the handler it runs with (or None: "off in this
# configuration", with the reason logged by the skill). Called once per runtime.
Setup = Callable[[Services], "Handler | Awaitable[Handler | None] | None"]


@dataclass(frozen=True, slots=True)
class Skill:
    """A declaration plus either a ready `handler` or a `setup` hook that builds one from
    the skill's services; what `skills/<name>` and third-party entry points provide."""

    declaration: SkillDeclaration
    handler: Handler | None = None
    setup: Setup | None = None

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.setup is None):
            raise TypeError(f"skill {self.declaration.name!r}: give exactly one of handler= "
                            "and setup=")
