"""The ``ask`` and ``pending`` sides of the control socket: the CLI runs requests in the daemon.

With a daemon running, `hearth ask` sends its text here instead of building a second
dispatcher, so it sees the devices the daemon discovered and leaves its pending actions
where `hearth confirm` (another process) can approve them.

``ask`` args: ``{"text": str, "dry_run": bool}``; the reply is `dispatch_summary` of the
result: route, status, skill, text, data, actions, tier, latency_ms, ... Optional:
``"conversation"`` (the caller's id, e.g. its uid: the follow-up key becomes ``cli:<id>``),
``"continue"`` (use that conversation's earlier turns; without it the key starts afresh) and
``"tier"`` (a tier cue: ``deep`` asks the advisor, ``local`` the assistant).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from agent.dispatch import DispatchResult

# Longer than the control socket's default: a request may wait on a model.
ASK_TIMEOUT = 300.0
MAX_TEXT_CHARS = 2000

MAX_CONVERSATION_CHARS = 64
ASK_TIERS = ("local", "fast", "deep")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class Forgetting(Protocol):
    """The part of the conversation store `ask` uses: a new CLI conversation starts empty."""

    async def forget(self, key: str) -> None:
        """Delete the turns of `key`."""
        ...


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


def ask_handler(dispatcher: Any, conversations: Forgetting | None = None) -> Handler:
    """The daemon's ``ask`` handler around its dispatcher (and its follow-up store)."""

    async def ask(args: dict[str, Any]) -> dict[str, Any]:
        text = args.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
            return {"status": "refused", "text": f"ask needs `text`: 1 to {MAX_TEXT_CHARS} "
                                                 "characters", "route": "dispatcher",
                    "skill": None, "data": {}, "latency_ms": 0}
        dry_run = args.get("dry_run", False)
        if not isinstance(dry_run, bool):
            dry_run = False
        area = args.get("area")
        conversation, tier = _conversation_and_tier(args)
        fresh = args.get("continue") is not True and not dry_run
        if conversation is not None and fresh and conversations is not None:
            await conversations.forget(conversation)
        result = await dispatcher.handle_text(text, trigger="ask", dry_run=dry_run,
                                              area=area if isinstance(area, str) else None,
                                              conversation=conversation, tier=tier)
        return dispatch_summary(result)

    return ask


def _conversation_and_tier(args: dict[str, Any]) -> tuple[str | None, Any]:
    """The follow-up key and the tier cue; a bad value is ignored (the ask still runs)."""
    raw = args.get("conversation")
    conversation = None
    if (isinstance(raw, str) and 0 < len(raw) <= MAX_CONVERSATION_CHARS
            and raw.isprintable()):
        conversation = f"cli:{raw}"
    tier = args.get("tier")
    return conversation, tier if tier in ASK_TIERS else None
