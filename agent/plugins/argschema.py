"""A small JSON Schema subset for skill arguments: checked at start-up, enforced at dispatch.

The local dispatcher hands a skill arguments that a model produced, so they are untrusted
and are validated here before the skill sees them. Only the keywords below are supported;
a skill declaring anything else fails start-up rather than have a keyword silently ignored:

    type (object, string, integer, number, boolean, array, null), properties, required,
    additionalProperties (boolean), enum, const, minimum, maximum, minLength, maxLength,
    items, minItems, maxItems; description, title and default are annotations.

Unlike JSON Schema, ``additionalProperties`` defaults to false: a key the skill did not
declare is refused unless it says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SUPPORTED = frozenset({
    "type", "properties", "required", "additionalProperties", "enum", "const", "minimum",
    "maximum", "minLength", "maxLength", "items", "minItems", "maxItems", "description",
    "title", "default",
})
_TYPES = frozenset({"object", "string", "integer", "number", "boolean", "array", "null"})


def check_schema(schema: Any, where: str = "arguments_schema") -> list[str]:
    """Problems with `schema` itself (unsupported keywords, wrong shapes); empty when fine."""
    if not isinstance(schema, Mapping):
        return [f"{where}: must be a JSON object"]
    problems = [f"{where}: unsupported keyword {key!r}" for key in schema if key not in SUPPORTED]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    problems += [f"{where}.type: unknown type {k!r}" for k in kinds if k not in _TYPES]
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


def _type_ok(value: Any, kind: str) -> bool:
    # bool is an int in Python but not an integer in JSON Schema.
    checks: dict[str, bool] = {
        "object": isinstance(value, Mapping),
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "null": value is None,
    }
    return checks.get(kind, False)


def _check_bounds(value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{path}: below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{path}: above the maximum {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{path}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{path}: longer than {schema['maxLength']} characters")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{path}: more than {schema['maxItems']} items")
    return problems


def validate(value: Any, schema: Mapping[str, Any], path: str = "arguments") -> list[str]:
    """Problems with `value` against `schema` (one line each, dotted path); empty when valid."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    if kinds and not any(_type_ok(value, k) for k in kinds):
        return [f"{path}: expected {' or '.join(kinds)}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        return [f"{path}: must be {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: must be one of {schema['enum']!r}"]
    problems = _check_bounds(value, schema, path)
    if isinstance(value, Mapping):
        props: Mapping[str, Any] = schema.get("properties", {})
        problems += [f"{path}.{r}: required" for r in schema.get("required", []) if r not in value]
        for key, item in value.items():
            if key in props:
                problems += validate(item, props[key], f"{path}.{key}")
            elif not schema.get("additionalProperties", False):
                # Unknown keys are refused by default: a model must not smuggle in extras.
                problems.append(f"{path}.{key}: not allowed")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            problems += validate(item, schema["items"], f"{path}[{i}]")
    return problems
