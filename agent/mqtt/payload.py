"""JSON from the broker, with a bound on nesting.

Anything on the broker may be hostile. ``json.loads`` recurses in C and raises
`RecursionError` (not a ValueError) on deep input such as 30,000 nested brackets, which would
escape the bridge's "malformed message" handling and log a traceback. Inbound JSON that
hearth reads (device state, discovery, rules, requests) goes through `load_json`, which turns
bad UTF-8, bad JSON, "too deep for the parser" and "deeper than this message type ever is"
into a `MalformedMessage`: counted as malformed, one warning line.
"""

from __future__ import annotations

import json
from typing import Any

from agent.errors import MalformedMessage, RefusedMessage

__all__ = ["DEFAULT_MAX_DEPTH", "RefusedMessage", "decode_text",
           "depth_exceeds", "load_json"]

# Real device payloads nest a handful of levels; Zigbee2MQTT's `exposes` about eight.
DEFAULT_MAX_DEPTH = 32


def decode_text(payload: bytes) -> str:
    """`payload` as UTF-8 text; MalformedMessage when it is not UTF-8."""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage(f"not UTF-8: {exc.reason} at byte {exc.start}") from exc


def load_json(payload: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The decoded document; MalformedMessage for bad UTF-8, bad JSON or nesting over
    `max_depth`."""
    text = decode_text(payload) if isinstance(payload, bytes) else payload
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedMessage(f"not JSON: {exc}") from exc
    except RecursionError:
        raise MalformedMessage(f"JSON nested deeper than {max_depth} levels") from None
    if depth_exceeds(doc, max_depth):
        raise MalformedMessage(f"JSON nested deeper than {max_depth} levels")
    return doc


def depth_exceeds(doc: Any, max_depth: int) -> bool:
    """Whether containers in `doc` nest more than `max_depth` deep (scalars are depth 0).

    Iterative, so it cannot hit the recursion limit itself.
    """
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False
