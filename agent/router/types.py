"""The router's request and response: what skills hand in and get back."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from agent.ledger.types import Usage
from agent.privacy.scopes import ALL_SCOPES, ContextPart

Tier = Literal["none", "local", "fast", "deep"]
Role = Literal["user", "assistant"]
CacheTtl = Literal["5m", "1h", "off"]  # "off": no cache_control breakpoint is sent


@dataclass(frozen=True, slots=True)
class Message:
    """One conversation turn. ``content`` is plain text; tool turns are the router's business."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool did, as Python values; a skill reads ``data`` directly.

    ``text`` is for a person; ``data`` is the structured result (JSON-ready values only). JSON
    is made once, by `for_model`, where the result goes to a model.
    """

    ok: bool
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def for_model(self) -> str:
        """The result as a model reads it: compact JSON of ``data``, or ``text`` when there is none."""
        if not self.data:
            return self.text
        return json.dumps(self.data, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool a model may ask for. ``handler`` runs only if the skill was granted ``name``."""

    name: str
    description: str
    input_schema: Mapping[str, Any]
    handler: Callable[[dict[str, Any]], Awaitable[ToolResult]]
    # What its results reveal, whether it changes the home, whether its results are untrusted
    # text. The defaults are the safe side: an untagged tool actuates and reveals everything.
    scopes: frozenset[str] = ALL_SCOPES
    actuates: bool = True
    untrusted: bool = False


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model made, and what hearth did with it."""

    name: str
    arguments: dict[str, Any]
    result: str | None = None
    refused: bool = False


# A validator returns None when the output is acceptable, else a reason.
Validator = Callable[["ModelResponse"], str | None]


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """One piece of model work.

    ``system`` and ``tools`` form the stable, cacheable prefix: keep them byte-identical
    between calls (no timestamps, no random order). Untrusted text belongs in ``messages``,
    quoted as data, never in ``system``.
    """

    skill: str
    messages: Sequence[Message]
    system: str = ""
    tools: Sequence[ToolSpec] = ()
    output_schema: Mapping[str, Any] | None = None
    max_tokens: int | None = None          # None: the tier's default
    trigger: str = "ask"
    cache_ttl: CacheTtl | None = None      # None: the router's default
    validator: Validator | None = None
    allow_cloud: bool = True
    batch: bool = False
    stream: bool = False
    # Tagged context the router renders after enforcement (agent/privacy), earlier turns of a
    # follow-up (scope "conversation"), and the scopes of `messages` themselves.
    context: tuple[ContextPart, ...] = ()
    earlier: tuple[Message, ...] = ()
    earlier_untrusted: bool = False
    scopes: frozenset[str] = frozenset({"utterance"})


@dataclass(frozen=True, slots=True)
class ModelResponse:
    """What came back, what it cost and where it is on the ledger."""

    text: str
    tier_requested: Tier
    tier_used: Tier
    backend: str
    model: str
    usage: Usage
    cost_micros: int
    ledger_id: str
    parsed: Any = None                     # the structured output, when a schema was given
    tool_calls: tuple[ToolCall, ...] = ()
    degraded: bool = False
    escalated: bool = False
    latency_ms: int = 0
    extra_ledger_ids: tuple[str, ...] = field(default_factory=tuple)
    scopes: frozenset[str] = frozenset()      # what was sent
    withheld: frozenset[str] = frozenset()    # what was dropped for a cloud tier
    tainted: bool = False                     # untrusted text was in the conversation


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One tier the router would try, in order, and what it would hold against the budget."""

    tier: Tier
    backend: str
    model: str
    max_tokens: int
    reservation_micros: int        # worst case held before the call; 0 for local models
    role: Literal["requested", "fallback", "escalation"] = "requested"
    note: str = ""                 # why this step would be skipped, if it would


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """What `Router.complete` would do for a request, without calling anything."""

    skill: str
    tier: Tier
    prompt_tokens_estimate: int
    cache_ttl: CacheTtl
    allow_cloud: bool
    steps: tuple[PlanStep, ...]


@dataclass(frozen=True, slots=True)
class BackendHealth:
    """Backends as seen without a paid call."""

    ollama_reachable: bool
    ollama_models: tuple[str, ...]
    local_model: str | None
    local_model_pulled: bool
    anthropic_key_present: bool
    anthropic_halted: str | None   # why paid calls are stopped (402, refused key), if they are
    problems: tuple[str, ...] = ()
    # The last paid call: when, and whether the API accepted it (None: none since start).
    anthropic_last_call_at: datetime | None = None
    anthropic_last_call_ok: bool | None = None

    @property
    def ok(self) -> bool:
        """True when nothing needs attention."""
        return not self.problems
