"""`[ledger]`, `[budget]` and `[prices]`: where spend is recorded and how much is allowed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from agent.config.base import Section


class LedgerSection(Section):
    """The spend ledger's storage."""

    # None: SQLite file ledger.db in the state directory. A postgresql+psycopg:// URL lets
    # several daemons share one ledger and one budget.
    url: str | None = None
    store_prompts: bool = False
    # Optional cost of running the local model, in USD per hour of inference.
    energy_usd_per_hour: Decimal = Field(Decimal("0"), ge=0)
    # Reservations still open after this many minutes count as spent (checked at start-up
    # and by the running daemon's sweep).
    orphan_after_minutes: int = Field(30, ge=1)
    # Seconds between the running daemon's sweeps for reservations of dead processes (a
    # killed CLI or second daemon) and ones older than orphan_after_minutes.
    sweep_interval_seconds: float = Field(60.0, gt=0, le=3600)


class CapSection(Section):
    """A pair of caps in USD; None means no cap at that level."""

    daily_usd: Decimal | None = Field(None, ge=0)
    monthly_usd: Decimal | None = Field(None, ge=0)


class BudgetSection(Section):
    """Hard caps, checked before every paid call in one transaction."""

    daily_usd: Decimal | None = Field(Decimal("1.00"), ge=0)
    monthly_usd: Decimal | None = Field(Decimal("10.00"), ge=0)
    per_tier: dict[str, CapSection] = Field(default_factory=dict)
    per_skill: dict[str, CapSection] = Field(default_factory=dict)
    # Fraction of a cap at which hearth warns once per period.
    warn_at: float = Field(0.8, gt=0, le=1)


class PriceRow(Section):
    """One model's prices in USD per million tokens, effective from a date."""

    model: str = Field(min_length=1)
    effective: date = date(2000, 1, 1)
    input: Decimal = Field(ge=0, le=1000)
    output: Decimal = Field(ge=0, le=1000)
    cache_write_5m: Decimal = Field(ge=0, le=1000)
    cache_write_1h: Decimal = Field(ge=0, le=1000)
    cache_read: Decimal = Field(ge=0, le=1000)
    batch_multiplier: Decimal = Field(Decimal("0.5"), gt=0, le=1)
    # Above this many prompt tokens the whole request is priced with the long_* rates.
    long_threshold: int | None = Field(None, ge=1)
    long_input: Decimal | None = None
    long_output: Decimal | None = None
    long_cache_write_5m: Decimal | None = None
    long_cache_write_1h: Decimal | None = None
    long_cache_read: Decimal | None = None


class PricesSection(Section):
    """Extra or overriding rows on top of the price table shipped with hearth."""

    rows: tuple[PriceRow, ...] = ()
