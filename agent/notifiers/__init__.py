"""The briefing's plug points: parts that contribute sections, notifiers that deliver it.

    Briefing, BriefingPart, BriefingRequest    the data
    PartProvider, Notifier                     the protocols (async contribute / deliver)
    MqttNotifier(publish, prefix)              <prefix>/briefing (JSON) + /spoken, retained
    FileNotifier(state_dir)                    Markdown in <state>/briefings/
    build_notifiers(names, NotifierContext)    built-ins and `hearth.notifiers` entry points
"""

from agent.notifiers.builtin import FileNotifier, MqttNotifier
from agent.notifiers.registry import ENTRY_POINT_GROUP, NotifierContext, build_notifiers
from agent.notifiers.types import (
    Briefing,
    BriefingPart,
    BriefingRequest,
    DeliveryFailed,
    Notifier,
    PartProvider,
    Publish,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Briefing",
    "BriefingPart",
    "BriefingRequest",
    "DeliveryFailed",
    "FileNotifier",
    "MqttNotifier",
    "Notifier",
    "NotifierContext",
    "PartProvider",
    "Publish",
    "build_notifiers",
]
