"""Helpers every discovery parser shares: bounded text, safe topics, typed lookups."""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from agent.errors import MalformedMessage
from agent.mqtt.payload import load_json

_T = TypeVar("_T")
ID_PART = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_NAME = 80
# A discovery config is a flat object with a `device` block and a few small lists.
CONFIG_MAX_DEPTH = 8


def text(value: Any, limit: int = MAX_NAME) -> str | None:
    """A stripped, bounded string, or None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def topic(value: Any) -> str | None:
    """A topic a device may use: no wildcards, no `$SYS`, bounded; else None."""
    if not isinstance(value, str) or not value or len(value) > 256:
        return None
    if "+" in value or "#" in value or value.startswith("$") or "\x00" in value:
        return None
    return value


def of(doc: dict[str, Any], key: str, kind: type[_T], default: _T) -> _T:
    """`doc[key]` when it has the type, else `default`."""
    value = doc.get(key)
    return value if isinstance(value, kind) else default


def number(value: Any) -> float | None:
    """A finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and abs(value) < 1e12 else None


def load_object(payload: bytes) -> dict[str, Any]:
    """A discovery payload as a JSON object; MalformedMessage otherwise."""
    doc = load_json(payload, max_depth=CONFIG_MAX_DEPTH)
    if not isinstance(doc, dict):
        raise MalformedMessage("discovery payload is not a JSON object")
    return doc
