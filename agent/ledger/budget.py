"""Caps and their counters: which scopes a call touches, and the SQL that holds the line.

A scope is a (who, period) pair such as ``tier:fast|day|2026-11-24``. Every reservation and
every spend updates the counter rows of all six scopes it falls in (global, its tier, its
skill; each by calendar day and month in the household's time zone), whether a cap is set
or not, so a cap added later starts from the true figure. A capped scope is updated with a
conditional UPDATE (``... WHERE spent + reserved + amount <= cap``) inside the reserving
transaction: zero rows updated means refuse, and the whole transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from agent.config.ledger import BudgetSection
from agent.db.models import BudgetCounter
from agent.db.upsert import insert_ignoring
from agent.errors import BudgetExceeded

MICROS_PER_USD = 1_000_000
PERIODS = ("day", "month")


@dataclass(frozen=True, slots=True)
class Periods:
    """The calendar day and month a moment falls in, in the household's zone."""

    day: str
    month: str

    @classmethod
    def at(cls, moment: datetime, zone: ZoneInfo) -> Periods:
        """The periods of ``moment`` (tz-aware)."""
        local = moment.astimezone(zone)
        return cls(day=local.date().isoformat(), month=f"{local.year:04d}-{local.month:02d}")

    def key(self, period: str) -> str:
        """The key of ``period`` ("day" or "month")."""
        return self.day if period == "day" else self.month


@dataclass(frozen=True, slots=True)
class Scope:
    """One counter row a call touches, with its cap (None: uncapped)."""

    name: str      # "global", "tier:fast", "skill:news"
    period: str    # "day" | "month"
    period_key: str
    cap_micros: int | None

    @property
    def key(self) -> str:
        """The counter row's primary key."""
        return f"{self.name}|{self.period}|{self.period_key}"

    def label(self) -> str:
        """How messages name this cap."""
        return f"{self.name} {'daily' if self.period == 'day' else 'monthly'} cap"


def usd_to_micros(usd: Decimal | None) -> int | None:
    """A cap in USD as whole µ$ (None stays None)."""
    return None if usd is None else int(usd * MICROS_PER_USD)


def _cap(budget: BudgetSection, name: str, period: str) -> int | None:
    field = "daily_usd" if period == "day" else "monthly_usd"
    if name == "global":
        return usd_to_micros(getattr(budget, field))
    kind, _, who = name.partition(":")
    section = (budget.per_tier if kind == "tier" else budget.per_skill).get(who)
    return None if section is None else usd_to_micros(getattr(section, field))


def scopes_for(budget: BudgetSection, *, skill: str, tier: str, periods: Periods) -> list[Scope]:
    """The six scopes a call by ``skill`` on ``tier`` counts in, sorted by key.

    Sorted, because every transaction updates counters in the same order: on PostgreSQL two
    reservers then queue on the first row instead of deadlocking.
    """
    out = [Scope(name, period, periods.key(period), _cap(budget, name, period))
           for name in ("global", f"tier:{tier}", f"skill:{skill}") for period in PERIODS]
    return sorted(out, key=lambda s: s.key)


def configured_caps(budget: BudgetSection, periods: Periods) -> list[Scope]:
    """Every scope that has a cap, for `hearth budget`."""
    names = ["global", *(f"tier:{t}" for t in sorted(budget.per_tier)),
             *(f"skill:{s}" for s in sorted(budget.per_skill))]
    out = []
    for name in names:
        for period in PERIODS:
            cap = _cap(budget, name, period)
            if cap is not None:
                out.append(Scope(name, period, periods.key(period), cap))
    return out


# Core statements on the table, not the ORM entity: they are compiled once and cached, and
# skip the ORM's session synchronisation, which cost more than the SQL itself (bench/).
_T = cast("Table", BudgetCounter.__table__)
_HOLD = (update(_T).where(_T.c.scope == bindparam("k"))
         .values(reserved_micros=_T.c.reserved_micros + bindparam("amt")))
_HOLD_CAPPED = _HOLD.where(_T.c.spent_micros + _T.c.reserved_micros + bindparam("amt")
                           <= bindparam("cap"))
_APPLY = (update(_T).where(_T.c.scope == bindparam("k"))
          .values(spent_micros=_T.c.spent_micros + bindparam("ds"),
                  reserved_micros=_T.c.reserved_micros + bindparam("dr")))
_MARK_WARNED = (update(_T).where(_T.c.scope == bindparam("k"), _T.c.warned.is_(False))
                .values(warned=True))


def ensure_counters(session: Session, keys: Iterable[str]) -> None:
    """Create missing counter rows (zero), leaving existing ones untouched."""
    rows = [{"scope": k, "spent_micros": 0, "reserved_micros": 0, "warned": False}
            for k in sorted(set(keys))]
    if not rows:
        return
    session.execute(insert_ignoring(session, _T), rows)


def _counters(session: Session, keys: list[str]) -> dict[str, tuple[int, int, bool]]:
    rows = session.execute(select(_T.c.scope, _T.c.spent_micros, _T.c.reserved_micros,
                                  _T.c.warned).where(_T.c.scope.in_(keys)))
    return {k: (int(s), int(r), bool(w)) for k, s, r, w in rows}


def hold(session: Session, scopes: list[Scope], amount: int) -> None:
    """Add ``amount`` to the reserved total of every scope, refusing if any cap would be
    crossed. Raises BudgetExceeded naming the first cap that does not fit."""
    ensure_counters(session, (s.key for s in scopes))
    for scope in scopes:
        if scope.cap_micros is None:
            session.execute(_HOLD, {"k": scope.key, "amt": amount})
            continue
        result = session.execute(_HOLD_CAPPED, {"k": scope.key, "amt": amount,
                                                "cap": scope.cap_micros})
        if result.rowcount != 1:  # type: ignore[attr-defined]
            spent, reserved, _ = _counters(session, [scope.key])[scope.key]
            left = max(0, scope.cap_micros - spent - reserved)
            raise BudgetExceeded(
                f"{scope.label()} ({scope.period_key}) would be exceeded: "
                f"needs {amount} µ$, {left} µ$ left of {scope.cap_micros} µ$",
                cap=f"{scope.name}|{scope.period}", left_micros=left)


def apply(session: Session, deltas: Mapping[str, tuple[int, int]]) -> None:
    """Add (spent, reserved) deltas to counters, in key order (see `scopes_for`)."""
    deltas = {k: v for k, v in deltas.items() if v != (0, 0)}
    if not deltas:
        return
    ensure_counters(session, deltas)
    for key in sorted(deltas):
        spent, reserved = deltas[key]
        session.execute(_APPLY, {"k": key, "ds": spent, "dr": reserved})


def add_delta(deltas: dict[str, tuple[int, int]], scopes: Iterable[Scope], *, spent: int,
              reserved: int) -> None:
    """Accumulate a (spent, reserved) change for each scope into ``deltas``."""
    for scope in scopes:
        s, r = deltas.get(scope.key, (0, 0))
        deltas[scope.key] = (s + spent, r + reserved)


def crossed_warnings(session: Session, scopes: Iterable[Scope], warn_at: float) -> list[str]:
    """Messages for caps that just crossed ``warn_at``; each fires once per period, even
    across processes, because the flag is set in the same transaction."""
    capped = [s for s in scopes if s.cap_micros]
    if not capped:
        return []
    counters = _counters(session, [s.key for s in capped])
    out = []
    for scope in capped:
        assert scope.cap_micros is not None
        spent, reserved, warned = counters.get(scope.key, (0, 0, True))
        used = spent + reserved
        if warned or used < int(scope.cap_micros * warn_at):
            continue
        if session.execute(_MARK_WARNED, {"k": scope.key}).rowcount == 1:  # type: ignore[attr-defined]
            out.append(f"budget warning: {scope.label()} for {scope.period_key} is at "
                       f"{used / scope.cap_micros:.0%} (${used / MICROS_PER_USD:.4f} of "
                       f"${scope.cap_micros / MICROS_PER_USD:.2f})")
    return out
