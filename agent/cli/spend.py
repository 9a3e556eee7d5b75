"""`hearth spend`: what was spent today, this month or in a range, and on what."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from agent.cli.common import date_range, iso_date, load, print_json, print_table
from agent.words import money, plural, usd_value

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from agent.ledger import Ledger
    from agent.ledger.types import CallView, SpendLine, SpendReport

CALL_FIELDS = ("id", "time", "skill", "trigger", "tier", "backend", "model", "input_tokens",
               "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
               "cache_write_1h_tokens", "thinking_tokens", "batch", "cost_usd",
               "counterfactual_usd", "latency_ms", "outcome", "error_class")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `spend`."""
    p = sub.add_parser(
        "spend", help="show spend: today, this month, by skill, tier and model",
        description="What model calls cost: today, this month and a range of days, by skill, "
                    "tier and model. Every call is counted, free local ones too; 'failed' "
                    "counts calls that got no answer (an error, or refused before sending).")
    p.add_argument("--since", type=iso_date, metavar="DATE",
                   help="first day (YYYY-MM-DD, household time zone; default: 1st of month)")
    p.add_argument("--until", type=iso_date, metavar="DATE",
                   help="last day, inclusive (default: today)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--calls", action="store_true", help="list every call instead of totals")
    p.set_defaults(func=_spend)


# Outcomes of a call that produced no answer. `unknown` is not here: it may have answered
# and been billed, and has its own "billed unknown" line.
FAILED_OUTCOMES = frozenset({"error", "refused"})
# What the ledger stores as the model of a call that used none (tier none: templates).
NO_MODEL_LABEL = "no model (templates)"


@dataclass(frozen=True, slots=True)
class _Failed:
    """Failed calls in one report: in all, and per skill, tier and model name."""

    total: int
    by: dict[str, dict[str, int]]

    @classmethod
    def of(cls, calls: list[CallView]) -> _Failed:
        failed = [c for c in calls if c.outcome in FAILED_OUTCOMES]
        by: dict[str, dict[str, int]] = {"skill": {}, "tier": {}, "model": {}}
        for c in failed:
            for dimension, name in (("skill", c.skill), ("tier", c.tier), ("model", c.model)):
                by[dimension][name] = by[dimension].get(name, 0) + 1
        return cls(len(failed), by)


@dataclass(frozen=True, slots=True)
class _Result:
    today: SpendReport
    month: SpendReport
    report: SpendReport
    calls: list[CallView]
    since: date
    until: date
    zone: ZoneInfo
    failed_today: _Failed
    failed_month: _Failed
    failed_range: _Failed



def _spend(args: argparse.Namespace) -> int:
    # Imported here: commands must stay light to import (see agent/cli/main.py).
    from agent.ledger.cli_support import with_ledger

    config = load(args)
    zone = config.hearth.zone

    bounds = date_range(args, zone, "spend")
    if bounds is None:
        return 2
    since, until, start, end = bounds.since, bounds.until, bounds.start, bounds.end

    async def fetch(ledger: Ledger) -> _Result:
        day_bounds, month_bounds = ledger.period_bounds("day"), ledger.period_bounds("month")
        day = await ledger.spend_between(*day_bounds)
        month = await ledger.spend_between(*month_bounds)
        report = await ledger.spend_between(start, end)
        calls = await ledger.calls_between(start, end)
        # Failed calls are counted here, from the rows, until the ledger's report has them.
        return _Result(day, month, report, calls if args.calls else [], since, until, zone,
                       _Failed.of(await ledger.calls_between(*day_bounds)),
                       _Failed.of(await ledger.calls_between(*month_bounds)),
                       _Failed.of(calls))

    result = with_ledger(config, fetch)
    if args.calls:
        _print_calls(args, result)
    elif args.json:
        print_json({"today": _summary(result.today, result.failed_today),
                    "this_month": _summary(result.month, result.failed_month),
                    "range": _summary(result.report, result.failed_range)})
    elif args.csv:
        _print_lines_csv(result.report, result.failed_range)
    else:
        _print_text(result)
    return 0


def _summary(report: SpendReport, failed: _Failed) -> dict[str, Any]:
    def lines(dimension: str, items: tuple[SpendLine, ...]) -> list[dict[str, Any]]:
        return [{"name": i.name, "calls": i.calls,
                 "failed": failed.by[dimension].get(i.name, 0),
                 "cost_usd": usd_value(i.cost_micros),
                 "counterfactual_usd": usd_value(i.counterfactual_micros)} for i in items]

    return {
        "start": report.start.isoformat(), "end": report.end.isoformat(),
        "calls": report.calls, "failed_calls": failed.total,
        "cost_usd": usd_value(report.cost_micros),
        "counterfactual_usd": usd_value(report.counterfactual_micros),
        "savings_usd": usd_value(report.savings_micros),
        "cache_hit_ratio": report.cache_hit_ratio,
        "billed_unknown_calls": report.unknown_calls,
        "billed_unknown_usd": usd_value(report.unknown_micros),
        "by_skill": lines("skill", report.by_skill), "by_tier": lines("tier", report.by_tier),
        "by_model": lines("model", report.by_model),
    }


def _call_dict(call: CallView) -> dict[str, Any]:
    return {"id": call.id, "time": call.created_at.isoformat(), "skill": call.skill,
            "trigger": call.trigger, "tier": call.tier, "backend": call.backend,
            "model": call.model, "input_tokens": call.input_tokens,
            "output_tokens": call.output_tokens, "cache_read_tokens": call.cache_read_tokens,
            "cache_write_5m_tokens": call.cache_write_5m_tokens,
            "cache_write_1h_tokens": call.cache_write_1h_tokens,
            "thinking_tokens": call.thinking_tokens, "batch": call.batch,
            "cost_usd": usd_value(call.cost_micros),
            "counterfactual_usd": usd_value(call.counterfactual_micros),
            "latency_ms": call.latency_ms, "outcome": call.outcome,
            "error_class": call.error_class}


def _print_calls(args: argparse.Namespace, result: _Result) -> None:
    items = [_call_dict(c) for c in result.calls]
    if args.json:
        print_json({"total_usd": usd_value(sum(c.cost_micros for c in result.calls)),
                    "calls": items})
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CALL_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
    else:
        print_table(["time", "skill", "tier", "model", "in", "out", "cache r", "cost", "outcome"],
                    [[c.created_at.astimezone(result.zone).strftime("%Y-%m-%d %H:%M:%S"),
                      c.skill, c.tier, c.model or NO_MODEL_LABEL, str(c.input_tokens),
                      str(c.output_tokens), str(c.cache_read_tokens), money(c.cost_micros),
                      c.outcome]
                     for c in result.calls], right=(4, 5, 6, 7))


def _print_lines_csv(report: SpendReport, failed: _Failed) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    # "failed" is last: a column added later must not move the ones scripts already cut.
    writer.writerow(["dimension", "name", "calls", "cost_usd", "counterfactual_usd", "failed"])
    writer.writerow(["total", "all", report.calls, usd_value(report.cost_micros),
                     usd_value(report.counterfactual_micros), failed.total])
    for dimension, lines in (("skill", report.by_skill), ("tier", report.by_tier),
                             ("model", report.by_model)):
        for line in lines:
            writer.writerow([dimension, line.name, line.calls, usd_value(line.cost_micros),
                             usd_value(line.counterfactual_micros),
                             failed.by[dimension].get(line.name, 0)])


def _over(report: SpendReport, failed: _Failed) -> str:
    calls = f"{money(report.cost_micros)} over {plural(report.calls, 'call')}"
    return calls + (f" ({failed.total} failed)" if failed.total else "")


def _print_text(result: _Result) -> None:
    r = result.report
    print(f"today: {_over(result.today, result.failed_today)}")
    print(f"this month: {_over(result.month, result.failed_month)}")
    month = result.month
    if month.unknown_calls:
        print(f"billed unknown: {money(month.unknown_micros)} this month "
              f"({plural(month.unknown_calls, 'call')} sent without an answer, counted as spent "
              "at their reservation)")
    print(f"{result.since} to {result.until}: {_over(r, result.failed_range)}")
    print(f"deep-tier equivalent: {money(r.counterfactual_micros)}; "
          f"saved {money(r.savings_micros)}")
    ratio = "n/a (no Claude calls)" if r.cache_hit_ratio is None else f"{r.cache_hit_ratio:.1%}"
    print(f"cache hit ratio: {ratio}")
    if not r.calls:
        return  # three empty tables would say nothing the lines above did not
    for title, lines in (("skill", r.by_skill), ("tier", r.by_tier), ("model", r.by_model)):
        print()
        counts = result.failed_range.by[title]
        print_table([title, "calls", "failed", "cost", "deep-tier"],
                    [[(i.name or NO_MODEL_LABEL) if title == "model" else i.name,
                      str(i.calls), str(counts.get(i.name, 0)), money(i.cost_micros),
                      money(i.counterfactual_micros)] for i in lines],
                    right=(1, 2, 3, 4))
