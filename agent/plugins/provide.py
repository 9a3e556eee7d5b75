"""Building each skill's `Services` from the parts one runtime opened (see daemon/core.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from agent.plugins.services import (
    Clock,
    CommandTopics,
    DeviceView,
    PartBoard,
    Publish,
    Services,
    SkillLedger,
    Storage,
    SystemClock,
    TopicPublisher,
)
from agent.plugins.skillset import LoadedSkill
from agent.plugins.tools import ToolRegistry

if TYPE_CHECKING:
    from agent.config.root import HearthConfig
    from agent.db import Database
    from agent.ledger import Ledger
    from agent.notifiers.types import Notifier
    from agent.plugins.contract import SkillRouter
    from agent.privacy.scopes import ScopePolicy
    from agent.router.batches import BatchClient
    from agent.router.types import Tier, ToolSpec


class Binder(Protocol):
    """What services need of the router: a handle bound to one skill."""

    def bind(self, skill: str, *, tier: Tier, allow_cloud: bool,
             fallback: tuple[Tier, ...] = (), tools: Mapping[str, ToolSpec] = ...,
             cloud_scopes: tuple[str, ...] | None = ..., scope_policy: ScopePolicy = ...
             ) -> SkillRouter:
        """A router handle for `skill`."""
        ...


class Devices(DeviceView, CommandTopics, Protocol):
    """The device registry as services use it: read access, and which topics command."""


def _ignore(_fn: Callable[[], Awaitable[None]]) -> None:
    return None


@dataclass
class ServiceFactory:
    """Everything a runtime opened that skills may be handed a narrowed view of."""

    household: HearthConfig
    router: Binder
    tools: ToolRegistry
    ledger: Ledger
    database: Database
    devices: Devices
    state_dir: Path
    publish: Publish | None = None
    notifiers: tuple[Notifier, ...] = ()
    parts: PartBoard = field(default_factory=PartBoard)
    batches: BatchClient | None = None
    clock: Clock = field(default_factory=SystemClock)
    at_close: Callable[[Callable[[], Awaitable[None]]], None] = _ignore

    def __call__(self, loaded: LoadedSkill) -> Services:
        """The services of `loaded`. An undeclared tool name raises StartupError here."""
        decl = loaded.declaration
        granted = self.tools.granted(decl)
        fallback = tuple(t for t in decl.fallback if t != loaded.tier)
        bound = self.router.bind(decl.name, tier=loaded.tier, allow_cloud=decl.allow_cloud,
                                 fallback=fallback, tools=granted,
                                 cloud_scopes=decl.cloud_scopes, scope_policy=decl.scope_policy)
        prefix = self.household.mqtt.prefix
        topics = tuple(t.replace("{prefix}", prefix) for t in decl.publishes)
        return Services(
            name=decl.name, router=bound, tools=granted, config=loaded.config,
            log=logging.getLogger(f"hearth.skills.{decl.name}"), devices=self.devices,
            publisher=TopicPublisher(decl.name, topics, self.publish, self.devices),
            clock=self.clock, zone=self.household.hearth.zone,
            storage=Storage(self.state_dir / "skills" / decl.name, self.database),
            notifiers=self.notifiers, spend=SkillLedger(decl.name, self.ledger),
            parts=self.parts, household=self.household, batches=self.batches,
            at_close=self.at_close)

    def all(self, skills: Mapping[str, LoadedSkill]) -> dict[str, Services]:
        """Services for every skill in `skills`, by name."""
        return {name: self(loaded) for name, loaded in skills.items()}
