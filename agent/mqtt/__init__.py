"""MQTT: the paho-mqtt bridge, the `<prefix>/ask` codec and Home Assistant discovery of hearth.

The daemon builds one `MqttBridge`, hands it an ``on_message`` coroutine and calls
``subscribe`` for every topic the registry, the rules and the skills need. Processes without
the daemon (`hearth ask`, `hearth briefing now`) publish through one `OneShotClient`.
"""

from agent.mqtt.bridge import MqttBridge
from agent.mqtt.ha_discovery import HaDiscovery, HearthSensors
from agent.mqtt.inbox import MessageHandler
from agent.mqtt.oneshot import OneShotClient
from agent.mqtt.outbound import OutboundMessage
from agent.mqtt.requests import AskRequest, build_reply, parse_ask
from agent.mqtt.topics import is_publishable, topic_matches
from agent.mqtt.types import BridgeStats, BrokerUnavailable, MessageMeta

__all__ = [
    "AskRequest",
    "BridgeStats",
    "BrokerUnavailable",
    "HaDiscovery",
    "HearthSensors",
    "MessageHandler",
    "MessageMeta",
    "MqttBridge",
    "OneShotClient",
    "OutboundMessage",
    "build_reply",
    "is_publishable",
    "parse_ask",
    "topic_matches",
]
