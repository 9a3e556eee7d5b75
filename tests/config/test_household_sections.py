"""The household sections: floors, areas, device overrides, satellites, custom sentences."""

from __future__ import annotations

import tomllib

import pytest

from agent.config import parse_config
from agent.errors import ConfigError

HOUSE = """
[discovery]
state_max_age = 600
brightness_step = 10

[[floors]]
name = "Ground Floor"
aliases = ["downstairs"]

[[areas]]
name = "living room"
aliases = ["lounge"]
floor = "downstairs"

[[areas]]
name = "bedroom"
floor = "upstairs"

[[device_overrides]]
address = "0x00158d0001a2b3c4"
aliases = ["reading lamp"]
area = "study"
sensitive = true
device_class = "blind"
max_age = 3600

[[satellites]]
id = "kitchen-puck"
area = "Lounge"

[[sentences]]
intent = "HassTurnOff"
templates = ["(lights out | good night) [everyone]"]
slots = { scope = "everything" }

[[devices]]
name = "hall temperature"
kind = "sensor"
device_class = "temperature"
unit = "°C"
max_age = 900
"""


def test_sections_parse_with_their_fields() -> None:
    config = parse_config(tomllib.loads(HOUSE))
    assert config.discovery.state_max_age == 600 and config.discovery.brightness_step == 10
    assert config.areas[0].floor == "downstairs" and config.areas[0].aliases == ("lounge",)
    override = config.device_overrides[0]
    assert (override.area, override.sensitive, override.device_class, override.max_age) == (
        "study", True, "blind", 3600)
    assert config.satellites[0].area == "Lounge"
    assert config.sentences[0].slots == {"scope": "everything"}
    device = config.devices[0]
    assert (device.kind, device.device_class, device.unit, device.max_age) == (
        "sensor", "temperature", "°C", 900)
    # "upstairs" has no [[floors]] entry: the area's floor creates it; "downstairs" is an alias.
    assert config.floor_names() == ("Ground Floor", "upstairs")


def test_defaults() -> None:
    config = parse_config({})
    assert config.discovery.state_max_age == 7200 and config.discovery.brightness_step == 25
    assert config.areas == () and config.floors == () and config.device_overrides == ()


def test_scene_and_binary_sensor_are_kinds() -> None:
    config = parse_config({"devices": [{"name": "movie night", "kind": "scene"},
                                       {"name": "back door", "kind": "binary_sensor",
                                        "device_class": "door"}]})
    assert [d.kind for d in config.devices] == ["scene", "binary_sensor"]


@pytest.mark.parametrize(("data", "path", "words"), [
    ({"areas": [{"name": "Kitchen"}, {"name": "diner", "aliases": ["the kitchen"]}]},
     "areas[1]", "already names areas[0]"),
    ({"floors": [{"name": "downstairs"}], "areas": [{"name": "Downstairs"}]},
     "areas[0]", "already names floors[0]"),
    ({"areas": [{"name": "hall"}], "satellites": [{"id": "p", "area": "cellar"}]},
     "satellites[0].area", "'cellar' is not an [[areas]] name or alias (areas: hall)"),
    ({"areas": [{"name": "hall"}, {"name": "den", "floor": "hall"}]},
     "areas[1].floor", "is an area, not a floor"),
    ({"areas": [{"name": "hall"}],
      "satellites": [{"id": "p", "area": "hall"}, {"id": "p", "area": "hall"}]},
     "satellites", "listed twice"),
])
def test_household_names_refused_with_the_place(data: dict[str, object], path: str,
                                                words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert any(path in p and words in p for p in info.value.problems), info.value.problems


@pytest.mark.parametrize(("data", "path"), [
    ({"device_overrides": [{"aliases": ["x"]}]}, "device_overrides[0].address"),
    ({"device_overrides": [{"address": "a", "colour": "red"}]}, "device_overrides[0].colour"),
    ({"sentences": [{"intent": "HassTurnOn", "templates": []}]}, "sentences[0].templates"),
    ({"satellites": [{"id": "p"}]}, "satellites[0].area"),
    ({"devices": [{"name": "t", "max_age": 0}]}, "devices[0].max_age"),
    ({"discovery": {"brightness_step": 0}}, "discovery.brightness_step"),
])
def test_field_problems_have_dotted_paths(data: dict[str, object], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert any(p.startswith(path + ":") for p in info.value.problems), info.value.problems
