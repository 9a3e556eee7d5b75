"""A small, safe subset of Home Assistant's `value_template`s, evaluated without Jinja.

Discovery configs are untrusted, so templates are parsed, never `eval`ed. Supported, because
Zigbee2MQTT, Tasmota and most firmware generate only these: `{{ value }}`,
`{{ value_json.a.b }}`, `{{ value_json['k'] }}` / `["k"]` / `[0]`, and the filters `int`,
`float`, `round(n)`, `default(x)`, `lower`, `upper`, `string`, `trim`. Anything else is
`UnsupportedTemplate`, and the entity using it is skipped (logged once by the caller).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from agent.errors import MalformedMessage

_WHOLE = re.compile(r"^\s*\{\{\s*(.+?)\s*\}\}\s*$", re.S)
_PATH_START = re.compile(r"^(value_json|value)")
_ATTR = re.compile(r"^\.([A-Za-z_][A-Za-z0-9_]*)")
_INDEX = re.compile(r"""^\[\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\]""")
_FILTER = re.compile(r"^\|\s*([a-z_]+)\s*(?:\(\s*([^()]*?)\s*\))?\s*")
_FILTERS = frozenset({"int", "float", "round", "default", "lower", "upper", "string", "trim"})
MAX_TEMPLATE = 200


class UnsupportedTemplate(ValueError):
    """A template outside the subset hearth evaluates."""


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: where the value is, then the filters applied to it."""

    source: str
    json: bool
    path: tuple[str | int, ...]
    filters: tuple[tuple[str, str | None], ...]

    def render(self, payload: str) -> Any:
        """The value for one state payload; MalformedMessage when the payload lacks it."""
        value: Any = payload
        if self.json:
            try:
                value = json.loads(payload)
            except ValueError:
                raise MalformedMessage("state is not JSON") from None
        missing = False
        for step in self.path:
            if _has(value, step):
                value = value[step]
            else:
                missing = True
                break
        for name, arg in self.filters:
            if name == "default":
                if missing:
                    value, missing = _literal(arg), False
                continue
            if missing:
                break
            value = _apply(name, arg, value)
        if missing:
            raise MalformedMessage(f"state has no {'.'.join(map(str, self.path))}")
        return value


def _has(value: Any, step: str | int) -> bool:
    if isinstance(step, int):
        return isinstance(value, list) and step < len(value)
    return isinstance(value, dict) and step in value


def _literal(arg: str | None) -> Any:
    if arg is None:
        return ""
    try:
        return json.loads(arg.replace("'", '"'))
    except ValueError:
        raise UnsupportedTemplate(f"default({arg})") from None


def _apply(name: str, arg: str | None, value: Any) -> Any:
    try:
        if name == "int":
            return int(float(value))
        if name == "float":
            return float(value)
        if name == "round":
            return round(float(value), int(arg) if arg else 0)
    except (TypeError, ValueError):
        raise MalformedMessage(f"{value!r} is not a number") from None
    text = value if isinstance(value, str) else json.dumps(value)
    return {"lower": text.lower(), "upper": text.upper(), "trim": text.strip()}.get(name, text)


def parse_template(source: str) -> Template:
    """Parse `source`; UnsupportedTemplate naming what is outside the subset."""
    if len(source) > MAX_TEMPLATE:
        raise UnsupportedTemplate("template too long")
    whole = _WHOLE.match(source)
    if whole is None or "{%" in source:
        raise UnsupportedTemplate(source)
    rest = whole.group(1)
    start = _PATH_START.match(rest)
    if start is None:
        raise UnsupportedTemplate(source)
    is_json = start.group(1) == "value_json"
    rest = rest[start.end():]
    path: list[str | int] = []
    while is_json and rest and rest[0] in ".[":
        attr = _ATTR.match(rest)
        index = _INDEX.match(rest)
        if attr is not None:
            path.append(attr.group(1))
            rest = rest[attr.end():]
        elif index is not None:
            key, key2, number = index.groups()
            path.append(int(number) if number is not None else (key if key is not None else key2))
            rest = rest[index.end():]
        else:
            raise UnsupportedTemplate(source)
    filters: list[tuple[str, str | None]] = []
    rest = rest.strip()
    while rest:
        found = _FILTER.match(rest)
        if found is None or found.group(1) not in _FILTERS:
            raise UnsupportedTemplate(source)
        filters.append((found.group(1), found.group(2)))
        rest = rest[found.end():]
    if any(name == "default" for name, _ in filters):
        for name, arg in filters:
            if name == "default":
                _literal(arg)
    return Template(source, is_json, tuple(path), tuple(filters))
