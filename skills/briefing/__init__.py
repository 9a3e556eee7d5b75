"""The `briefing` skill: the morning briefing, composed from parts, sent to every notifier.

Parts are `PartProvider`s (agent/notifiers): the news desk (skills/news), the spend part
(`SpendPart`, from the ledger) and any third-party provider. Notifiers are built from
`[briefing] notifiers` by `agent.notifiers.build_notifiers` (MQTT, file, entry points).

Wiring (the daemon does this once; the skill declares no schedule of its own, the core
schedules it from `[briefing] cron` via `agent.scheduler.configured_jobs`)::

    service = BriefingService(config, [news_desk, SpendPart(ledger, zone)], notifiers)
    make_briefing_skill(service)   # -> Skill, passed to discovery in place of the entry point's

Events: `ScheduleEvent` (the morning run, possibly a catch-up) and `ActionEvent("now")`
(`hearth briefing now`) compose and deliver; the reply's text is the spoken variant.
"""

from __future__ import annotations

from functools import partial

from agent.plugins.contract import (
    ActionEvent,
    Event,
    Reply,
    ScheduleEvent,
    Skill,
    SkillContext,
    SkillDeclaration,
    TextEvent,
    unwired,
)
from skills.briefing.service import BriefingService
from skills.briefing.spend import SpendPart

DECLARATION = SkillDeclaration(
    name="briefing",
    description="Composes the morning briefing from news and other skills' sections.",
    tier="none",  # composing is code; the news part pays for its own (local) summaries
    allow_cloud=False,
    intents={"BriefingNow": ("(read|give) [me] [the] [morning] briefing",)},
    tools=(),
)


def make_briefing_skill(service: BriefingService) -> Skill:
    """A `briefing` skill serving `service` directly (no module state)."""
    return Skill(DECLARATION, partial(handle, service))


async def handle(service: BriefingService, ctx: SkillContext, event: Event) -> Reply | None:
    """Run one event against `service`."""
    if isinstance(event, ScheduleEvent):
        briefing = await service.run(planned=event.planned,
                                     trigger="catch_up" if event.catch_up else "schedule")
    elif (isinstance(event, ActionEvent) and event.action == "now") or isinstance(event, TextEvent):
        briefing = await service.run(trigger="now")
    else:
        ctx.log.debug("briefing: ignoring %s", type(event).__name__)
        return None
    return Reply(briefing.spoken, {"title": briefing.title, "markdown": briefing.markdown})


# The entry point discovery reads; the daemon replaces it with make_briefing_skill(service).
skill = unwired(DECLARATION, "the daemon builds it with its parts and notifiers")

__all__ = ["DECLARATION", "BriefingService", "SpendPart", "handle",
           "make_briefing_skill", "skill"]
