"""The optional `digest` skill: a weekly deep-tier analysis of the news, at batch prices.

Off by default (`[briefing.digest] enabled = false`). When enabled, the core schedules the
job `digest.weekly` at `[briefing.digest] cron` (see `agent.scheduler.configured_jobs`);
choose the cron `deadline_hours` before you want to read it.

Its setup hook returns no handler (the skill is off, and says why) unless `[briefing.digest]
enabled = true` and an Anthropic API key exists (the batch client is among its services).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from agent.plugins.contract import (
    ActionEvent,
    Event,
    Handler,
    Reply,
    ScheduleEvent,
    Skill,
    SkillContext,
    SkillDeclaration,
)
from agent.plugins.services import Services

if TYPE_CHECKING:
    from skills.digest.digest import WeeklyDigest

DECLARATION = SkillDeclaration(
    name="digest",
    description="A weekly analysis of the news on the deep tier, sent as a batch.",
    tier="deep",
    allow_cloud=True,
    tools=(),  # it reads untrusted feed text: no hands
    off_without_key=True,  # setup returns None when services.batches is None
    cloud_scopes=("news",),  # feed text only: nothing about the home
)


def setup(services: Services) -> Handler | None:
    """The handler, or None when the digest is switched off or cannot run (no API key)."""
    if not services.household.briefing.digest.enabled:
        services.log.debug("digest: [briefing.digest] enabled is false")
        return None
    if services.batches is None:
        services.log.warning("briefing.digest is enabled but no Anthropic API key is "
                             "configured: the weekly digest is off")
        return None
    from skills.digest.digest import WeeklyDigest

    digest = WeeklyDigest(services.household, services.storage.database, services.spend,
                          services.batches, router=services.router,
                          notifiers=services.notifiers, clock=services.clock.now,
                          sleep=services.clock.sleep)
    return partial(handle, digest)


async def handle(digest: WeeklyDigest, ctx: SkillContext, event: Event) -> Reply | None:
    """Run the digest on its schedule or on demand (`ActionEvent("now")`)."""
    if isinstance(event, ScheduleEvent):
        result = await digest.run(planned=event.planned)
    elif isinstance(event, ActionEvent) and event.action == "now":
        result = await digest.run()
    else:
        ctx.log.debug("digest: ignoring %s", type(event).__name__)
        return None
    return Reply(result.text or f"No digest this week ({result.status}).",
                 {"status": result.status, "items": result.items})


skill = Skill(DECLARATION, setup=setup)

__all__ = ["DECLARATION", "handle", "setup", "skill"]
