"""Finding skills (entry-point group `hearth.skills`, built-ins included) and configuring them.

Built-in skills are declared in hearth's own pyproject under the same group as third-party
ones, so there is one loading path (the `llm` plugin lesson). A skill whose entry point
fails to import is logged and skipped: one broken package must not stop the house.
A bad declaration or config section, on the other hand, stops start-up loudly.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Iterable, Mapping
from importlib import metadata
from importlib.metadata import EntryPoint
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from agent.config.base import Section
from agent.config.load import problems_of
from agent.config.root import HearthConfig
from agent.errors import ConfigError, StartupError
from agent.plugins.contract import Skill, SkillDeclaration
from agent.plugins.skillset import LoadedSkill, SkillSet
from agent.plugins.validate import CLOUD_TIERS, COMMON_KEYS, check_skills, scope_problems
from agent.router.types import Tier
from agent.words import plural

log = logging.getLogger(__name__)

GROUP = "hearth.skills"


class CommonKeys(Section):
    """Keys every `[skills.<name>]` section may hold, whatever the skill's own schema."""

    enabled: bool = True
    # Seconds one handler call may take (queueing for a concurrency slot included).
    timeout: float = Field(120.0, gt=0, le=3600)
    # Handler calls of this skill running at once; more wait for a slot.
    concurrency: int = Field(2, ge=1, le=64)


def _source(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    where = f" ({dist.name} {dist.version})" if dist is not None else ""
    return f"{ep.name} = {ep.value}{where}"


def _load(ep: EntryPoint) -> Skill:
    """The Skill an entry point names: a `Skill`, or a callable taking no arguments returning one."""
    obj = ep.load()
    if not isinstance(obj, Skill) and callable(obj):
        obj = obj()
    if not isinstance(obj, Skill) or not isinstance(obj.declaration, SkillDeclaration):
        raise TypeError(f"{ep.value} is a {type(obj).__name__}, not an agent.plugins.Skill")
    return obj


def is_async_handler(handler: Any) -> bool:
    """Whether `handler` (a function, a partial of one, or an object) is `async def`."""
    if isinstance(handler, functools.partial):
        handler = handler.func
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
        getattr(handler, "__call__", None)  # noqa: B004 - an object with `async def __call__`
    )


def _load_all(eps: Iterable[EntryPoint]) -> tuple[list[tuple[Skill, str]], dict[str, str]]:
    found: list[tuple[Skill, str]] = []
    failed: dict[str, str] = {}
    for ep in sorted(eps, key=lambda e: (e.name, e.value)):
        try:
            skill = _load(ep)
        except Exception as exc:
            # Any import-time error of a plugin (missing module, its own bugs) means "skip it".
            failed[ep.name] = f"{type(exc).__name__}: {exc}"
            log.warning("skill %s not loaded (%s): %s", ep.name, _source(ep), failed[ep.name],
                        exc_info=log.isEnabledFor(logging.DEBUG))
            continue
        if skill.declaration.name != ep.name:
            log.warning("entry point %s provides a skill named %r", _source(ep),
                        skill.declaration.name)
        found.append((skill, _source(ep)))
    return found, failed


def _common(name: str, section: Mapping[str, Any], problems: list[str]) -> CommonKeys:
    try:
        return CommonKeys.model_validate({k: v for k, v in section.items() if k in COMMON_KEYS})
    except ValidationError as exc:
        problems += [f"skills.{name}.{p}" for p in problems_of(exc, CommonKeys)]
        return CommonKeys()


def _skill_config(
    decl: SkillDeclaration, section: Mapping[str, Any], problems: list[str]
) -> BaseModel | None:
    own = {k: v for k, v in section.items() if k not in COMMON_KEYS}
    if decl.config_schema is None:
        problems += [f"skills.{decl.name}.{key}: unknown key (the skill takes no config)"
                     for key in own]
        return None
    try:
        return decl.config_schema.model_validate(own)
    except ValidationError as exc:
        problems += [f"skills.{decl.name}.{p}" for p in problems_of(exc, decl.config_schema)]
        return None


def discover(
    config: HearthConfig,
    *,
    entry_points: Iterable[EntryPoint] | None = None,
) -> SkillSet:
    """Load, check and configure every skill; the frozen result is what the daemon runs.

    `entry_points` defaults to the installed `hearth.skills` group (tests pass their own).
    A skill with a `setup` hook is not set up here (see agent.plugins.setup). Raises
    StartupError on bad declarations or
    duplicate names/topics/intents (naming both skills), ConfigError on bad `[skills.*]`
    sections (dotted paths, every problem at once).
    """
    eps = metadata.entry_points(group=GROUP) if entry_points is None else entry_points
    skills, failed = _load_all(eps)
    problems: list[str] = []
    staged: list[LoadedSkill] = []
    for skill, source in skills:
        decl = skill.declaration
        section = config.skills.get(decl.name, {}) if isinstance(decl.name, str) else {}
        common = _common(decl.name, section, problems)
        problems += scope_problems(decl)
        # Routing overrides live in one place, `[router.skills.<name>]`, which the router
        # enforces on every call; the tier shown and bound here only mirrors it.
        route = config.router.skills.get(decl.name)
        tier: Tier = route.tier if route is not None and route.tier else decl.tier
        if tier in CLOUD_TIERS and not decl.allow_cloud:
            problems.append(f"router.skills.{decl.name}.tier: {decl.name!r} does not allow "
                            "cloud tiers")
        staged.append(LoadedSkill(skill=skill, config=None, timeout=common.timeout,
                                  concurrency=common.concurrency, tier=tier,
                                  enabled=common.enabled, source=source))
    check_skills(staged)
    not_async = [s.name for s in staged
                 if s.skill.handler is not None and not is_async_handler(s.skill.handler)]
    if not_async:
        raise StartupError(f"skill handler(s) must be `async def`: {', '.join(not_async)}")
    enabled: dict[str, LoadedSkill] = {}
    disabled: dict[str, LoadedSkill] = {}
    for item in staged:
        if not item.enabled:
            disabled[item.name] = item
            continue
        section = config.skills.get(item.name, {})
        cfg = _skill_config(item.declaration, section, problems)
        enabled[item.name] = LoadedSkill(skill=item.skill, config=cfg, timeout=item.timeout,
                                         concurrency=item.concurrency, tier=item.tier,
                                         enabled=True, source=item.source)
    known = {item.name for item in staged}
    for name in sorted(set(config.skills) - known):
        if name in failed:
            log.warning("[skills.%s] is configured but the skill failed to load", name)
        else:
            problems.append(f"skills.{name}: no installed skill has this name "
                            f"(installed: {', '.join(sorted(known)) or 'none'})")
    if problems:
        raise ConfigError(f"{plural(len(problems), 'problem')} in [skills]", problems)
    log.debug("skills found: %s; disabled: %s; failed to load: %s",
               ", ".join(sorted(enabled)) or "none", ", ".join(sorted(disabled)) or "none",
              ", ".join(sorted(failed)) or "none")
    return SkillSet(skills=enabled, disabled=disabled, failed=failed)
