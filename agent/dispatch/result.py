"""What one dispatch did: which route, which skill, the reply or the error, the ledger rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.errors import HearthError
from agent.plugins.contract import Reply

# intent: the hassil matcher picked the skill (no model); dispatcher: the local model did;
# answer: the local model answered itself; mqtt/schedule/action: the trigger named the skill;
# cue: an explicit cue ("ask Claude", a tier) named it; learned: an accepted phrasing did.
Route = Literal["intent", "dispatcher", "answer", "mqtt", "schedule", "action", "cue", "learned"]
# ok: handled; failed: the skill raised; timeout: it overran its timeout; refused: nothing
# ran (the model's choice was garbage, or named an unknown skill or tool, or had invalid
# arguments); unavailable: the dispatcher's model call failed; planned: a dry run's plan.
Status = Literal["ok", "failed", "timeout", "refused", "unavailable", "planned"]


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """The outcome of one trigger. Dispatch never raises for a skill's or model's failure."""

    route: Route
    status: Status
    skill: str | None = None
    reply: Reply | None = None
    error: HearthError | None = None
    intent: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    arguments: Mapping[str, Any] = field(default_factory=dict)
    ledger_ids: tuple[str, ...] = ()
    latency_ms: int = 0
    dry_run: bool = False
    # For a dry run that would have asked the local model: the router's plan (no call made).
    plan: object | None = None

    @property
    def ok(self) -> bool:
        """True when the work was done (or, for a dry run, planned)."""
        return self.status in ("ok", "planned")

    @property
    def text(self) -> str:
        """What to tell a person: the reply, or a one-line reason it failed."""
        if self.reply is not None:
            return self.reply.text
        if self.error is not None:
            return str(self.error)
        return ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for `hearth ask --json` and MQTT replies)."""
        return {
            "route": self.route,
            "status": self.status,
            "skill": self.skill,
            "text": self.text,
            "data": dict(self.reply.data) if self.reply is not None else {},
            "error": type(self.error).__name__ if self.error is not None else None,
            "intent": self.intent,
            "slots": dict(self.slots),
            "arguments": dict(self.arguments),
            "ledger_ids": list(self.ledger_ids),
            "latency_ms": self.latency_ms,
            "dry_run": self.dry_run,
        }
