"""The spend ledger: every model call on record, and hard caps nobody can spend past.

The router calls `reserve` (worst case, checked against every cap in one transaction),
then makes the call, then `settle` (actual usage) or `release` (failed before anything
was billed). A reservation whose outcome is never reported counts as spent: `start`, and
the running daemon's sweep (agent.ledger.sweep), turn those of dead processes, and any older
than ``ledger.orphan_after_minutes``, into spend. Amounts are integer micro-dollars throughout.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from agent.config.root import HearthConfig
from agent.db import Database
from agent.db.models import LedgerCall, LedgerReservation
from agent.errors import LedgerError, PriceUnknown
from agent.ledger import budget, owner, reports
from agent.ledger.budget import Periods, Scope
from agent.ledger.group import GroupWriter
from agent.ledger.ids import new_id
from agent.ledger.prices import PriceTable, load_price_table
from agent.ledger.records import call_row, call_values, orphan_row
from agent.ledger.types import (
    CallRecord,
    CallView,
    CapStatus,
    LedgerEntry,
    Outcome,
    Reservation,
    SpendReport,
    Usage,
)

log = logging.getLogger(__name__)
_CALLS = cast("Table", LedgerCall.__table__)

__all__ = ["Ledger", "LedgerEntry"]

FREE_BACKENDS = ("none", "ollama")


@dataclass(frozen=True, slots=True)
class _Row:
    """A call row waiting for the group commit of rows without a reservation."""

    record: CallRecord
    now: datetime
    cost: int
    counterfactual: int


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """Reserve, settle and report spend against the caps in ``config.budget``."""

    def __init__(self, db: Database, config: HearthConfig, *,
                 clock: Callable[[], datetime] | None = None,
                 on_warning: Callable[[str], None] | None = None,
                 prices: PriceTable | None = None) -> None:
        """``clock`` returns tz-aware UTC now (tests drive it); ``on_warning`` receives each
        threshold warning once per period (the daemon publishes it to MQTT)."""
        self._db = db
        self._config = config
        self._clock = clock or _utcnow
        self._on_warning = on_warning
        self.prices = prices or load_price_table(config.prices.rows)
        self._owner = owner.current()
        self._unreserved: GroupWriter[_Row, LedgerEntry] = GroupWriter(self._write_unreserved)

    # -- prices ------------------------------------------------------------------------

    def price(self, model: str, usage: Usage, *, at: datetime | None = None) -> int:
        """Cost of ``usage`` on ``model`` in µ$. Raises PriceUnknown for an unpriced model."""
        return self.prices.cost(model, usage, at or self._clock())

    def has_price(self, model: str) -> bool:
        """True when ``model`` can be priced (so may be called)."""
        return self.prices.has(model)

    def counterfactual(self, usage: Usage) -> int:
        """The same usage priced on the configured deep model (0 if it has no price)."""
        deep = self._config.tiers.get("deep")
        if deep is None or deep.backend != "anthropic" or not self.prices.has(deep.model):
            return 0
        return self.prices.cost(deep.model, usage, self._clock())

    def _energy(self, usage: Usage) -> int:
        per_hour: Decimal = self._config.ledger.energy_usd_per_hour
        if not per_hour or usage.inference_seconds <= 0:
            return 0
        micros = per_hour * budget.MICROS_PER_USD * Decimal(str(usage.inference_seconds)) / 3600
        return math.ceil(micros)

    def _actual_cost(self, record: CallRecord) -> int:
        if record.backend == "none" or record.outcome is Outcome.REFUSED:
            return 0  # never sent: nothing to price, even for a model with no price
        if record.backend == "ollama":
            return self._energy(record.usage)
        at = self._clock()
        for model in (record.model_used, record.model_requested):
            if model and self.prices.has(model):
                return self.prices.cost(model, record.usage, at)
        raise PriceUnknown(f"no price for {record.model_used or record.model_requested!r}")

    # -- scopes ------------------------------------------------------------------------

    def _scopes(self, skill: str, tier: str, periods: Periods) -> list[Scope]:
        return budget.scopes_for(self._config.budget, skill=skill, tier=tier, periods=periods)

    def _periods(self, moment: datetime) -> Periods:
        return Periods.at(moment, self._config.hearth.zone)

    def _warn(self, messages: list[str]) -> None:
        for message in messages:
            log.warning("%s", message)
            if self._on_warning is not None:
                try:
                    self._on_warning(message)
                except Exception:  # a failing publisher must not fail the paid call
                    log.exception("budget warning callback failed")

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> int:
        """Reconcile at start-up: open reservations of dead processes on this host, and
        any older than ``ledger.orphan_after_minutes``, count as spent. Returns how many."""
        return await self.reconcile(dead_owners=True)

    async def reconcile(self, *, dead_owners: bool = False) -> int:
        """Turn stale open reservations into spend (outcome unknown); returns how many."""
        now = self._clock()
        cutoff = now - timedelta(minutes=self._config.ledger.orphan_after_minutes)

        def tx(session: Session) -> int:
            query = select(LedgerReservation).where(LedgerReservation.status == "reserved")
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            deltas: dict[str, tuple[int, int]] = {}
            count = 0
            for res in session.scalars(query):
                stale = res.created_at < cutoff
                dead = dead_owners and not owner.is_alive(
                    owner.Owner(res.owner_host, res.owner_pid, res.owner_token))
                if not (stale or dead):
                    continue
                res.status, res.closed_at = "orphaned", now
                scopes = self._scopes(res.skill, res.tier, Periods(res.day, res.month))
                budget.add_delta(deltas, scopes, spent=res.amount_micros,
                                 reserved=-res.amount_micros)
                session.add(orphan_row(res.id, now, res))
                log.warning("reservation %s (%s, %s, %d µ$) never settled; counted as spent",
                            res.id, res.skill, res.model, res.amount_micros)
                count += 1
            budget.apply(session, deltas)
            return count

        return await self._db.write(tx)

    # -- reserve / settle / release ----------------------------------------------------

    async def reserve(self, *, skill: str, tier: str, backend: str, model: str,
                      prompt_tokens: int, max_tokens: int, batch: bool = False) -> Reservation:
        """Hold the worst-case cost against every cap, in one transaction.

        Raises BudgetExceeded (naming the cap and what is left) or PriceUnknown (a paid
        model with no price: refused before the call, never priced at $0).
        """
        if prompt_tokens < 0 or max_tokens < 0:
            raise ValueError("token counts cannot be negative")
        now = self._clock()
        if backend in FREE_BACKENDS:
            amount = 0
        else:
            amount = self.prices.worst_case(model, prompt_tokens, max_tokens, batch=batch, at=now)
        periods = self._periods(now)
        scopes = self._scopes(skill, tier, periods)
        res_id = new_id(now)
        me = self._owner

        def tx(session: Session) -> list[str]:
            if amount > 0:
                budget.hold(session, scopes, amount)
            session.add(LedgerReservation(
                id=res_id, created_at=now, closed_at=None, skill=skill, tier=tier,
                backend=backend, model=model, amount_micros=amount, status="reserved",
                day=periods.day, month=periods.month, owner_host=me.host, owner_pid=me.pid,
                owner_token=me.token))
            return (budget.crossed_warnings(session, scopes, self._config.budget.warn_at)
                    if amount > 0 else [])

        warnings = await self._db.write(tx)
        self._warn(warnings)
        return Reservation(id=res_id, amount_micros=amount, skill=skill, tier=tier,
                           model=model, created_at=now)

    async def settle(self, reservation: Reservation | None, record: CallRecord) -> LedgerEntry:
        """Write the call's row at its actual cost and free its reservation.

        ``reservation`` None is for unpaid calls (tiers none/local). An UNKNOWN outcome
        (timeout after sending, ...) counts at least the reserved amount as spent.
        """
        now = self._clock()
        held = reservation.amount_micros if reservation else 0
        try:
            cost = self._actual_cost(record)
        except PriceUnknown:
            # The call has happened; the row must still be written. Count the worst case.
            log.error("no price for %r after the call; counting the reserved %d µ$",
                      record.model_used or record.model_requested, held)
            cost = held
        if record.outcome is Outcome.UNKNOWN:
            cost = max(cost, held)
        if reservation is not None and cost > held:
            log.error("call %s cost %d µ$, more than its reservation of %d µ$",
                      reservation.id, cost, held)
        counterfactual = self.counterfactual(record.usage)
        return await self._close(reservation, record, now=now, cost=cost,
                                 counterfactual=counterfactual, status="settled")

    async def release(self, reservation: Reservation, record: CallRecord) -> LedgerEntry:
        """The call failed before anything was billed: free the reservation and write the
        row at cost 0. An UNKNOWN outcome is not a release: it is settled as spent."""
        if record.outcome is Outcome.UNKNOWN:
            return await self.settle(reservation, record)
        return await self._close(reservation, record, now=self._clock(), cost=0,
                                 counterfactual=0, status="released")

    async def _close(self, reservation: Reservation | None, record: CallRecord, *,
                     now: datetime, cost: int, counterfactual: int,
                     status: str) -> LedgerEntry:
        if reservation is None:
            return await self._unreserved.submit(_Row(record, now, cost, counterfactual))
        entry_id = new_id(now)
        store_prompt = self._config.ledger.store_prompts

        def tx(session: Session) -> list[str]:
            deltas: dict[str, tuple[int, int]] = {}
            scopes = self._reopen(session, reservation, deltas, cost=cost, now=now,
                                  status=status)
            session.flush()
            session.add(call_row(entry_id, now, record, cost=cost,
                                 counterfactual=counterfactual, reservation_id=reservation.id,
                                 store_prompt=store_prompt))
            budget.apply(session, deltas)
            return budget.crossed_warnings(session, scopes, self._config.budget.warn_at)

        warnings = await self._db.write(tx)
        self._warn(warnings)
        log.debug("ledger %s: %s %s %s cost=%d µ$", entry_id, record.skill, record.tier_used,
                  record.model_used or record.model_requested, cost)
        return LedgerEntry(id=entry_id, cost_micros=cost, counterfactual_micros=counterfactual)

    async def _write_unreserved(self, rows: list[_Row]) -> list[LedgerEntry]:
        """One transaction for many rows without a reservation (tier none, local calls)."""
        store_prompt = self._config.ledger.store_prompts
        ids = [new_id(row.now) for row in rows]

        def tx(session: Session) -> list[str]:
            deltas: dict[str, tuple[int, int]] = {}
            scopes: dict[str, Scope] = {}
            values = []
            for entry_id, row in zip(ids, rows, strict=True):
                if row.cost:
                    these = self._scopes(row.record.skill, row.record.tier_used,
                                         self._periods(row.now))
                    budget.add_delta(deltas, these, spent=row.cost, reserved=0)
                    scopes.update((scope.key, scope) for scope in these)
                values.append(call_values(entry_id, row.now, row.record, cost=row.cost,
                                          counterfactual=row.counterfactual,
                                          reservation_id=None, store_prompt=store_prompt))
            # A Core executemany: the ORM's unit of work cost more than the rows themselves,
            # holding the GIL against the device commands on the loop.
            session.execute(insert(_CALLS), values)
            if not scopes:
                return []  # $0 rows (tier none, local) move no counter and cross no cap
            budget.apply(session, deltas)
            return budget.crossed_warnings(session, list(scopes.values()),
                                           self._config.budget.warn_at)

        self._warn(await self._db.write(tx))
        return [LedgerEntry(id=entry_id, cost_micros=row.cost,
                            counterfactual_micros=row.counterfactual)
                for entry_id, row in zip(ids, rows, strict=True)]

    def _reopen(self, session: Session, reservation: Reservation,
                deltas: dict[str, tuple[int, int]], *, cost: int, now: datetime,
                status: str) -> list[Scope]:
        """Close the reservation row and record the counter changes it implies."""
        query = select(LedgerReservation).where(LedgerReservation.id == reservation.id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        res = session.scalars(query).one_or_none()
        if res is None:
            raise LedgerError(f"unknown reservation {reservation.id}")
        scopes = self._scopes(res.skill, res.tier, Periods(res.day, res.month))
        if res.status == "reserved":
            budget.add_delta(deltas, scopes, spent=cost, reserved=-res.amount_micros)
        elif res.status == "orphaned":
            # Already counted as spent at the reserved amount by a reconcile; the real
            # figures replace that guess.
            orphan = session.get(LedgerCall, res.id)
            if orphan is not None:
                session.delete(orphan)
            budget.add_delta(deltas, scopes, spent=cost - res.amount_micros, reserved=0)
        else:
            raise LedgerError(f"reservation {reservation.id} is already {res.status}")
        res.status, res.closed_at = status, now
        return scopes

    # -- reports -----------------------------------------------------------------------

    async def spend_between(self, start: datetime, end: datetime) -> SpendReport:
        """Totals and breakdowns (skill, tier, model), cache hit ratio and savings of the
        calls made in [start, end)."""
        return await self._db.read(lambda s: reports.spend_report(s, start, end))

    async def calls_between(self, start: datetime, end: datetime) -> list[CallView]:
        """Every call made in [start, end), oldest first."""
        return await self._db.read(lambda s: reports.calls(s, start, end))

    async def cloud_calls_between(self, start: datetime,
                                  end: datetime) -> tuple[list[CallView], int]:
        """The cloud calls made (or refused) in [start, end), oldest first, with the data
        scopes and bytes each carried, and the number of local calls."""
        return await self._db.read(lambda s: reports.cloud_calls(s, start, end))

    async def budget_status(self) -> list[CapStatus]:
        """Each configured cap in its current period: cap, used, reserved, left (µ$)."""
        scopes = budget.configured_caps(self._config.budget, self._periods(self._clock()))
        return await self._db.read(lambda s: reports.cap_status(s, scopes))

    def period_bounds(self, period: str, moment: datetime | None = None) -> tuple[datetime, datetime]:
        """UTC start and end of the calendar day or month containing ``moment``."""
        zone = self._config.hearth.zone
        local = (moment or self._clock()).astimezone(zone)
        if period == "day":
            start = local.replace(hour=0, minute=0, second=0, microsecond=0)
            # Wall-clock arithmetic (same tzinfo), so a DST day is still one calendar day.
            end = start + timedelta(days=1)
        else:
            start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            end = (start + timedelta(days=32)).replace(day=1)
        return start.astimezone(UTC), end.astimezone(UTC)
