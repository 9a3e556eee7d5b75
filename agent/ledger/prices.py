"""The price table: effective-dated per-model rates, and exact costs in integer µ$.

A price in USD per million tokens is exactly micro-dollars per token, so a cost is a sum
of tokens x rate in `Decimal`, rounded up once at the end (rounding up never lets the
ledger under-count).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from pydantic import ValidationError

from agent.config.ledger import PriceRow
from agent.config.load import problems_of
from agent.errors import ConfigError, PriceUnknown
from agent.ledger.types import Usage

_DATED_SUFFIX = re.compile(r"-\d{8}$")
_LONG_FIELDS = ("long_input", "long_output", "long_cache_write_5m", "long_cache_write_1h",
                "long_cache_read")


@dataclass(frozen=True, slots=True)
class Rates:
    """One set of per-token rates in µ$ (= USD per million tokens)."""

    input: Decimal
    output: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    cache_read: Decimal

    @property
    def worst_prompt(self) -> Decimal:
        """The dearest rate a prompt token can be billed at (a 1h cache write, usually)."""
        return max(self.input, self.cache_write_5m, self.cache_write_1h, self.cache_read)


def _rates(row: PriceRow, *, long: bool) -> Rates:
    if long:
        assert row.long_input is not None and row.long_output is not None
        assert row.long_cache_write_5m is not None and row.long_cache_write_1h is not None
        assert row.long_cache_read is not None
        return Rates(row.long_input, row.long_output, row.long_cache_write_5m,
                     row.long_cache_write_1h, row.long_cache_read)
    return Rates(row.input, row.output, row.cache_write_5m, row.cache_write_1h, row.cache_read)


def ceil_micros(value: Decimal) -> int:
    """Round a Decimal amount of µ$ up to a whole µ$."""
    return math.ceil(value)


class PriceTable:
    """Rows by model, newest effective date last; config rows replace shipped ones."""

    def __init__(self, rows: Iterable[PriceRow]) -> None:
        """Check and index ``rows``; raises ConfigError naming every bad row."""
        by_model: dict[str, list[PriceRow]] = {}
        problems: list[str] = []
        for row in rows:
            problems.extend(_check(row))
            by_model.setdefault(row.model, []).append(row)
        if problems:
            raise ConfigError("invalid price table", problems)
        for model, model_rows in by_model.items():
            model_rows.sort(key=lambda r: r.effective)
            dates = [r.effective for r in model_rows]
            if len(set(dates)) != len(dates):
                problems.append(f"prices: {model} has two rows effective on the same day")
        if problems:
            raise ConfigError("invalid price table", problems)
        self._rows = by_model

    @property
    def models(self) -> list[str]:
        """Every model with a price."""
        return sorted(self._rows)

    def _key(self, model: str) -> str | None:
        if model in self._rows:
            return model
        # Responses may name a dated snapshot ("claude-haiku-4-5-20251001").
        undated = _DATED_SUFFIX.sub("", model)
        return undated if undated in self._rows else None

    def has(self, model: str) -> bool:
        """True when ``model`` (or its undated alias) has at least one row."""
        return self._key(model) is not None

    def row(self, model: str, at: datetime | None = None) -> PriceRow:
        """The row in force for ``model`` at ``at`` (UTC day; default now)."""
        key = self._key(model)
        if key is None:
            raise PriceUnknown(f"no price for model {model!r}; add it under [[prices.rows]]")
        day: date = (at or datetime.now(UTC)).astimezone(UTC).date()
        chosen = None
        for row in self._rows[key]:
            if row.effective <= day:
                chosen = row
        if chosen is None:
            raise PriceUnknown(f"no price for model {model!r} on {day.isoformat()}")
        return chosen

    def cost(self, model: str, usage: Usage, at: datetime | None = None) -> int:
        """Exact cost of ``usage`` on ``model`` in µ$ (rounded up).

        ``input_tokens`` excludes cache tokens, so each token is priced exactly once; above
        a long-prompt threshold every token of the request takes the long rates; batch
        multiplies everything.
        """
        row = self.row(model, at)
        long = row.long_threshold is not None and usage.prompt_tokens > row.long_threshold
        r = _rates(row, long=long)
        total = (r.input * usage.input_tokens
                 + r.cache_write_5m * usage.cache_write_5m_tokens
                 + r.cache_write_1h * usage.cache_write_1h_tokens
                 + r.cache_read * usage.cache_read_tokens
                 + r.output * usage.output_tokens)
        if usage.batch:
            total *= row.batch_multiplier
        return ceil_micros(total)

    def worst_case(self, model: str, prompt_tokens: int, max_tokens: int, *, batch: bool,
                   at: datetime | None = None) -> int:
        """The most a call can cost: every prompt token at the dearest prompt rate (a 1h
        cache write) plus ``max_tokens`` of output, on the long tier when the prompt is
        above its threshold."""
        row = self.row(model, at)
        long = row.long_threshold is not None and prompt_tokens > row.long_threshold
        r = _rates(row, long=long)
        total = r.worst_prompt * prompt_tokens + r.output * max_tokens
        if batch:
            total *= row.batch_multiplier
        return ceil_micros(total)


def _check(row: PriceRow) -> list[str]:
    """Range checks beyond the field bounds: a price typed per token instead of per
    million tokens shows up as an absurdly small rate."""
    problems: list[str] = []
    where = f"prices: {row.model} ({row.effective.isoformat()})"
    if row.output > 0 and row.output < Decimal("0.001"):
        problems.append(f"{where}: output {row.output} looks like USD per token; "
                        "rates are USD per million tokens")
    present = [getattr(row, f) is not None for f in _LONG_FIELDS]
    if row.long_threshold is None and any(present):
        problems.append(f"{where}: long_* rates need long_threshold")
    if row.long_threshold is not None and not all(present):
        problems.append(f"{where}: long_threshold needs all of {', '.join(_LONG_FIELDS)}")
    for name in _LONG_FIELDS:
        value = getattr(row, name)
        if value is not None and not Decimal(0) <= value <= Decimal(1000):
            problems.append(f"{where}: {name} out of range 0..1000")
    return problems


def shipped_rows() -> list[PriceRow]:
    """The rows in the price file shipped with hearth (validated)."""
    text = resources.files("agent.ledger").joinpath("prices.toml").read_text(encoding="utf-8")
    data: dict[str, Any] = tomllib.loads(text, parse_float=Decimal)
    try:
        return [PriceRow.model_validate(item) for item in data.get("rows", [])]
    except ValidationError as exc:
        raise ConfigError("the shipped price table is invalid", problems_of(exc)) from exc


def load_price_table(overrides: Iterable[PriceRow] = ()) -> PriceTable:
    """The shipped table with config rows on top: a model named in ``overrides`` keeps
    only its override rows."""
    extra = list(overrides)
    replaced = {row.model for row in extra}
    return PriceTable([*(r for r in shipped_rows() if r.model not in replaced), *extra])
