"""The `briefing` skill: the morning briefing, composed from parts, sent to every notifier.

Parts are `PartProvider`s (agent/notifiers): the news desk (skills/news), the spend part
(`SpendPart`, from the ledger) and any third-party provider. Notifiers are built from
`[briefing] notifiers` by `agent.notifiers.build_notifiers` (MQTT, file, entry points).

Its setup hook builds a `BriefingService` that reads the services' part board on every run
(the news skill, set up after this one, adds its desk there), then its own spend part.
The skill declares no schedule of its own: the core schedules it from
`[briefing] cron` via `agent.scheduler.configured_jobs`.

Events: `ScheduleEvent` (the morning run, possibly a catch-up) and `ActionEvent("now")`
(`hearth briefing now`) compose and deliver; the reply's text is the spoken variant.
"""

from __future__ import annotations

from functools import partial

from agent.notifiers.types import PartProvider
from agent.plugins.contract import (
    ActionEvent,
    Event,
    Handler,
    Reply,
    ScheduleEvent,
    Skill,
    SkillContext,
    SkillDeclaration,
    TextEvent,
)
from agent.plugins.services import Services
from skills.briefing.service import BriefingService, Parts
from skills.briefing.spend import SpendPart

DECLARATION = SkillDeclaration(
    name="briefing",
    description="Composes the morning briefing from news and other skills' sections.",
    tier="none",  # composing is code; the news part pays for its own (local) summaries
    allow_cloud=False,
    intents={"BriefingNow": ("(read|give) [me] [the] [morning] briefing",)},
    tools=(),
)


class _WithSpend:
    """The board's parts (read at every run), then the spend part: spend closes the briefing."""

    def __init__(self, board: Parts, spend: PartProvider) -> None:
        self._board = board
        self._spend = spend

    def parts(self) -> tuple[PartProvider, ...]:
        return (*self._board.parts(), self._spend)


def setup(services: Services) -> Handler:
    """The handler, serving a briefing service built for this runtime (no module state)."""
    spend = SpendPart(services.spend, services.zone, clock=services.clock.now)
    service = BriefingService(services.household, _WithSpend(services.parts, spend),
                              services.notifiers, clock=services.clock.now)
    return partial(handle, service)


async def handle(service: BriefingService, ctx: SkillContext, event: Event) -> Reply | None:
    """Run one event against `service`."""
    if isinstance(event, ScheduleEvent):
        briefing = await service.run(planned=event.planned,
                                     trigger="catch_up" if event.catch_up else "schedule")
    elif (isinstance(event, ActionEvent) and event.action == "now") or isinstance(event, TextEvent):
        # A dry run (`briefing now --dry-run`, `ask --dry-run`) composes and delivers nothing.
        briefing = await (service.compose if event.dry_run else service.run)(trigger="now")
    else:
        ctx.log.debug("briefing: ignoring %s", type(event).__name__)
        return None
    return Reply(briefing.spoken, {"title": briefing.title, "markdown": briefing.markdown,
                                   "briefing": briefing.to_json()})


skill = Skill(DECLARATION, setup=setup)

__all__ = ["DECLARATION", "BriefingService", "SpendPart", "handle", "setup", "skill"]
