"""tests/intents/household/timers.yaml, in order, through one household on a real broker.

Every phrase must reach the timers or lists skill, answer with its `reply_has`, and command
no device. A phrase with an `area` is said in that room (a satellite's): through the
dispatcher's `area` keyword once it has one, else straight to the skill's handler with an
event carrying the area.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from agent.config import HearthConfig
from agent.daemon.core import Core
from agent.plugins.contract import Reply, TextEvent
from tests.skills_timers.support import FakeClock, Watcher, opened
from tests.support.broker import Broker

PHRASES = Path(__file__).resolve().parents[1] / "intents" / "household" / "timers.yaml"


@dataclass(frozen=True, slots=True)
class SaidIn(TextEvent):
    """A TextEvent with the speaker's area, as satellites send it."""

    area: str | None = None


def _household(state_dir: Path, broker: Broker, prefix: str) -> HearthConfig:
    return HearthConfig.model_validate({
        "hearth": {"state_dir": str(state_dir), "timezone": "Europe/Berlin"},
        "mqtt": {"host": broker.host, "port": broker.port, "prefix": prefix},
        "briefing": {"notifiers": []},
        "devices": [
            {"name": "kitchen light", "kind": "light", "protocol": "zigbee2mqtt",
             "address": "kitchen_light", "area": "kitchen"},
            {"name": "bedroom lamp", "kind": "light", "protocol": "zigbee2mqtt",
             "address": "bedroom_lamp", "area": "bedroom"},
            {"name": "oven plug", "kind": "switch", "protocol": "tasmota", "address": "oven"},
        ],
    })


async def _say(core: Core, text: str, area: str | None) -> tuple[str | None, Reply | None]:
    if area is None:
        result = await core.dispatcher.handle_text(text)
        return result.skill, result.reply
    if "area" in inspect.signature(core.dispatcher.handle_text).parameters:
        result = await core.dispatcher.handle_text(text, area=area)  # type: ignore[call-arg]
        return result.skill, result.reply
    match = core.dispatcher._matcher.match(text)
    assert match is not None, text
    loaded = core.dispatcher.skills.get(match.skill)
    assert loaded is not None and loaded.handler is not None
    event = SaidIn(text, intent=match.intent, slots={**match.context, **match.slots}, area=area)
    return match.skill, await loaded.handler(core.dispatcher.context(match.skill), event)


async def test_household_phrasings(running_broker: Broker, state_dir: Path,
                                   topic_prefix: str) -> None:
    phrases: list[dict[str, Any]] = yaml.safe_load(PHRASES.read_text())["phrases"]
    assert len(phrases) >= 30
    watcher = Watcher(running_broker)
    config = _household(state_dir, running_broker, topic_prefix)
    wrong: list[str] = []
    try:
        async with opened(config, state_dir, FakeClock(datetime(2026, 12, 1, 17, tzinfo=UTC))
                          ) as core:
            for entry in phrases:
                skill, reply = await _say(core, entry["say"], entry.get("area"))
                text = reply.text if reply is not None else ""
                if skill not in ("timers", "lists") or entry["reply_has"] not in text:
                    wrong.append(f"{entry['say']!r} -> {skill}: {text!r}")
        await watcher.take("no/such/topic", wait=0.5)
    finally:
        watcher.close()
    assert wrong == []
    commands = [t for t in watcher.seen if t.startswith(("zigbee2mqtt/", "cmnd/"))]
    assert commands == []
