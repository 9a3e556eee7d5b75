"""Issue 16: sensors, states, freshness, overrides, scopes and payloads per protocol.

The registry is fed the real announcement shapes (tests/devices/household.py); commands are
planned as dry runs through `DeviceActions` (nothing is published; the broker tests publish).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from agent.config import HearthConfig
from agent.devices import DeviceActions, DeviceRegistry, DeviceRequest, OfflinePublisher
from agent.devices.pending import PendingActions
from agent.devices.queries import StateQuestion
from tests.devices import household as hh

BASE, HA = "z2m", "ha"


class Wall:
    """The registry's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def registry(wall: Wall) -> DeviceRegistry:
    reg = DeviceRegistry(HearthConfig.model_validate(hh.config(BASE, HA)), wall=wall)
    hh.announce(reg.handle_message, BASE, HA)
    return reg


def feed(reg: DeviceRegistry, topic: str, payload: Any) -> None:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    assert reg.handle_message(topic, data.encode())


async def plan(reg: DeviceRegistry, **args: Any) -> dict[str, Any]:
    actions = DeviceActions(reg, OfflinePublisher(), PendingActions(60))
    outcome = await actions.execute(DeviceRequest.from_args({**args, "dry_run": True}))
    return outcome.as_dict()


def sent(result: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for action in result["actions"]:
        if action["status"] == "planned":
            payload = action["payload"]
            if payload.startswith("{"):
                payload = json.loads(payload)
            out.append((action["topic"], payload))
    return out


def ids(reg: DeviceRegistry) -> set[str]:
    return {d.id for d in reg.devices()}


# -- learning ---------------------------------------------------------------------------


def test_sensors_learnt_with_units_and_classes(registry: DeviceRegistry) -> None:
    temp = registry.resolve("bedroom sensor temperature")
    assert temp is not None and (temp.kind, temp.unit, temp.device_class, temp.value_key) == (
        "sensor", "°C", "temperature", "temperature")
    assert temp.area == "bedroom" and temp.floor == "first floor"
    contact = registry.resolve("back door contact")
    assert contact is not None and (contact.kind, contact.device_class) == ("binary_sensor", "door")
    bath = registry.resolve("bathroom temperature")
    assert bath is not None and (bath.unit, bath.expire_after, bath.area) == ("°C", 600, "bathroom")
    side = registry.resolve("side door")
    assert side is not None and side.kind == "binary_sensor"
    # Tasmota: °F thermometer spoken in °C; the plug's meter.
    t = registry.resolve("study plug temperature")
    assert t is not None and t.unit == "°C" and t.area == "study"
    assert registry.resolve("study plug power") is not None
    assert registry.resolve("movie night") is not None and registry.resolve("relax") is not None
    # Sensors are never command targets.
    assert not temp.controllable and not contact.controllable


def test_template_outside_the_subset_skips_only_that_entity(registry: DeviceRegistry) -> None:
    assert registry.resolve("odd sensor") is None
    assert registry.resolve("bathroom temperature") is not None


def test_override_by_ieee_adds_alias_area_and_sensitivity(registry: DeviceRegistry) -> None:
    lamp = registry.resolve("reading lamp")
    assert lamp is not None and lamp.name == "hall lamp"
    assert (lamp.area, lamp.sensitive, lamp.floor) == ("hall", True, "ground floor")
    blind = registry.resolve("living room blind")
    assert blind is not None and (blind.area, blind.device_class) == ("living room", "blind")


def test_unmatched_override_is_logged_once_at_info(caplog: pytest.LogCaptureFixture,
                                                   wall: Wall) -> None:
    cfg = hh.config(BASE, HA)
    cfg["device_overrides"] = [{"address": "0xdeadbeef", "aliases": ["ghost"]}]
    with caplog.at_level(logging.INFO):
        reg = DeviceRegistry(HearthConfig.model_validate(cfg), wall=wall)
        hh.announce(reg.handle_message, BASE, HA)
    found = [r for r in caplog.records if "0xdeadbeef" in r.getMessage()]
    assert len(found) == 1 and found[0].levelno == logging.INFO


# -- state and freshness ----------------------------------------------------------------


def test_contact_false_answers_open(registry: DeviceRegistry) -> None:
    feed(registry, f"{BASE}/back door contact", {"contact": False, "battery": 90})
    found = registry.answer(StateQuestion(name="back door contact", state="open"))
    assert found.text == "Yes, the back door contact is open."
    feed(registry, f"{BASE}/back door contact", {"contact": True})
    assert registry.answer(StateQuestion(name="back door contact", state="open")).text == \
        "No, the back door contact is closed."


def test_never_reported_stale_and_offline_are_unknown(registry: DeviceRegistry,
                                                     wall: Wall) -> None:
    temp = registry.resolve("bedroom sensor temperature")
    assert temp is not None
    q = StateQuestion(kind="sensor", measure="temperature", area="bedroom")
    first = registry.answer(q)
    assert first.text.startswith("I don't know") and "has not reported" in first.text
    assert first.as_dict()["unknown"] == [temp.id]
    feed(registry, f"{BASE}/bedroom sensor", {"temperature": 21.46, "humidity": 48})
    assert registry.answer(q).text == "The temperature in the bedroom is 21.5 degrees."
    assert registry.answer(StateQuestion(kind="sensor", measure="humidity", area="bedroom")
                           ).text == "The humidity in the bedroom is 48 percent."
    wall.now += 3601  # state_max_age = 3600
    stale = registry.answer(q)
    assert stale.text == ("I don't know: the bedroom sensor temperature has not reported "
                          "for 60 minutes.")
    feed(registry, f"{BASE}/bedroom sensor", {"temperature": 22})
    feed(registry, f"{BASE}/bedroom sensor/availability", {"state": "offline"})
    assert "is offline" in registry.answer(q).text


def test_expire_after_and_ha_availability(registry: DeviceRegistry, wall: Wall) -> None:
    feed(registry, f"{BASE}/bath/state", {"temperature": 23.0})
    q = StateQuestion(kind="sensor", measure="temperature", area="bathroom")
    assert registry.answer(q).text == "The temperature in the bathroom is 23 degrees."
    wall.now += 601  # the announcement's expire_after, shorter than state_max_age
    assert registry.answer(q).text.startswith("I don't know")
    feed(registry, f"{BASE}/side/state", "open")
    assert registry.answer(StateQuestion(name="side door", state="open")).text == \
        "Yes, the side door is open."
    feed(registry, f"{BASE}/side/status", "offline")
    assert registry.answer(StateQuestion(name="side door", state="open")).text == \
        "I don't know: the side door is offline."


def test_tasmota_fahrenheit_converted_and_lwt(registry: DeviceRegistry) -> None:
    feed(registry, f"tele/{hh.TASMOTA_TOPIC}/SENSOR",
         {"AM2301": {"Temperature": 70.0, "Humidity": 41}, "ENERGY": {"Power": 380}})
    assert registry.answer(StateQuestion(name="study plug temperature")).text == \
        "The study plug temperature is 21.1 degrees."
    assert registry.answer(StateQuestion(name="study plug power")).text == \
        "The study plug power is 380 watts."
    feed(registry, f"tele/{hh.TASMOTA_TOPIC}/LWT", "Offline")
    assert "offline" in registry.answer(StateQuestion(name="study plug power")).text


def test_climate_temperature_mean_and_target(registry: DeviceRegistry) -> None:
    feed(registry, f"{BASE}/thermostat", {"local_temperature": 19.5,
                                          "occupied_heating_setpoint": 21})
    found = registry.answer(StateQuestion(kind="temperature", area="living room"))
    assert found.text == "The temperature in the living room is 19.5 degrees."
    assert registry.answer(StateQuestion(kind="target", name="thermostat")).text == \
        "The thermostat is set to 21 degrees."
    feed(registry, f"{BASE}/bedroom sensor", {"temperature": 20})
    feed(registry, f"{BASE}/bath/state", {"temperature": 22})
    upstairs = registry.answer(StateQuestion(kind="temperature", floor="upstairs"))
    assert upstairs.text == (
        "The temperature on the first floor is 21 degrees (the average of 2 sensors).")


def test_which_lights_are_on_and_is_anything_unlocked(registry: DeviceRegistry) -> None:
    feed(registry, f"{BASE}/kitchen light", {"state": "ON"})
    feed(registry, f"{BASE}/front door lock", {"state": "UNLOCKED"})
    which = registry.answer(StateQuestion(domain="light", state="on", area="kitchen",
                                          response="which"))
    assert which.text == "The kitchen light is on."
    anything = registry.answer(StateQuestion(domain="lock", state="unlocked", response="any"))
    assert anything.text == "Yes, the front door lock is unlocked."
    assert registry.answer(StateQuestion(area="cellar", domain="light")).text.startswith(
        "I don't know a room called cellar. Rooms:")


# -- targets ----------------------------------------------------------------------------


async def test_close_the_blinds_never_moves_a_curtain_or_a_classless_cover(
        registry: DeviceRegistry) -> None:
    office = await plan(registry, device_class="blind", area="office", state="off")
    assert sent(office) == [(f"{BASE}/office_blind/set", "CLOSE")]
    house = await plan(registry, device_class="blind", state="off")
    assert sorted(sent(house)) == [(f"{BASE}/living room blind/set", {"state": "CLOSE"}),
                                   (f"{BASE}/office_blind/set", "CLOSE")]


async def test_floor_and_house_leave_sensitive_devices_out_and_name_them(
        registry: DeviceRegistry) -> None:
    result = await plan(registry, scope="everything", floor="downstairs", state="off")
    topics = {t for t, _ in sent(result)}
    assert f"{BASE}/kitchen light/set" in topics and f"{BASE}_plain/porch/set" in topics
    assert not any("lock" in t or "garage" in t or "alarm" in t or "valve" in t
                   or "hall lamp" in t for t in topics)
    assert "left out: hall lamp" in result["reply"]
    house = await plan(registry, everywhere=True, domain="lock", state="off")
    assert house["ok"] is False and "front door lock" in house["reply"]
    garage = await plan(registry, device_class="garage", area="garage", state="on")
    assert [a["needs_confirmation"] for a in garage["actions"]] == [True]


async def test_the_lamp_with_three_lamps_asks_and_sends_nothing(registry: DeviceRegistry) -> None:
    result = await plan(registry, device="?lamp", state="on")
    assert result["actions"] == []
    assert result["reply"] == "Which lamp: bedroom lamp, desk lamp, hall lamp or office lamp?"
    here = await plan(registry, device="?lamp", state="on", speaker_area="bedroom")
    assert sent(here) == [(f"{BASE}/bedroom lamp/set", {"state": "ON"})]


async def test_unknown_device_and_area_answer_short(registry: DeviceRegistry) -> None:
    result = await plan(registry, device="kitchen lihgt", state="on")
    assert result["reply"] == "I don't know a device called kitchen lihgt. Did you mean kitchen light?"
    result = await plan(registry, area="cellar", domain="light", state="on")
    assert result["reply"].startswith("I don't know a room called cellar. Rooms: bathroom,")


def test_slot_lists_name_variants_ambiguity_and_name_as_room(registry: DeviceRegistry) -> None:
    lists = registry.slot_lists()
    names = {v.text_in.text: v.value_out for v in lists["name"].values}
    assert names["garden light"] == names["garden lights"] == "ha_switch_garden_lights"
    assert names["lamp"] == "?lamp"
    # Measurements and Home Assistant's own generic words never become "which one?" names.
    assert "temperature" not in names and "light" not in names and "blind" not in names
    assert names["bedroom sensor temperature"].startswith("z2m_0x000a")
    areas = {v.text_in.text: v.value_out for v in lists["area"].values}
    assert areas["lounge"] == "living room" and areas["garden"] == "device:ha_switch_garden_lights"
    floors = {v.text_in.text: v.value_out for v in lists["floor"].values}
    assert floors["downstairs"] == "ground floor"


# -- payloads, one row of the table per protocol ------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    # fan on/off: Zigbee2MQTT fan_state, not state
    ({"device": "ceiling fan", "state": "on"}, (f"{BASE}/ceiling fan/set", {"fan_state": "ON"})),
    ({"device": "bathroom fan", "state": "off"}, (f"{BASE}/bathroom fan/set", {"state": "OFF"})),
    ({"device": "office fan", "state": "on"}, (f"{BASE}/office_fan/set", "ON")),
    # fan speed
    ({"device": "ceiling fan", "percentage": 50}, (f"{BASE}/ceiling fan/set", {"fan_mode": "medium"})),
    ({"device": "ceiling fan", "percentage": 100}, (f"{BASE}/ceiling fan/set", {"fan_mode": "high"})),
    ({"device": "ceiling fan", "percentage": 0}, (f"{BASE}/ceiling fan/set", {"fan_mode": "off"})),
    ({"device": "bathroom fan", "percentage": 50}, (f"{BASE}/bathroom fan/set", {"speed": 127})),
    ({"device": "office fan", "percentage": 50}, (f"{BASE}/office_fan/speed", "2")),
    # setpoint: clamped and stepped
    ({"device": "thermostat", "temperature": 21.3}, (f"{BASE}/thermostat/set",
                                                     {"occupied_heating_setpoint": 21.5})),
    ({"device": "thermostat", "temperature": 40}, (f"{BASE}/thermostat/set",
                                                   {"occupied_heating_setpoint": 30})),
    ({"device": "office heater", "temperature": 20}, (f"{BASE}/office_heater/target/set", "20")),
    # cover stop and position
    ({"device": "living room blind", "stop": True}, (f"{BASE}/living room blind/set",
                                                     {"state": "STOP"})),
    ({"device": "office blind", "stop": True}, (f"{BASE}/office_blind/set", "STOP")),
    ({"device": "living room blind", "position": 40}, (f"{BASE}/living room blind/set",
                                                       {"position": 40})),
    ({"device": "office blind", "position": 40}, (f"{BASE}/office_blind/pos", "40")),
    # relative brightness
    ({"device": "kitchen light", "step": 25}, (f"{BASE}/kitchen light/set",
                                               {"brightness_step": 64})),
    ({"device": "kitchen light", "step": -25}, (f"{BASE}/kitchen light/set",
                                                {"brightness_step": -64})),
    # scenes
    ({"device": "movie night", "state": "on"}, (f"{BASE}/living room group/set",
                                                {"scene_recall": 3})),
    ({"device": "relax", "state": "on"}, (f"{BASE}/scene/relax", "ON")),
    ({"device": "garden lights", "state": "off"}, (f"{BASE}/garden/set", "OFF")),
])
async def test_payload_table(registry: DeviceRegistry, args: dict[str, Any],
                             expected: tuple[str, Any]) -> None:
    result = await plan(registry, **args)
    assert sent(result) == [expected], result


async def test_tasmota_rows_and_refusals(registry: DeviceRegistry) -> None:
    topic = hh.TASMOTA_TOPIC
    assert sent(await plan(registry, device="study plug", state="on")) == [
        (f"cmnd/{topic}/POWER", "ON")]
    refused = await plan(registry, device="study plug", temperature=20)
    assert refused["ok"] is False and refused["actions"][0]["status"] == "failed"
    porch = await plan(registry, device="porch light", step=25)
    assert porch["ok"] is False  # a plain topic has no relative brightness
    office = await plan(registry, device="office lamp", step=25)
    assert office["ok"] is False and "how bright" in office["actions"][0]["error"]
    feed(registry, f"{BASE}/office_lamp", {"state": "ON", "brightness": 100})
    assert sent(await plan(registry, device="office lamp", step=25)) == [
        (f"{BASE}/office_lamp/set", {"state": "ON", "brightness": 164})]


def test_override_alias_never_takes_a_configured_name(wall: Wall) -> None:
    cfg = hh.config(BASE, HA)
    cfg["device_overrides"].append({"address": "desk lamp", "aliases": ["porch light", "desk"]})
    reg = DeviceRegistry(HearthConfig.model_validate(cfg), wall=wall)
    hh.announce(reg.handle_message, BASE, HA)
    porch = reg.resolve("porch light")
    desk = reg.resolve("desk")
    assert porch is not None and porch.source == "config"
    assert desk is not None and desk.name == "desk lamp" and "porch light" not in desk.aliases


def test_malformed_reports_are_refused_and_known_values_kept(registry: DeviceRegistry) -> None:
    from agent.errors import MalformedMessage

    feed(registry, f"{BASE}/bedroom sensor", {"temperature": 20})
    with pytest.raises(MalformedMessage):
        registry.handle_message(f"{BASE}/bedroom sensor", b"not json")
    with pytest.raises(MalformedMessage):
        registry.handle_message(f"tasmota/discovery/{hh.TASMOTA_MAC}/sensors", b'{"sn": 3}')
    assert registry.resolve("study plug temperature") is not None
    temp = registry.resolve("bedroom sensor temperature")
    assert temp is not None and registry.reading(temp.id).value == 20
    # A report without the property leaves the reading as it was.
    feed(registry, f"{BASE}/bedroom sensor", {"battery": 50})
    assert registry.reading(temp.id).value == 20


def test_zigbee2mqtt_generated_ha_binary_sensor_with_json_payloads(wall: Wall) -> None:
    reg = DeviceRegistry(HearthConfig.model_validate(hh.config(BASE, HA)), wall=wall)
    feed(reg, f"{HA}/binary_sensor/0x000c/contact/config", {
        "name": "larder door", "stat_t": "z2m/larder", "val_tpl": "{{ value_json.contact }}",
        "pl_on": False, "pl_off": True, "dev_cla": "door", "uniq_id": "0x000c_contact"})
    door = reg.resolve("larder door")
    assert door is not None
    feed(reg, "z2m/larder", {"contact": False})
    assert reg.answer(StateQuestion(name="larder door")).text == "The larder door is open."
    feed(reg, "z2m/larder", {"contact": True})
    assert reg.answer(StateQuestion(name="larder door")).text == "The larder door is closed."


def test_tasmota_dimmer_state_from_result(registry: DeviceRegistry) -> None:
    from dataclasses import replace

    plug = registry.resolve("study plug")
    assert plug is not None
    feed(registry, f"stat/{hh.TASMOTA_TOPIC}/RESULT", {"POWER": "ON", "Dimmer": 40})
    state = registry.state(plug.id)
    assert state is not None and state.values == {"state": "on"}  # a plug has no dimmer
    from agent.devices.adapters import parse_state

    dimmer = replace(plug, dimmable=True, kind="light")
    assert parse_state(dimmer, f"stat/{hh.TASMOTA_TOPIC}/RESULT",
                       b'{"POWER":"ON","Dimmer":40}') == {"state": "on", "brightness": 40}


def test_configured_sensors_need_a_state_topic_not_a_command_topic(wall: Wall) -> None:
    from agent.errors import ConfigError

    cfg = HearthConfig.model_validate({"devices": [
        {"name": "hall temperature", "kind": "sensor", "protocol": "zigbee2mqtt",
         "address": "hall_sensor", "device_class": "temperature", "unit": "°C"},
        {"name": "pantry door", "kind": "binary_sensor", "protocol": "topic",
         "state_topic": "home/pantry", "device_class": "door", "payload_on": "OPEN",
         "payload_off": "SHUT"},
    ]})
    reg = DeviceRegistry(cfg, wall=wall)
    hall = reg.resolve("hall temperature")
    assert hall is not None and hall.command_topic is None and hall.value_key == "temperature"
    feed(reg, "zigbee2mqtt/hall_sensor", {"temperature": 18.2, "humidity": 40})
    assert reg.answer(StateQuestion(name="hall temperature")).text == \
        "The hall temperature is 18.2 degrees."
    feed(reg, "home/pantry", "OPEN")
    assert reg.answer(StateQuestion(name="pantry door", state="open")).text == \
        "Yes, the pantry door is open."
    with pytest.raises(ConfigError) as info:
        DeviceRegistry(HearthConfig.model_validate({"devices": [
            {"name": "x", "kind": "sensor", "protocol": "topic"}]}))
    assert info.value.problems == ["devices[0].state_topic: required for a sensor"]


async def test_tasmota_fan_speed_shutter_stop_and_dimmer_steps(wall: Wall) -> None:
    reg = DeviceRegistry(HearthConfig.model_validate({"devices": [
        {"name": "study ifan", "kind": "fan", "protocol": "tasmota", "address": "ifan"},
        {"name": "study shutter", "kind": "cover", "protocol": "tasmota", "address": "shut"},
        {"name": "study light", "kind": "light", "protocol": "tasmota", "address": "dim"},
    ]}), wall=wall)
    assert sent(await plan(reg, device="study ifan", percentage=66)) == [
        ("cmnd/ifan/FanSpeed", "2")]
    assert sent(await plan(reg, device="study ifan", percentage=0)) == [
        ("cmnd/ifan/FanSpeed", "0")]
    assert sent(await plan(reg, device="study shutter", stop=True)) == [
        ("cmnd/shut/ShutterStop", "")]
    assert sent(await plan(reg, device="study light", step=25)) == [("cmnd/dim/Dimmer", "+")]
    assert sent(await plan(reg, device="study light", step=-25)) == [("cmnd/dim/Dimmer", "-")]
