"""Read-only queries behind `hearth spend` and `hearth budget`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from agent.db.models import BudgetCounter, LedgerCall
from agent.ledger.budget import Scope
from agent.ledger.records import view
from agent.ledger.types import CallView, CapStatus, Outcome, SpendLine, SpendReport

_MODEL = func.coalesce(func.nullif(LedgerCall.model_used, ""), LedgerCall.model_requested)


def _in_range(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [LedgerCall.created_at >= start, LedgerCall.created_at < end]


def _lines(session: Session, column: ColumnElement[str] | InstrumentedAttribute[str],
           start: datetime, end: datetime) -> tuple[SpendLine, ...]:
    stmt = (select(column, func.count(), func.coalesce(func.sum(LedgerCall.cost_micros), 0),
                   func.coalesce(func.sum(LedgerCall.counterfactual_micros), 0))
            .where(*_in_range(start, end)).group_by(column))
    lines = [SpendLine(str(name), int(n), int(cost), int(cf))
             for name, n, cost, cf in session.execute(stmt)]
    return tuple(sorted(lines, key=lambda line: (-line.cost_micros, line.name)))


def spend_report(session: Session, start: datetime, end: datetime) -> SpendReport:
    """Totals and breakdowns of the calls made in [start, end)."""
    c = LedgerCall
    n, cost, cf = session.execute(
        select(func.count(), func.coalesce(func.sum(c.cost_micros), 0),
               func.coalesce(func.sum(c.counterfactual_micros), 0))
        .where(*_in_range(start, end))).one()
    read, prompt = session.execute(
        select(func.coalesce(func.sum(c.cache_read_tokens), 0),
               func.coalesce(func.sum(c.input_tokens + c.cache_read_tokens
                                      + c.cache_write_5m_tokens + c.cache_write_1h_tokens), 0))
        .where(*_in_range(start, end), c.backend == "anthropic")).one()
    unknown, unknown_cost = session.execute(
        select(func.count(), func.coalesce(func.sum(c.cost_micros), 0))
        .where(*_in_range(start, end), c.outcome == str(Outcome.UNKNOWN))).one()
    return SpendReport(
        start=start, end=end, calls=int(n), cost_micros=int(cost),
        counterfactual_micros=int(cf),
        by_skill=_lines(session, c.skill, start, end),
        by_tier=_lines(session, c.tier_used, start, end),
        by_model=_lines(session, _MODEL, start, end),
        cache_hit_ratio=(int(read) / int(prompt)) if int(prompt) else None,
        claude_prompt_tokens=int(prompt), claude_cache_read_tokens=int(read),
        unknown_calls=int(unknown), unknown_micros=int(unknown_cost))


def calls(session: Session, start: datetime, end: datetime) -> list[CallView]:
    """Every call in [start, end), oldest first."""
    rows = session.scalars(select(LedgerCall).where(*_in_range(start, end))
                           .order_by(LedgerCall.created_at, LedgerCall.id))
    return [view(r) for r in rows]


def cap_status(session: Session, scopes: list[Scope]) -> list[CapStatus]:
    """Used and reserved µ$ of each capped scope in its current period."""
    keys = [s.key for s in scopes]
    counters = {row.scope: row for row in
                session.scalars(select(BudgetCounter).where(BudgetCounter.scope.in_(keys)))}
    out = []
    for scope in scopes:
        row = counters.get(scope.key)
        assert scope.cap_micros is not None
        out.append(CapStatus(
            name=scope.name, period=scope.period, period_key=scope.period_key,
            cap_micros=scope.cap_micros, used_micros=row.spent_micros if row else 0,
            reserved_micros=row.reserved_micros if row else 0))
    return out


def cloud_calls(session: Session, start: datetime, end: datetime) -> tuple[list[CallView], int]:
    """Calls in [start, end) that went to (or were refused for) a cloud backend, oldest
    first, and how many calls stayed on the local backend."""
    c = LedgerCall
    rows = session.scalars(select(c).where(*_in_range(start, end), c.backend == "anthropic")
                           .order_by(c.created_at, c.id)).all()
    local = session.execute(select(func.count()).where(*_in_range(start, end),
                                                      c.backend == "ollama")).scalar_one()
    return [view(r) for r in rows], int(local)
