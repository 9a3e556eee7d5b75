"""The home skill: device commands with no model and no cost.

Tier `none`: the intent matcher (hassil with the Home Assistant intents listed in
`HA_INTENTS` and the registry's names and areas as slot lists) hands the skill a matched
intent; rules hand it actions; phrasing the matcher cannot parse reaches it with arguments
the local dispatcher extracted (validated against `DEVICE_ARGUMENTS_SCHEMA`). Every path
ends in the granted `set_device_state` tool.

The skill declares no topics: the core feeds discovery and state messages to the device
registry directly (see `agent.devices`).
"""

from agent.devices.actions import DEVICE_ARGUMENTS_SCHEMA
from agent.devices.tools import SET_DEVICE_STATE
from agent.plugins.contract import Skill, SkillDeclaration
from skills.home.handler import HA_INTENTS, HEARTH_INTENTS, handle

declaration = SkillDeclaration(
    name="home",
    description=("Switch, dim, open or close the household's devices by name or room; "
                 "locks, garage doors and alarms wait for confirmation."),
    tier="none",
    allow_cloud=False,
    ha_intents=(*HA_INTENTS, *HEARTH_INTENTS),
    tools=(SET_DEVICE_STATE,),
    arguments_schema=DEVICE_ARGUMENTS_SCHEMA,
)

skill = Skill(declaration=declaration, handler=handle)

__all__ = ["skill"]
