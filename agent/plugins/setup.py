"""Running each enabled skill's setup hook with its services, once per runtime.

A hook that returns None switches the skill off for this configuration (it logged why); one
that raises puts it among the failed skills, as a failed import does: the house keeps
running. A hook that returns a handler which is not `async def` is a broken skill: start-up
stops, as it does for such a handler given directly.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Callable

from agent.errors import StartupError
from agent.plugins.discovery import is_async_handler
from agent.plugins.services import Services
from agent.plugins.skillset import LoadedSkill, SkillSet

log = logging.getLogger(__name__)


async def set_up(skills: SkillSet, services_for: Callable[[LoadedSkill], Services]) -> SkillSet:
    """The set with every setup hook run (in name order), handlers in place."""
    enabled: dict[str, LoadedSkill] = {}
    disabled = dict(skills.disabled)
    failed = dict(skills.failed)
    for name, loaded in sorted(skills.skills.items()):
        setup = loaded.skill.setup
        if setup is None:
            enabled[name] = loaded
            continue
        try:
            result = setup(services_for(loaded))
            handler = await result if inspect.isawaitable(result) else result
        except Exception as exc:
            failed[name] = f"setup: {type(exc).__name__}: {exc}"
            log.exception("skill %s not set up: %s", name, failed[name])
            continue
        if handler is None:
            log.info("skill %s is off in this configuration (its setup returned no handler)",
                     name)
            disabled[name] = dataclasses.replace(loaded, enabled=False)
            continue
        if not is_async_handler(handler):
            raise StartupError(f"skill {name!r}: the handler its setup returned is not "
                               "`async def`")
        enabled[name] = dataclasses.replace(loaded, handler=handler)
    # Logged here, once per start or reload, after setup hooks had their say: discovery runs
    # in every config check too, and a skill its setup switched off is not "enabled".
    log.info("skills enabled: %s; disabled: %s; failed to load: %s",
             ", ".join(sorted(enabled)) or "none", ", ".join(sorted(disabled)) or "none",
             ", ".join(sorted(failed)) or "none")
    return SkillSet(skills=enabled, disabled=disabled, failed=failed)
