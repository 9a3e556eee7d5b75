"""The `lists` skill: the shopping list and any other household list, kept in the database.

No model: Home Assistant's HassShoppingListAddItem and HassShoppingListCompleteItem for the
shopping list, hearth's own sentences for named lists ("add batteries to the hardware
list", "check off milk on the shopping list", "what's on the shopping list"). Items are
stored once per list (the same item said twice stays one open entry) and ticked off by
name, whatever the case, article or plural. `hearth list show` prints them.
"""

from __future__ import annotations

from functools import partial

from agent.plugins.contract import Event, Handler, Reply, Skill, SkillContext, SkillDeclaration
from agent.plugins.services import Services
from skills.lists.handler import HA_INTENTS, SENTENCES, ListSkill
from skills.lists.store import ListStore

DECLARATION = SkillDeclaration(
    name="lists",
    description=("The shopping list and other household lists: add, check off and read "
                 "items (\"add milk to the shopping list\")."),
    tier="none",
    allow_cloud=False,
    intents=SENTENCES,
    ha_intents=HA_INTENTS,
)


def setup(services: Services) -> Handler:
    """The handler over this runtime's database."""
    return partial(handle, ListSkill(ListStore(services.storage.database), services.clock))


async def handle(skill: ListSkill, ctx: SkillContext, event: Event) -> Reply | None:
    """Run one event against `skill`."""
    return await skill.handle(ctx, event)


skill = Skill(DECLARATION, setup=setup)

__all__ = ["DECLARATION", "handle", "setup", "skill"]
