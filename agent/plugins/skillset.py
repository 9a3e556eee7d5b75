"""The loaded skills, frozen after start-up: who is enabled, with which limits, on which topics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pydantic import BaseModel

from agent.mqtt.topics import topic_matches
from agent.plugins.contract import Handler, ScheduleSpec, Skill, SkillDeclaration
from agent.router.types import Tier


@dataclass(frozen=True, slots=True)
class LoadedSkill:
    """A discovered skill with its validated config and the limits the core enforces."""

    skill: Skill
    config: BaseModel | None
    timeout: float
    concurrency: int
    # The tier the skill runs on: the declared one unless `[router.skills.<name>] tier` pins another.
    tier: Tier
    enabled: bool = True
    # Where it came from, for error messages: "name = module:attr (dist version)".
    source: str = "test"
    # The handler that runs: the skill's own, or what its setup hook returned (set by
    # agent.plugins.setup.set_up; None until then for a skill with a setup hook).
    handler: Handler | None = None

    def __post_init__(self) -> None:
        if self.handler is None and self.skill.handler is not None:
            object.__setattr__(self, "handler", self.skill.handler)

    @property
    def declaration(self) -> SkillDeclaration:
        """The skill's declaration."""
        return self.skill.declaration

    @property
    def name(self) -> str:
        """The skill's name."""
        return self.skill.declaration.name


def _frozen(mapping: Mapping[str, LoadedSkill]) -> Mapping[str, LoadedSkill]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class SkillSet:
    """Every skill hearth runs (``skills``: enabled only), plus what was left out and why."""

    skills: Mapping[str, LoadedSkill] = field(default_factory=dict)
    # Installed but switched off with `[skills.<name>] enabled = false`.
    disabled: Mapping[str, LoadedSkill] = field(default_factory=dict)
    # Entry points that failed to load: entry-point name -> reason (logged at start-up).
    failed: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Frozen means frozen: callers cannot add a skill behind the validator's back.
        object.__setattr__(self, "skills", _frozen(self.skills))
        object.__setattr__(self, "disabled", _frozen(self.disabled))
        object.__setattr__(self, "failed", MappingProxyType(dict(self.failed)))

    def names(self) -> list[str]:
        """Names of the enabled skills, sorted."""
        return sorted(self.skills)

    def get(self, name: str) -> LoadedSkill | None:
        """The enabled skill called `name`, if any."""
        return self.skills.get(name)

    def by_topic(self, topic: str) -> list[LoadedSkill]:
        """Enabled skills subscribed to `topic` (wildcard-aware), in name order."""
        return [
            loaded
            for name, loaded in sorted(self.skills.items())
            if any(topic_matches(pattern, topic) for pattern in loaded.declaration.topics)
        ]

    def schedules(self) -> list[tuple[str, ScheduleSpec]]:
        """(skill name, schedule) for every schedule the enabled skills declare (for the scheduler)."""
        return [(name, spec) for name, loaded in sorted(self.skills.items())
                for spec in loaded.declaration.schedules]

    def topics(self) -> list[str]:
        """Every topic filter the enabled skills subscribe to (for the MQTT bridge)."""
        return sorted({t for loaded in self.skills.values() for t in loaded.declaration.topics})
