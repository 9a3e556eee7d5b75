"""Skill plugins: the contract, discovery from the `hearth.skills` group, services, tool grants.

    skill = Skill(declaration, setup=setup)   # setup(services) -> async handler, or None: off
    skills = discover(config)                 # frozen SkillSet; StartupError/ConfigError if broken
    skills = await set_up(skills, services_for)   # agent.daemon.core.open_core does this
    tools.granted(skills.skills["home"].declaration)   # only what "home" declared
"""

from agent.mqtt.topics import topic_matches
from agent.plugins.contract import (
    ActionEvent,
    Event,
    Handler,
    MqttEvent,
    Reply,
    ScheduleEvent,
    ScheduleSpec,
    Setup,
    Skill,
    SkillContext,
    SkillDeclaration,
    SkillRouter,
    TextEvent,
)
from agent.plugins.discovery import GROUP, CommonKeys, discover
from agent.plugins.services import (
    Clock,
    DeviceView,
    PartBoard,
    Services,
    SkillLedger,
    Storage,
    TopicPublisher,
)
from agent.plugins.skillset import LoadedSkill, SkillSet
from agent.plugins.tools import ToolRegistry

__all__ = [
    "GROUP",
    "ActionEvent",
    "Clock",
    "CommonKeys",
    "DeviceView",
    "Event",
    "Handler",
    "LoadedSkill",
    "MqttEvent",
    "PartBoard",
    "Reply",
    "ScheduleEvent",
    "ScheduleSpec",
    "Services",
    "Setup",
    "Skill",
    "SkillContext",
    "SkillDeclaration",
    "SkillLedger",
    "SkillRouter",
    "SkillSet",
    "Storage",
    "TextEvent",
    "ToolRegistry",
    "TopicPublisher",
    "discover",
    "topic_matches",
]
