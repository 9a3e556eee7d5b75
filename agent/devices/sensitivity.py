"""Whether a planned command must wait for a person: decided by its TARGET.

The device entry that produced a command is only one witness. An ordinary "switch" (from a
Home Assistant discovery message anyone on the broker can publish) whose command topic is the
front door's, or whose payload is ``{"state":"UNLOCK"}``, must not unlock the door unasked.
`confirmation_reason` is the one decision; every device publish goes through it
(`DeviceRegistry.confirmation_reason`, called by planning and again by `DeviceActions` right
before it publishes).
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.devices.model import Device, PlannedCommand
from agent.errors import MalformedMessage
from agent.mqtt.payload import load_json

# Command words that lock, unlock, open, arm or disarm something (Zigbee2MQTT state values,
# Home Assistant's default lock/cover/valve/alarm payloads).
_SENSITIVE_WORDS = frozenset({
    "LOCK", "UNLOCK", "OPEN", "DISARM", "ARM_AWAY", "ARM_HOME", "ARM_NIGHT", "ARM_VACATION",
    "ARM_CUSTOM_BYPASS", "TRIGGER",
})
# What an ordinary cover (a blind, a curtain) legitimately sends on its own topic.
_COVER_WORDS = frozenset({"OPEN"})
_MAX_WORD = 32


def command_words(payload: str) -> set[str]:
    """Sensitive command words in a payload: a bare word, or a JSON object's string values."""
    text = payload.strip()
    if text.startswith("{"):
        try:
            doc = load_json(text, max_depth=4)
        except MalformedMessage:
            return set()
        values = doc.values() if isinstance(doc, dict) else ()
        words = {v.strip().upper() for v in values if isinstance(v, str) and len(v) <= _MAX_WORD}
    else:
        words = {text.strip('"').upper()} if len(text) <= _MAX_WORD else set()
    return words & _SENSITIVE_WORDS


def _why(device: Device) -> str:
    if device.sensitivity:
        return f"{device.name} is marked sensitive"
    return f"{device.name} is a {device.kind}"


def confirmation_reason(device: Device, command: PlannedCommand,
                        owner: Device | None) -> str | None:
    """Why `command` (planned for `device`) needs confirmation, or None when it may go out.

    ``owner`` is the device that decides the sensitivity of ``command.topic``: the configured
    device with that command topic, else a sensitive device that announced it (even one whose
    announcement was refused), else the device that holds it. A command needs confirmation
    when its own device is sensitive, when its topic belongs to a sensitive device, or when
    its payload would lock, unlock, open, arm or disarm something, unless the household
    waived confirmation (``sensitive = false``) for the device owning that topic.
    """
    if device.sensitive:
        return _why(device)
    if owner is not None and owner.sensitive:
        return f"{command.topic} commands {owner.name} ({_why(owner)})"
    if owner is not None and owner.sensitivity is False:
        return None  # an explicit waiver in the config for the device that owns this topic
    words = command_words(command.payload)
    if device.kind == "cover" and owner in (None, device):
        words -= _COVER_WORDS
    if words:
        return f"payload {', '.join(sorted(words))} on {command.topic} would actuate a lock, " \
               "door, valve or alarm"
    return None


def topic_owners(configured: Mapping[str, Device],
                 announced: list[Device]) -> dict[str, Device]:
    """Topic -> the device deciding its sensitivity (see `confirmation_reason`)."""
    owners: dict[str, Device] = {}
    for device in configured.values():
        for topic in command_topics(device):
            owners.setdefault(topic, device)
    for device in announced:
        for topic in command_topics(device):
            current = owners.get(topic)
            if current is None:
                owners[topic] = device
            elif current.source != "config" and device.sensitive and not current.sensitive:
                # Whoever announced first, a lock's topic stays a lock's topic.
                owners[topic] = device
    return owners


def command_topics(device: Device) -> tuple[str, ...]:
    """Every topic a command to `device` may be published on."""
    extra = (device.features.get("temperature_command_topic"),
             device.features.get("percentage_command_topic"))
    return tuple(t for t in (device.command_topic, device.position_topic,
                             device.brightness_topic, *extra) if isinstance(t, str) and t)
