"""The ``ask`` and ``pending`` sides of the control socket: the CLI runs requests in the daemon.

With a daemon running, `hearth ask` sends its text here instead of building a second
dispatcher, so it sees the devices the daemon discovered and leaves its pending actions
where `hearth confirm` (another process) can approve them.

``ask`` args: ``{"text": str, "dry_run": bool}``; the reply is `dispatch_summary` of the
result: route, status, skill, text, data, actions, tier, latency_ms, ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.dispatch import DispatchResult

# Longer than the control socket's default: a request may wait on a model.
ASK_TIMEOUT = 300.0
MAX_TEXT_CHARS = 2000

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def dispatch_summary(result: DispatchResult) -> dict[str, Any]:
    """The JSON-able form `hearth ask` prints: the dispatch result, its tier and actions."""
    out = result.to_dict()
    out["tier"] = "none" if result.route in ("intent", "learned") else out["data"].get("tier")
    if "actions" in out["data"]:
        out["actions"] = out["data"].pop("actions")
    return out


def any_action_failed(summary: dict[str, Any]) -> bool:
    """True when a device action the request asked for was not carried out."""
    actions = summary.get("actions") or []
    return any(isinstance(a, dict) and a.get("status") == "failed" for a in actions)


def ask_handler(dispatcher: Any) -> Handler:
    """The daemon's ``ask`` handler around its dispatcher."""

    async def ask(args: dict[str, Any]) -> dict[str, Any]:
        text = args.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
            return {"status": "refused", "text": f"ask needs `text`: 1 to {MAX_TEXT_CHARS} "
                                                 "characters", "route": "dispatcher",
                    "skill": None, "data": {}, "latency_ms": 0}
        dry_run = args.get("dry_run", False)
        if not isinstance(dry_run, bool):
            dry_run = False
        result = await dispatcher.handle_text(text, trigger="ask", dry_run=dry_run)
        return dispatch_summary(result)

    return ask
