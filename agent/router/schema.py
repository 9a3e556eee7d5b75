"""Structured output: parse a model's JSON and check it against the request's schema.

Grammar-constrained decoding (Ollama's ``format``, Claude's ``output_config.format``) usually
yields valid JSON, but "usually" is not a contract: a small local model, a cloud endpoint
that ignores the schema, or a truncated answer all produce garbage. This checks the subset
of JSON Schema that skills use (type, properties, required, additionalProperties, enum,
const, items, minimum/maximum, minLength/maxLength, minItems/maxItems); anything else is
accepted as is. `problems` is also the walker behind skill-argument checks
(agent.plugins.argschema), which calls it with ``strict=True``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agent.errors import ModelResponseInvalid

# The JSON Schema type names this checks, and the Python types that count as each.
TYPES: dict[str, tuple[type, ...]] = {
    "object": (Mapping,), "array": (list,), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}


def _type_ok(value: Any, kind: str, *, strict: bool) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False  # JSON booleans are not numbers, whatever Python thinks
    if kind == "integer" and isinstance(value, float):
        return not strict and value.is_integer()
    if kind not in TYPES:
        return not strict
    return isinstance(value, TYPES[kind])


def problems(value: Any, schema: Mapping[str, Any], path: str = "$", *,
             strict: bool = False) -> list[str]:
    """Every way `value` breaks `schema`, as `path: reason` lines (empty: it conforms).

    `strict` is for values handed to Python code (skill arguments): an undeclared key is
    refused unless ``additionalProperties`` is true, an integer must not be a float (3.0),
    and an unknown type name matches nothing. Otherwise only ``additionalProperties: false``
    closes an object, a whole float passes as an integer, and an unknown type matches anything.
    """
    kind = schema.get("type")
    kinds = [] if kind is None else list(kind) if isinstance(kind, list | tuple) else [kind]
    if kinds and not any(_type_ok(value, str(k), strict=strict) for k in kinds):
        return [f"{path}: expected {' or '.join(map(str, kinds))}, got {type(value).__name__}"]
    out: list[str] = []
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: must be one of {list(schema['enum'])!r}")
    out.extend(_container_problems(value, schema, path, strict))
    out.extend(_range_problems(value, schema, path))
    return out


def _container_problems(value: Any, schema: Mapping[str, Any], path: str,
                        strict: bool) -> list[str]:
    out: list[str] = []
    if isinstance(value, Mapping):
        props: Mapping[str, Any] = schema.get("properties") or {}
        out.extend(f"{path}.{name}: required" for name in schema.get("required") or ()
                   if name not in value)
        for name, item in value.items():
            if name in props:
                out.extend(problems(item, props[name], f"{path}.{name}", strict=strict))
            elif schema.get("additionalProperties", not strict) is False:
                # Under `strict` a model must not smuggle in extras the skill never declared.
                out.append(f"{path}.{name}: not allowed")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for n, item in enumerate(value):
            out.extend(problems(item, schema["items"], f"{path}[{n}]", strict=strict))
    return out


def _range_problems(value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
    out: list[str] = []
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: above the maximum {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append(f"{path}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{path}: longer than {schema['maxLength']} characters")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{path}: more than {schema['maxItems']} items")
    return out


def _strip_fences(text: str) -> str:
    # Small models often wrap JSON in a Markdown fence even when told not to.
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped.strip()


def parse_structured(text: str, schema: Mapping[str, Any], *, backend: str) -> Any:
    """The JSON value in `text`, checked against `schema`; ModelResponseInvalid otherwise."""
    try:
        value = json.loads(_strip_fences(text))
    except ValueError:
        preview = text[:60].replace("\n", " ")
        raise ModelResponseInvalid(f"structured output is not JSON: {preview!r}",
                                   backend=backend) from None
    found = problems(value, schema)
    if found:
        raise ModelResponseInvalid("structured output does not match its schema: "
                                   + "; ".join(found[:5]), backend=backend)
    return value
