"""The wire format of the control socket: one JSON object per line, each way.

Request:  ``{"command": "status", "args": {...}}``
Reply:    ``{"ok": true, "result": {...}}`` or ``{"ok": false, "error": "message"}``

Lines are UTF-8 and at most ``MAX_LINE`` bytes; values the encoder does not know (Decimal,
datetime, Path) are sent as their ``str()``, so handlers may return them directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agent.errors import ProtocolError

__all__ = ["MAX_LINE", "SOCKET_NAME", "ProtocolError", "Reply", "decode_reply",
           "decode_request", "encode"]

MAX_LINE = 1 << 20
SOCKET_NAME = "control.sock"


@dataclass(frozen=True, slots=True)
class Reply:
    """A decoded reply: ``result`` when the command succeeded, else ``error``."""

    result: dict[str, Any] | None = None
    error: str | None = None


def encode(message: dict[str, Any]) -> bytes:
    """One message as a JSON line."""
    return json.dumps(message, default=str, separators=(",", ":")).encode() + b"\n"


def _object(line: bytes) -> dict[str, Any]:
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON line: {exc}") from None
    if not isinstance(value, dict):
        raise ProtocolError("not a JSON object")
    return value


def decode_request(line: bytes) -> tuple[str, dict[str, Any]]:
    """``(command, args)`` from a request line; ProtocolError when malformed."""
    value = _object(line)
    command = value.get("command")
    args = value.get("args", {})
    if not isinstance(command, str) or not command:
        raise ProtocolError("`command` must be a non-empty string")
    if not isinstance(args, dict):
        raise ProtocolError("`args` must be an object")
    return command, args


def decode_reply(line: bytes) -> Reply:
    """The reply in `line`; ProtocolError when malformed."""
    value = _object(line)
    if value.get("ok") is True and isinstance(value.get("result"), dict):
        return Reply(result=value["result"])
    if value.get("ok") is False:
        return Reply(error=str(value.get("error") or "unspecified error"))
    raise ProtocolError("reply has neither a result object nor an error")
