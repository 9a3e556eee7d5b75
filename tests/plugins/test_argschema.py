"""The arguments-schema subset: what start-up refuses and what dispatch rejects."""

from __future__ import annotations

from typing import Any

import pytest

from agent.plugins.argschema import check_schema, validate

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "device": {"type": "string", "minLength": 1, "maxLength": 20},
        "state": {"enum": ["on", "off"]},
        "brightness": {"type": "integer", "minimum": 0, "maximum": 100},
        "rooms": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    },
    "required": ["device", "state"],
}


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ({"device": "lamp", "state": "on"}, []),
        ({"device": "lamp", "state": "on", "brightness": 40, "rooms": ["a"]}, []),
        ({"device": "lamp"}, ["arguments.state: required"]),
        ({"device": "lamp", "state": "open"}, ["arguments.state: must be one of ['on', 'off']"]),
        ({"device": "lamp", "state": "on", "brightness": 101},
         ["arguments.brightness: above the maximum 100"]),
        ({"device": "lamp", "state": "on", "brightness": True},
         ["arguments.brightness: expected integer, got bool"]),
        ({"device": "", "state": "on"}, ["arguments.device: shorter than 1 characters"]),
        ({"device": "lamp", "state": "on", "tool": "unlock_door"},
         ["arguments.tool: not allowed"]),
        ({"device": "lamp", "state": "on", "rooms": ["a", 2]},
         ["arguments.rooms[1]: expected string, got int"]),
        ({"device": "lamp", "state": "on", "rooms": ["a", "b", "c"]},
         ["arguments.rooms: more than 2 items"]),
        ("lamp on", ["arguments: expected object, got str"]),
    ],
)
def test_validate(value: Any, problems: list[str]) -> None:
    assert validate(value, SCHEMA) == problems


def test_additional_properties_can_be_allowed() -> None:
    assert validate({"x": 1}, {"type": "object", "additionalProperties": True}) == []


def test_check_schema_accepts_the_subset_and_names_the_rest() -> None:
    assert check_schema(SCHEMA) == []
    assert check_schema({"type": "object", "oneOf": [],
                         "properties": {"a": {"type": "strng", "format": "email"}}}) == [
        "arguments_schema: unsupported keyword 'oneOf'",
        "arguments_schema.properties.a: unsupported keyword 'format'",
        "arguments_schema.properties.a.type: unknown type 'strng'",
    ]
    assert check_schema([]) == ["arguments_schema: must be a JSON object"]
