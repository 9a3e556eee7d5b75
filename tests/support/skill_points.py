"""Test skills as entry points (discovery's only source) and a dispatcher over real services."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

from agent.devices.registry import DeviceRegistry
from agent.dispatch import Dispatcher
from agent.intents import IntentMatcher
from agent.plugins import GROUP, Skill, SkillSet, ToolRegistry
from agent.plugins.provide import ServiceFactory
from agent.plugins.services import PartBoard, Services, Storage, SystemClock, TopicPublisher
from agent.router import Router

_SKILLS: dict[str, Skill] = {}


def points(*skills: Skill) -> list[EntryPoint]:
    """Entry points that load exactly these Skill objects (like an installed package's)."""
    out = []
    for skill in skills:
        key = f"skill_{id(skill)}"
        _SKILLS[key] = skill
        out.append(EntryPoint(skill.declaration.name, f"{__name__}:{key}", GROUP))
    return out


def __getattr__(name: str) -> Skill:
    try:
        return _SKILLS[name]
    except KeyError:
        raise AttributeError(name) from None


def make_dispatcher(skills: SkillSet, router: Router, tools: ToolRegistry, *,
                    slot_lists: Callable[[], Mapping[str, Any]] | None = None,
                    none_rows: bool = True) -> Dispatcher:
    """The dispatcher over `skills` with each skill's services built as the opener does."""
    config = router._config
    ledger = router._ledger
    state = config.hearth.state_dir or Path()
    factory = ServiceFactory(household=config, router=router, tools=tools, ledger=ledger,
                             database=ledger._db, devices=DeviceRegistry(config),
                             state_dir=Path(state))
    return Dispatcher(skills, router, IntentMatcher(skills, slot_lists=slot_lists),
                      factory.all(skills.skills), ledger=ledger if none_rows else None)


def bare_services(name: str, router: Any, tools: Mapping[str, Any], *,
                  household: Any = None, config: Any = None, devices: Any = None,
                  spend: Any = None, database: Any = None) -> Services:
    """Services for calling one handler directly: what the test does not give is absent
    (None storage database and ledger view; no broker; no publishable topic)."""
    from agent.config import HearthConfig

    household = household if household is not None else HearthConfig()
    devices = devices if devices is not None else DeviceRegistry(household)
    return Services(
        name=name, router=router, tools=dict(tools), config=config,
        log=logging.getLogger(f"hearth.skills.{name}"), devices=devices,
        publisher=TopicPublisher(name, (), None, devices), clock=SystemClock(),
        zone=household.hearth.zone, storage=Storage(Path("/nonexistent") / name, database),
        notifiers=(), spend=spend, parts=PartBoard(), household=household, batches=None,
        at_close=lambda _fn: None)
