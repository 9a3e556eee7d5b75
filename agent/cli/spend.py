"""`hearth spend`: what was spent today, this month or in a range, and on what."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from agent.cli.common import load, print_json, print_table

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
    p = sub.add_parser("spend", help="show spend: today, this month, by skill, tier and model")
    p.add_argument("--since", type=date.fromisoformat, metavar="DATE",
                   help="first day (YYYY-MM-DD, household time zone; default: 1st of month)")
    p.add_argument("--until", type=date.fromisoformat, metavar="DATE",
                   help="last day, inclusive (default: today)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--calls", action="store_true", help="list every call instead of totals")
    p.set_defaults(func=_spend)


@dataclass(frozen=True, slots=True)
class _Result:
    today: SpendReport
    month: SpendReport
    report: SpendReport
    calls: list[CallView]
    since: date
    until: date
    zone: ZoneInfo


def _bounds(since: date, until: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(since, time(), tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=zone)
    return start, end


def _spend(args: argparse.Namespace) -> int:
    # Imported here: commands must stay light to import (see agent/cli/main.py).
    from agent.ledger.cli_support import with_ledger

    config = load(args)
    zone = config.hearth.zone

    today = datetime.now(zone).date()
    since: date = args.since or today.replace(day=1)
    until: date = args.until or today
    if until < since:
        print(f"hearth spend: --until {until} is before --since {since}", file=sys.stderr)
        return 2
    start, end = _bounds(since, until, zone)

    async def fetch(ledger: Ledger) -> _Result:
        day = await ledger.spend_between(*ledger.period_bounds("day"))
        month = await ledger.spend_between(*ledger.period_bounds("month"))
        report = await ledger.spend_between(start, end)
        calls = await ledger.calls_between(start, end) if args.calls else []
        return _Result(day, month, report, calls, since, until, zone)

    result = with_ledger(config, fetch)
    if args.calls:
        _print_calls(args, result)
    elif args.json:
        print_json({"today": _summary(result.today), "this_month": _summary(result.month),
                    "range": _summary(result.report)})
    elif args.csv:
        _print_lines_csv(result.report)
    else:
        _print_text(result)
    return 0


def _summary(report: SpendReport) -> dict[str, Any]:
    from agent.ledger.cli_support import usd_number

    def lines(items: tuple[SpendLine, ...]) -> list[dict[str, Any]]:
        return [{"name": i.name, "calls": i.calls, "cost_usd": usd_number(i.cost_micros),
                 "counterfactual_usd": usd_number(i.counterfactual_micros)} for i in items]

    return {
        "start": report.start.isoformat(), "end": report.end.isoformat(),
        "calls": report.calls, "cost_usd": usd_number(report.cost_micros),
        "counterfactual_usd": usd_number(report.counterfactual_micros),
        "savings_usd": usd_number(report.savings_micros),
        "cache_hit_ratio": report.cache_hit_ratio,
        "billed_unknown_calls": report.unknown_calls,
        "billed_unknown_usd": usd_number(report.unknown_micros),
        "by_skill": lines(report.by_skill), "by_tier": lines(report.by_tier),
        "by_model": lines(report.by_model),
    }


def _call_dict(call: CallView) -> dict[str, Any]:
    from agent.ledger.cli_support import usd_number

    return {"id": call.id, "time": call.created_at.isoformat(), "skill": call.skill,
            "trigger": call.trigger, "tier": call.tier, "backend": call.backend,
            "model": call.model, "input_tokens": call.input_tokens,
            "output_tokens": call.output_tokens, "cache_read_tokens": call.cache_read_tokens,
            "cache_write_5m_tokens": call.cache_write_5m_tokens,
            "cache_write_1h_tokens": call.cache_write_1h_tokens,
            "thinking_tokens": call.thinking_tokens, "batch": call.batch,
            "cost_usd": usd_number(call.cost_micros),
            "counterfactual_usd": usd_number(call.counterfactual_micros),
            "latency_ms": call.latency_ms, "outcome": call.outcome,
            "error_class": call.error_class}


def _print_calls(args: argparse.Namespace, result: _Result) -> None:
    from agent.ledger.cli_support import usd, usd_number

    items = [_call_dict(c) for c in result.calls]
    if args.json:
        print_json({"total_usd": usd_number(sum(c.cost_micros for c in result.calls)),
                    "calls": items})
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CALL_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
    else:
        print_table(["time", "skill", "tier", "model", "in", "out", "cache r", "cost", "outcome"],
                    [[c.created_at.astimezone(result.zone).strftime("%Y-%m-%d %H:%M:%S"), c.skill, c.tier,
                      c.model, str(c.input_tokens), str(c.output_tokens),
                      str(c.cache_read_tokens), usd(c.cost_micros), c.outcome]
                     for c in result.calls])


def _print_lines_csv(report: SpendReport) -> None:
    from agent.ledger.cli_support import usd_number

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["dimension", "name", "calls", "cost_usd", "counterfactual_usd"])
    writer.writerow(["total", "all", report.calls, usd_number(report.cost_micros),
                     usd_number(report.counterfactual_micros)])
    for dimension, lines in (("skill", report.by_skill), ("tier", report.by_tier),
                             ("model", report.by_model)):
        for line in lines:
            writer.writerow([dimension, line.name, line.calls, usd_number(line.cost_micros),
                             usd_number(line.counterfactual_micros)])


def _print_text(result: _Result) -> None:
    from agent.ledger.cli_support import usd

    r = result.report
    print(f"today        {usd(result.today.cost_micros)}  ({result.today.calls} calls)")
    print(f"this month   {usd(result.month.cost_micros)}  ({result.month.calls} calls)")
    month = result.month
    if month.unknown_calls:
        print(f"billed unknown {usd(month.unknown_micros)} this month ({month.unknown_calls} "
              "calls sent without an answer, counted as spent at their reservation)")
    print(f"range        {result.since} .. {result.until}: {usd(r.cost_micros)} "
          f"in {r.calls} calls")
    print(f"deep-tier equivalent {usd(r.counterfactual_micros)}; "
          f"savings {usd(r.savings_micros)}")
    ratio = "n/a (no Claude calls)" if r.cache_hit_ratio is None else f"{r.cache_hit_ratio:.1%}"
    print(f"cache hit ratio {ratio}")
    for title, lines in (("skill", r.by_skill), ("tier", r.by_tier), ("model", r.by_model)):
        print()
        print_table([title, "calls", "cost", "deep-tier equivalent"],
                    [[i.name, str(i.calls), usd(i.cost_micros), usd(i.counterfactual_micros)]
                     for i in lines])
