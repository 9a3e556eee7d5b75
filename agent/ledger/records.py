"""Turning call records and reservations into ledger rows, and rows back into views."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from agent.db.models import LedgerCall, LedgerReservation
from agent.ledger.types import CallRecord, CallView, Outcome, Usage


def usage_json(usage: Usage) -> str:
    """The raw usage as the provider sent it (falls back to our parsed fields), so costs
    can be recomputed when prices change."""
    data = usage.raw or {k: v for k, v in asdict(usage).items() if k != "raw"}
    return json.dumps(data, sort_keys=True, default=str)


def call_values(entry_id: str, now: datetime, record: CallRecord, *, cost: int,
                counterfactual: int, reservation_id: str | None, store_prompt: bool,
                outcome: Outcome | None = None) -> dict[str, Any]:
    """The `ledger_call` columns for ``record``, for a bulk insert."""
    u = record.usage
    return {
        "id": entry_id, "created_at": now, "skill": record.skill, "trigger": record.trigger,
        "tier_requested": record.tier_requested, "tier_used": record.tier_used,
        "backend": record.backend, "model_requested": record.model_requested,
        "model_used": record.model_used, "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens, "cache_read_tokens": u.cache_read_tokens,
        "cache_write_5m_tokens": u.cache_write_5m_tokens,
        "cache_write_1h_tokens": u.cache_write_1h_tokens, "thinking_tokens": u.thinking_tokens,
        "batch": u.batch, "cost_micros": cost, "counterfactual_micros": counterfactual,
        "latency_ms": record.latency_ms, "outcome": str(outcome or record.outcome),
        "error_class": record.error_class, "reservation_id": reservation_id,
        "usage_json": usage_json(u), "prompt": record.prompt if store_prompt else None,
        "scopes": ",".join(sorted(set(record.scopes))), "request_bytes": record.request_bytes,
    }


def call_row(entry_id: str, now: datetime, record: CallRecord, *, cost: int,
             counterfactual: int, reservation_id: str | None, store_prompt: bool,
             outcome: Outcome | None = None) -> LedgerCall:
    """The `ledger_call` row for ``record``."""
    return LedgerCall(**call_values(entry_id, now, record, cost=cost,
                                    counterfactual=counterfactual,
                                    reservation_id=reservation_id, store_prompt=store_prompt,
                                    outcome=outcome))


def orphan_row(entry_id: str, now: datetime, res: LedgerReservation) -> LedgerCall:
    """The row for a reservation whose call never reported back: spent, outcome unknown."""
    return LedgerCall(
        id=entry_id, created_at=now, skill=res.skill, trigger="unknown",
        tier_requested=res.tier, tier_used=res.tier, backend=res.backend,
        model_requested=res.model, model_used="", input_tokens=0, output_tokens=0,
        cache_read_tokens=0, cache_write_5m_tokens=0, cache_write_1h_tokens=0,
        thinking_tokens=None, batch=False, cost_micros=res.amount_micros,
        counterfactual_micros=0, latency_ms=0, outcome=str(Outcome.UNKNOWN),
        error_class="OrphanedReservation", reservation_id=res.id,
        usage_json=json.dumps({"orphaned_reservation": res.id,
                               "owner": f"{res.owner_host}:{res.owner_pid}"}),
        prompt=None, scopes="", request_bytes=0)


def view(row: LedgerCall) -> CallView:
    """A report's view of one row."""
    return CallView(
        id=row.id, created_at=row.created_at, skill=row.skill, trigger=row.trigger,
        tier=row.tier_used, backend=row.backend, model=row.model_used or row.model_requested,
        input_tokens=row.input_tokens, output_tokens=row.output_tokens,
        cache_read_tokens=row.cache_read_tokens,
        cache_write_5m_tokens=row.cache_write_5m_tokens,
        cache_write_1h_tokens=row.cache_write_1h_tokens, thinking_tokens=row.thinking_tokens,
        batch=row.batch, cost_micros=row.cost_micros,
        counterfactual_micros=row.counterfactual_micros, latency_ms=row.latency_ms,
        outcome=row.outcome, error_class=row.error_class,
        scopes=tuple(s for s in row.scopes.split(",") if s), request_bytes=row.request_bytes)
