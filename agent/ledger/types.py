"""Plain data crossing the ledger's boundary: usage figures, call records, reservations.

Amounts are integer micro-dollars (1 USD = 1_000_000 µ$), never floats.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Outcome(enum.StrEnum):
    """How a model call ended, as recorded on its ledger row."""

    OK = "ok"
    ERROR = "error"          # failed; billed only what the provider reported, if anything
    REFUSED = "refused"      # never sent (budget, price unknown, tool not granted, policy)
    ESCALATED = "escalated"  # answered, but failed validation and was retried a tier up
    DEGRADED = "degraded"    # answered on a cheaper tier than asked, because of budget/outage
    UNKNOWN = "unknown"      # may have been billed (timeout after send, crash): counted as spent


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the provider reported them.

    ``input_tokens`` excludes cached tokens (Anthropic's convention); the total prompt is
    input + cache_read + cache_write_5m + cache_write_1h. ``output_tokens`` includes thinking.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    thinking_tokens: int | None = None
    batch: bool = False
    # Seconds of local inference (Ollama's total_duration), for the optional energy price.
    inference_seconds: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def prompt_tokens(self) -> int:
        """Every prompt token, cached or not."""
        return (self.input_tokens + self.cache_read_tokens + self.cache_write_5m_tokens
                + self.cache_write_1h_tokens)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """Everything the ledger stores about one model call (one row)."""

    skill: str
    trigger: str                # "mqtt", "schedule", "ask", "intent", "dispatcher", ...
    tier_requested: str         # none | local | fast | deep
    tier_used: str
    backend: str                # "none" | "ollama" | "anthropic"
    model_requested: str
    model_used: str             # as the response named it ("" when no response)
    usage: Usage
    outcome: Outcome
    latency_ms: int
    error_class: str | None = None
    prompt: str | None = None   # stored only when ledger.store_prompts is true
    scopes: tuple[str, ...] = ()   # the data scopes the request carried (agent/privacy)
    request_bytes: int = 0         # the size of the request body sent (0: not sent)


@dataclass(frozen=True, slots=True)
class Reservation:
    """Worst-case spend held against every cap until settled or released."""

    id: str
    amount_micros: int
    skill: str
    tier: str
    model: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The row `settle`/`release` wrote: its id, what it cost, what deep would have cost."""

    id: str
    cost_micros: int
    counterfactual_micros: int


@dataclass(frozen=True, slots=True)
class SpendLine:
    """Spend of one skill, tier or model over a report's range."""

    name: str
    calls: int
    cost_micros: int
    counterfactual_micros: int


@dataclass(frozen=True, slots=True)
class SpendReport:
    """Spend between ``start`` (inclusive) and ``end`` (exclusive), both UTC."""

    start: datetime
    end: datetime
    calls: int
    cost_micros: int
    counterfactual_micros: int
    by_skill: tuple[SpendLine, ...]
    by_tier: tuple[SpendLine, ...]
    by_model: tuple[SpendLine, ...]
    # Claude calls only: cache-read tokens over all prompt tokens (None: no Claude calls).
    cache_hit_ratio: float | None
    claude_prompt_tokens: int
    claude_cache_read_tokens: int
    # Calls sent that got no answer (timeouts, hang-ups, dead processes): counted as spent
    # at their reservation, since Anthropic may have billed them.
    unknown_calls: int = 0
    unknown_micros: int = 0

    @property
    def savings_micros(self) -> int:
        """What the deep tier would have cost, minus what was spent."""
        return self.counterfactual_micros - self.cost_micros


@dataclass(frozen=True, slots=True)
class CapStatus:
    """One cap in its current period. ``left`` is what a new reservation may still take."""

    name: str            # "global", "tier:fast", "skill:news"
    period: str          # "day" | "month"
    period_key: str      # "2026-11-24" | "2026-11"
    cap_micros: int
    used_micros: int
    reserved_micros: int

    @property
    def left_micros(self) -> int:
        """Room left under the cap (never negative)."""
        return max(0, self.cap_micros - self.used_micros - self.reserved_micros)


@dataclass(frozen=True, slots=True)
class CallView:
    """One ledger row as reports show it."""

    id: str
    created_at: datetime
    skill: str
    trigger: str
    tier: str
    backend: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_5m_tokens: int
    cache_write_1h_tokens: int
    thinking_tokens: int | None
    batch: bool
    cost_micros: int
    counterfactual_micros: int
    latency_ms: int
    outcome: str
    error_class: str | None
    scopes: tuple[str, ...] = ()
    request_bytes: int = 0
