"""The home skill's handling of each intent issue 16 adds, as the matcher hands them over.

Slots are what hassil produces from the registry's slot lists (ids, `?noun`, canonical
areas); commands are dry runs through the granted tool, questions read reported states.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.devices import DeviceRegistry, OfflinePublisher, PendingActions, make_device_tools
from agent.plugins.contract import Reply, TextEvent
from skills.home import skill
from tests.devices import household as hh
from tests.devices.stack import NoModelRouter
from tests.support.skill_points import bare_services

BASE, HA = "z2m", "ha"


def household() -> HearthConfig:
    cfg = hh.config(BASE, HA)
    cfg["discovery"]["brightness_step"] = 10
    return HearthConfig.model_validate(cfg)


@pytest.fixture
def registry() -> DeviceRegistry:
    reg = DeviceRegistry(household())
    hh.announce(reg.handle_message, BASE, HA)
    return reg


async def say(reg: DeviceRegistry, intent: str, text: str = "", **slots: Any) -> Reply:
    tools = {t.name: t for t in make_device_tools(reg, OfflinePublisher(), PendingActions(60))}
    ctx = bare_services("home", NoModelRouter(), tools, devices=reg, household=household())
    reply = await skill.handler(ctx, TextEvent(text=text, intent=intent, slots=slots,
                                               dry_run=True))
    assert reply is not None
    return reply


def planned(reply: Reply) -> list[tuple[str, Any]]:
    out = []
    for action in reply.data["actions"]:
        if action["status"] == "planned":
            payload = action["payload"]
            out.append((action["topic"], json.loads(payload) if payload.startswith("{")
                        else payload))
    return sorted(out, key=str)


def feed(reg: DeviceRegistry, topic: str, payload: dict[str, Any]) -> None:
    reg.handle_message(topic, json.dumps(payload).encode())


async def test_light_up_and_down_use_the_configured_step(registry: DeviceRegistry) -> None:
    up = await say(registry, "HearthLightUp", name="z2m_0x0001")
    assert planned(up) == [(f"{BASE}/kitchen light/set", {"brightness_step": 25})]
    down = await say(registry, "HearthLightDown", area="study")
    assert planned(down) == [(f"{BASE}/desk lamp/set", {"brightness_step": -25})]


async def test_stop_moves_covers_and_turns_fans_off(registry: DeviceRegistry) -> None:
    fan = await say(registry, "HearthStop", name="z2m_0x0005")
    assert planned(fan) == [(f"{BASE}/ceiling fan/set", {"fan_state": "OFF"})]
    blinds = await say(registry, "HearthStopClass", device_class="blind")
    assert planned(blinds) == [(f"{BASE}/living room blind/set", {"state": "STOP"}),
                               (f"{BASE}/office_blind/set", "STOP")]


async def test_everything_off_on_a_floor_names_what_it_left_out(registry: DeviceRegistry) -> None:
    reply = await say(registry, "HearthEverythingOff", floor="ground floor")
    topics = [t for t, _ in planned(reply)]
    assert f"{BASE}/kitchen light/set" in topics and f"{BASE}/ceiling fan/set" in topics
    assert not any("blind" in t or "lock" in t for t in topics)
    assert "left out: hall lamp" in reply.text


async def test_ha_fan_speed_and_climate_set_by_area(registry: DeviceRegistry) -> None:
    fans = await say(registry, "HassFanSetSpeed", area="office", percentage=100)
    assert planned(fans) == [(f"{BASE}/office_fan/speed", "3")]
    heat = await say(registry, "HassClimateSetTemperature", area="living room", temperature=22)
    assert planned(heat) == [(f"{BASE}/thermostat/set", {"occupied_heating_setpoint": 22})]


async def test_whole_house_domain_request_skips_sensitive(registry: DeviceRegistry) -> None:
    reply = await say(registry, "HassTurnOff", domain="light")
    assert f"{BASE}/kitchen light/set" in [t for t, _ in planned(reply)]
    assert "left out: hall lamp" in reply.text


async def test_questions(registry: DeviceRegistry) -> None:
    feed(registry, f"{BASE}/front door lock", {"state": "UNLOCKED"})
    feed(registry, f"{BASE}/bedroom sensor", {"humidity": 52})
    feed(registry, f"{BASE}/thermostat", {"local_temperature": 20, "occupied_heating_setpoint": 21})
    feed(registry, f"{BASE}/kitchen light", {"state": "ON"})
    feed(registry, f"{BASE}/desk lamp", {"state": "OFF"})
    anything = await say(registry, "HearthAnyState", "is anything unlocked", domain="lock",
                         state="unlocked")
    assert anything.text == "Yes, the front door lock is unlocked."
    assert anything.data["op"] == "state" and anything.data["actions"] == []
    humid = await say(registry, "HearthSensorGet", "what's the humidity in the bedroom",
                      measure="humidity", area="bedroom")
    assert humid.text == "The humidity in the bedroom is 52 percent."
    target = await say(registry, "HearthClimateGetTarget", area="living room")
    assert target.text == "The thermostat is set to 21 degrees."
    which = await say(registry, "HassGetState", "which lights are on", domain="light",
                      state="on")
    assert which.text.startswith("The kitchen light is on.")
    count = await say(registry, "HassGetState", "how many lights are on", domain="light",
                      state="on")
    assert count.text.startswith("1 light is on.")


async def test_unknown_and_ambiguous_names_answer_without_acting(registry: DeviceRegistry) -> None:
    room = await say(registry, "HearthUnknownArea", hearth_unknown="cellar")
    assert room.text.startswith("I don't know a room called cellar. Rooms: ")
    assert room.data["actions"] == []
    near = await say(registry, "HearthUnknownArea", hearth_unknown="kitchn")
    assert near.text == "I don't know a room called kitchn. Did you mean: kitchen?"
    lamp = await say(registry, "HassTurnOn", name="?lamp")
    assert lamp.text.startswith("Which lamp:") and lamp.data["actions"] == []
    thing = await say(registry, "HearthUnknownName", hearth_unknown="toaster")
    assert thing.text == "I don't know a device called toaster."
    typo = await say(registry, "HearthUnknownName", hearth_unknown="kitchen lite")
    assert typo.text == "I don't know a device called kitchen lite. Did you mean: kitchen light?"
    assert typo.data["actions"] == []
