"""Skill plugins: the contract, discovery from the `hearth.skills` group, and tool grants.

    skills = discover(config)            # frozen SkillSet; StartupError/ConfigError if broken
    tools = ToolRegistry(); tools.register(spec)
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
    Skill,
    SkillContext,
    SkillDeclaration,
    SkillRouter,
    TextEvent,
)
from agent.plugins.discovery import GROUP, CommonKeys, discover
from agent.plugins.skillset import LoadedSkill, SkillSet
from agent.plugins.tools import ToolRegistry

__all__ = [
    "GROUP",
    "ActionEvent",
    "CommonKeys",
    "Event",
    "Handler",
    "LoadedSkill",
    "MqttEvent",
    "Reply",
    "ScheduleEvent",
    "ScheduleSpec",
    "Skill",
    "SkillContext",
    "SkillDeclaration",
    "SkillRouter",
    "SkillSet",
    "TextEvent",
    "ToolRegistry",
    "discover",
    "topic_matches",
]
