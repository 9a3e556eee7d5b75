"""Structured output: parse a model's JSON and check it against the request's schema.

Grammar-constrained decoding (Ollama's ``format``, Claude's ``output_config.format``) usually
yields valid JSON, but "usually" is not a contract: a small local model, a cloud endpoint
that ignores the schema, or a truncated answer all produce garbage. This checks the subset
of JSON Schema that skills use (type, properties, required, additionalProperties, enum,
const, items, minimum/maximum, minLength/maxLength); anything else is accepted as is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agent.errors import ModelResponseInvalid

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False  # JSON booleans are not numbers, whatever Python thinks
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(kind, (object,)))


def problems(value: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """Every way `value` breaks `schema`, as `path: reason` lines (empty: it conforms)."""
    out: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_type_ok(value, str(k)) for k in allowed):
            return [f"{path}: expected {' or '.join(map(str, allowed))}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: expected {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: not one of {list(schema['enum'])!r}")
    out.extend(_container_problems(value, schema, path))
    out.extend(_range_problems(value, schema, path))
    return out


def _container_problems(value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
    out: list[str] = []
    if isinstance(value, dict):
        props: Mapping[str, Any] = schema.get("properties") or {}
        out.extend(f"{path}: missing {name!r}" for name in schema.get("required") or ()
                   if name not in value)
        for name, item in value.items():
            if name in props:
                out.extend(problems(item, props[name], f"{path}.{name}"))
            elif schema.get("additionalProperties") is False:
                out.append(f"{path}: unexpected key {name!r}")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for n, item in enumerate(value):
            out.extend(problems(item, schema["items"], f"{path}[{n}]"))
    return out


def _range_problems(value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
    out: list[str] = []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: above {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{path}: longer than {schema['maxLength']}")
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
