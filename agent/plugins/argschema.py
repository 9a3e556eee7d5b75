"""A small JSON Schema subset for skill arguments: checked at start-up, enforced at dispatch.

The local dispatcher hands a skill arguments that a model produced, so they are untrusted
and are validated here before the skill sees them. Only the keywords below are supported;
a skill declaring anything else fails start-up rather than have a keyword silently ignored:

    type (object, string, integer, number, boolean, array, null), properties, required,
    additionalProperties (boolean), enum, const, minimum, maximum, minLength, maxLength,
    items, minItems, maxItems; description, title and default are annotations.

Unlike JSON Schema, ``additionalProperties`` defaults to false: a key the skill did not
declare is refused unless it says otherwise. The walking itself is
agent.router.schema.problems (strict mode); this module owns the subset and `check_schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.router.schema import TYPES
from agent.router.schema import problems as schema_problems

SUPPORTED = frozenset({
    "type", "properties", "required", "additionalProperties", "enum", "const", "minimum",
    "maximum", "minLength", "maxLength", "items", "minItems", "maxItems", "description",
    "title", "default",
})


def check_schema(schema: Any, where: str = "arguments_schema") -> list[str]:
    """Problems with `schema` itself (unsupported keywords, wrong shapes); empty when fine."""
    if not isinstance(schema, Mapping):
        return [f"{where}: must be a JSON object"]
    problems = [f"{where}: unsupported keyword {key!r}" for key in schema if key not in SUPPORTED]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    problems += [f"{where}.type: unknown type {k!r}" for k in kinds if k not in TYPES]
    props = schema.get("properties", {})
    if not isinstance(props, Mapping):
        problems.append(f"{where}.properties: must be an object")
    else:
        for name, sub in props.items():
            problems += check_schema(sub, f"{where}.properties.{name}")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        problems.append(f"{where}.required: must be a list of names")
    if not isinstance(schema.get("additionalProperties", False), bool):
        problems.append(f"{where}.additionalProperties: only true or false is supported")
    if "enum" in schema and not isinstance(schema["enum"], list):
        problems.append(f"{where}.enum: must be a list")
    if "items" in schema:
        problems += check_schema(schema["items"], f"{where}.items")
    return problems


def validate(value: Any, schema: Mapping[str, Any], path: str = "arguments") -> list[str]:
    """Problems with `value` against `schema` (one line each, dotted path); empty when valid."""
    return schema_problems(value, schema, path, strict=True)
