"""The `timers` skill: kitchen timers and reminders, the time and the date, "never mind".

No model: Home Assistant's timer intents (HassStartTimer ... HassTimerStatus), its time and
date intents and HassNevermind, plus a few sentences of hearth's own for what Home
Assistant's number lists cannot say ("a timer for an hour", "half an hour"). Timers live in
the database (`timer` table), so they survive a restart: its setup hook re-arms the running
ones and announces those that ended while hearth was off, once.

A timer that ends is announced on `<prefix>/timer` (JSON, not retained; `event` finished,
and started/updated/cancelled along the way) and to the configured notifiers other than
the built-in `mqtt` and `file`, which hold the briefing (retained `<prefix>/briefing`,
`briefings/latest.md`) a timer must not replace. "Remind me to call mom in 10 minutes"
announces "call mom": the words are never run as a command.
"""

from __future__ import annotations

from functools import partial

from agent.plugins.contract import Event, Handler, Reply, Skill, SkillContext, SkillDeclaration
from agent.plugins.services import Services
from skills.timers.handler import HA_INTENTS, SENTENCES, TimerSkill
from skills.timers.runner import TimerRunner
from skills.timers.store import TimerStore

TOPIC = "{prefix}/timer"

DECLARATION = SkillDeclaration(
    name="timers",
    description=("Timers and reminders (\"set a timer for 10 minutes\", \"remind me to call "
                 "mom in an hour\"), the time and the date."),
    tier="none",
    allow_cloud=False,
    intents=SENTENCES,
    ha_intents=HA_INTENTS,
    publishes=(TOPIC,),
)


async def setup(services: Services) -> Handler:
    """The handler over this runtime's alarms; running timers are picked up again."""
    prefix = services.household.mqtt.prefix
    runner = TimerRunner(TimerStore(services.storage.database), clock=services.clock,
                         zone=services.zone, publisher=services.publisher,
                         notifiers=services.notifiers, topic=TOPIC.replace("{prefix}", prefix),
                         log=services.log)
    services.at_close(runner.close)
    await runner.recover()
    return partial(handle, TimerSkill(runner))


async def handle(skill: TimerSkill, ctx: SkillContext, event: Event) -> Reply | None:
    """Run one event against `skill`."""
    return await skill.handle(ctx, event)


skill = Skill(DECLARATION, setup=setup)

__all__ = ["DECLARATION", "TOPIC", "handle", "setup", "skill"]
