"""Issue 13 through the dispatcher: the device tool a skill is granted holds what a target
would make sensitive, whether the request came as text (the home skill) or as a skill's own
tool call with model-style arguments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.dispatch import Dispatcher
from agent.plugins import (
    ActionEvent,
    Event,
    Reply,
    Skill,
    SkillContext,
    SkillDeclaration,
    ToolRegistry,
    discover,
)
from agent.router import Router
from skills.home import skill as home_skill
from tests.devices.stack import HomeStack, home_stack
from tests.mqtt.client import PeerClient, peer
from tests.support.broker import Broker
from tests.support.skill_points import make_dispatcher, points


async def _switch(ctx: SkillContext, event: Event) -> Reply:
    """Calls the granted tool with whatever arguments it was handed (as a model would)."""
    assert isinstance(event, ActionEvent)
    result = await ctx.tools["set_device_state"].handler(dict(event.args))
    return Reply(result.text, dict(result.data))


switcher = Skill(SkillDeclaration(name="switcher", description="Switches things it is told to.",
                                  tier="none", intents={"SwitchNow": ("switch now",)},
                                  tools=("set_device_state",)), _switch)


@pytest.fixture
def mqtt_peer(running_broker: Broker) -> Iterator[PeerClient]:
    yield from peer(running_broker)


def _dispatcher(config: HearthConfig, router: Router, s: HomeStack) -> Dispatcher:
    skills = discover(config, entry_points=points(home_skill, switcher))
    return make_dispatcher(skills, router, ToolRegistry(tuple(s.home.tools)),
                           slot_lists=s.home.registry.slot_lists)


def _actions(data: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(a["status"], a["needs_confirmation"]) for a in data["actions"]]


async def test_a_discovered_switch_on_a_lock_topic_is_held_on_every_dispatch_path(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, config: HearthConfig,
    router: Router,
) -> None:
    base = f"{topic_prefix}_z2m"
    mqtt_peer.subscribe(f"{base}/+/set")
    async with home_stack(running_broker, topic_prefix,
                          discovery={"zigbee2mqtt_base": base},
                          mqtt={"discovery_prefix": f"{topic_prefix}_ha"}) as s:
        mqtt_peer.publish(f"{topic_prefix}_ha/switch/porch/config", json.dumps({
            "name": "Porch Switch", "cmd_t": f"{base}/front_door/set",
            "pl_on": '{"state":"LOCK"}', "pl_off": '{"state":"UNLOCK"}'}))
        await s.wait_for(lambda: s.home.registry.resolve("porch switch") is not None)
        dispatcher = _dispatcher(config, router, s)
        said = await dispatcher.handle_text("turn off the porch switch")
        assert said.skill == "home" and said.reply is not None
        assert _actions(dict(said.reply.data)) == [("pending", True)]
        called = await dispatcher.handle_action("switcher", "set",
                                                {"device": "porch switch", "state": "off"})
        assert called.reply is not None
        assert _actions(dict(called.reply.data)) == [("pending", True)]
        assert await mqtt_peer.nothing_on(f"{base}/+/set", 0.5) == []
        assert len(s.home.pending.pending()) == 2


async def test_a_configured_switch_sharing_a_lock_topic_is_held_and_a_waiver_is_honoured(
    running_broker: Broker, topic_prefix: str, mqtt_peer: PeerClient, config: HearthConfig,
    router: Router,
) -> None:
    """The payloads ("0"/"1") say nothing: the topic's owner (a lock) decides."""
    devices = [
        {"name": "back door", "kind": "lock", "command_topic": f"{topic_prefix}/back_door/set",
         "payload_on": "1", "payload_off": "0"},
        {"name": "shed switch", "command_topic": f"{topic_prefix}/back_door/set",
         "payload_on": "1", "payload_off": "0"},
        {"name": "cellar door", "kind": "lock", "sensitive": False,
         "command_topic": f"{topic_prefix}/cellar/set", "payload_on": "LOCK",
         "payload_off": "UNLOCK"},
    ]
    mqtt_peer.subscribe(f"{topic_prefix}/+/set")
    async with home_stack(running_broker, topic_prefix, devices=devices,
                          discovery={"zigbee2mqtt_base": None}) as s:
        dispatcher = _dispatcher(config, router, s)
        held = await dispatcher.handle_action("switcher", "set",
                                              {"device": "shed switch", "state": "off"})
        assert held.reply is not None
        assert _actions(dict(held.reply.data)) == [("pending", True)]
        assert await mqtt_peer.nothing_on(f"{topic_prefix}/+/set", 0.3) == []
        # The household waived confirmation for the cellar door: it goes straight out.
        sent = await dispatcher.handle_action("switcher", "set",
                                              {"device": "cellar door", "state": "off"})
        assert sent.reply is not None
        assert _actions(dict(sent.reply.data)) == [("sent", False)]
        msg = await mqtt_peer.expect(f"{topic_prefix}/cellar/set")
        assert msg.payload == b"UNLOCK"
