"""Builders shared by the ledger tests: a settable clock, configs and call records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.config import HearthConfig, parse_config
from agent.ledger.types import CallRecord, Outcome, Usage


class Clock:
    """A clock the test moves by hand (tz-aware UTC)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def config(budget: dict[str, Any] | None = None, **sections: Any) -> HearthConfig:
    """A config with the given [budget] (no caps unless given) and other sections."""
    data: dict[str, Any] = {"budget": {"daily_usd": None, "monthly_usd": None, **(budget or {})}}
    data.update(sections)
    return parse_config(data)


def record(usage: Usage | None = None, *, skill: str = "news", tier: str = "fast",
           backend: str = "anthropic", model: str = "claude-haiku-5-5",
           outcome: Outcome = Outcome.OK, **kw: Any) -> CallRecord:
    """A call record with sensible defaults."""
    base = CallRecord(skill=skill, trigger="schedule", tier_requested=tier, tier_used=tier,
                      backend=backend, model_requested=model, model_used=model,
                      usage=usage or Usage(), outcome=outcome, latency_ms=42)
    return replace(base, **kw)
