"""Assemble bench/RESULTS.md from bench/results/*.json, every figure beside its goal.

Run: `.venv/bin/python -m bench.report` (bench/run does it after the benchmarks). A benchmark
whose results file is missing or unreadable is listed as not run, and its goals as MISSED:
the page never shows a figure that this run did not produce.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR, machine

RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
COMMAND = "bench/run"
NAMES = ("household", "latency", "footprint", "ledger", "briefing")
TIERS = ("none", "local", "fast", "deep")
CACHE_TTLS = ("off", "5m", "1h")


@dataclass(frozen=True)
class Row:
    """One line of the summary table."""

    figure: str
    value: str
    goal: str
    met: bool | None  # None: no goal, reported only


def verdict(met: bool | None) -> str:
    """How a goal fared, in the words RESULTS.md uses."""
    return "" if met is None else ("met" if met else "**MISSED**")


def load(directory: Path, *, since: float = 0.0) -> dict[str, dict[str, Any] | None]:
    """Each benchmark's results: None when missing, not JSON, or older than `since` (a
    POSIX time: files left from an earlier run must not pass for this run's figures)."""
    out: dict[str, dict[str, Any] | None] = {}
    for name in NAMES:
        path = directory / f"{name}.json"
        try:
            if path.stat().st_mtime < since:
                out[name] = None
                continue
            value = json.loads(path.read_text())
            out[name] = value if isinstance(value, dict) else None
        except (OSError, ValueError):
            out[name] = None
    return out


def household_rows(r: dict[str, Any]) -> list[Row]:
    share, usd = r["share_of_all_deep"], r["usd_per_month"]
    return [
        Row("household month, hearth's routing", f"${usd:.4f}/month", "< $0.50/month",
            usd < 0.50),
        Row("household month, every model call on deep", f"${r['all_deep_usd']:.4f}", "", None),
        Row("household month, every model call on fast", f"${r['all_fast_usd']:.4f}", "", None),
        Row("hearth / all-deep", f"{share:.1%}", "<= 3%", share <= 0.03),
        Row("household calls by tier (ledger rows)", ", ".join(
            f"{tier} {t['share_of_calls']:.1%}" for tier, t in sorted(
                r["by_tier"].items(), key=lambda kv: TIERS.index(kv[0])
                if kv[0] in TIERS else len(TIERS))), "", None),
        *_routing_rows(r),
        Row("Claude cache hit ratio (household)",
            "n/a" if r["cache_hit_ratio"] is None else f"{r['cache_hit_ratio']:.1%}", "", None),
        *_cache_rows(r),
        Row("model requests on a day with no work", str(r["empty_day"]["model_requests"]),
            "0", r["empty_day"]["model_requests"] == 0),
    ]


def _routing_rows(r: dict[str, Any]) -> list[Row]:
    routing, learnt = r.get("routing"), r.get("learning_month")
    rows = []
    if routing:
        rows.append(Row("household questions routed by hearth: as labelled / cheaper / dearer",
                        f"{routing['as_labelled']} / {routing['cheaper_than_label']} / "
                        f"{routing['dearer_than_label']}", "", None))
    if learnt:
        rows.append(Row(f"fuzzy commands on tier 0 by learning (auto-accept after "
                        f"{learnt['auto_accept_after']})",
                        f"{learnt['phrasings_tier0_by_the_end']} of {learnt['phrasings']} "
                        f"phrasings, {learnt['dispatcher_calls_saved']} dispatcher calls saved",
                        "", None))
    return rows


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _policy(ttl: dict[str, str]) -> str:
    """`{"default": "5m", "advisor": "off"}` as "default 5m, advisor off"."""
    return ", ".join(f"{k} {v}" for k, v in ttl.items())


def _cache_rows(r: dict[str, Any]) -> list[Row]:
    variants = r.get("cache_variants")
    if not variants:
        return []
    months = " / ".join(f"${variants[t]['hearth_usd']:.4f}" for t in CACHE_TTLS
                        if t in variants)
    return [Row("prompt-cache lifetime (config.example.toml, chosen by measurement)",
                f"{_policy(r['cache_ttl'])}; the month with {' / '.join(CACHE_TTLS)} for "
                f"every skill: {months}", "", None)]


def _reading(variant: dict[str, Any], skill: str) -> str:
    hits, calls = variant.get("calls_reading", {}).get(skill, (0, 0))
    return f"{hits} of {calls}" if calls else "none"


def cache_lines(r: dict[str, Any]) -> list[str]:
    """The month under each prompt-cache lifetime (issue 17), as Markdown."""
    variants = r.get("cache_variants")
    if not variants:
        return []
    lines = ["", "Prompt-cache lifetime: the same month with one lifetime for every skill "
             "(`--cache-ttl`), then again with the assistant pinned to fast (it answers "
             "locally otherwise, so its cache on Claude would go unmeasured). The digest is a "
             "Message Batches request with no cache breakpoint.", "",
             "| lifetime | assistant on | month | hearth / all-deep | hit ratio: Claude / "
             "assistant / advisor / digest | calls reading the cache: assistant / advisor "
             "| cache write tok | cache read tok | assistant cost | advisor cost |",
             "| --- |" + " --- |" * 9]
    for key, v in variants.items():
        ttl, _, pinned = key.partition("/")
        hits = v["by_skill"]
        tok = v["tokens"]
        lines.append(
            f"| {ttl} | {'fast (pinned)' if pinned else 'local (declared)'} | "
            f"${v['hearth_usd']:.4f} | {v['share_of_all_deep']:.1%} | "
            f"{_ratio(v['cache_hit_ratio'])} / {_ratio(hits.get('assistant'))} / "
            f"{_ratio(hits.get('advisor'))} / {_ratio(hits.get('digest'))} | "
            f"{_reading(v, 'assistant')} / {_reading(v, 'advisor')} | "
            f"{tok['write_5m'] + tok['write_1h']} | {tok['read']} | "
            f"${v['skill_usd'].get('assistant', 0):.4f} | "
            f"${v['skill_usd'].get('advisor', 0):.4f} |")
    cheapest = {pin: min((k for k in variants if ("/" in k) == pin),
                         key=lambda k: variants[k]["hearth_usd"]) for pin in (False, True)}
    even = r.get("cache_break_even_hit_ratio", {})
    lines += ["", f"Cheapest: {cheapest[False].partition('/')[0]} (declared tiers), "
              f"{cheapest[True].partition('/')[0]} (assistant on fast). A cache write pays "
              "only when enough later calls read it before it expires: on "
              f"{r['all_deep_model']} when more than "
              + " / ".join(f"{v:.0%} ({k})" for k, v in even.items())
              + " of a skill's calls find their prefix cached. This month ran with "
              f"config.example.toml's lifetimes: {_policy(r['cache_ttl'])}."]
    return lines


def routing_lines(r: dict[str, Any]) -> list[str]:
    """The routing table (chosen tier by labelled tier) and the learning month, as Markdown."""
    routing = r.get("routing")
    if not routing:
        return []
    chosen = sorted({t for row in routing["table"].values() for t in row},
                    key=lambda t: TIERS.index(t) if t in TIERS else len(TIERS))
    lines = ["", "Questions, routed by hearth (rows: the scenario's label, used only to score; "
             "columns: the tier that answered):", "",
             "| label | " + " | ".join(chosen) + " |", "| --- |" + " --- |" * len(chosen)]
    for label in sorted(routing["table"], key=TIERS.index):
        row = routing["table"][label]
        lines.append(f"| {label} | " + " | ".join(str(row.get(t, 0)) for t in chosen) + " |")
    cache = ", ".join(f"{k} {'n/a' if v is None else f'{v:.1%}'}"
                      for k, v in routing["cache_hit_ratio"].items())
    scopes = "; ".join(f"{k} {v['calls']} calls, {v['bytes']:,} bytes"
                       for k, v in routing["cloud_by_scope"].items()) or "none recorded"
    lines += ["", f"As labelled {routing['as_labelled']}, cheaper than the label "
              f"{routing['cheaper_than_label']} (possible quality loss), dearer "
              f"{routing['dearer_than_label']} (waste), unanswered {routing['unanswered']}; "
              f"advisor hand-offs {routing['handoffs']}. Claude cache hit ratio: {cache}. "
              f"Cloud calls by data scope: {scopes}. The local dispatcher's choices are "
              "scripted in the scenario (`choice`): answer quality cannot be measured with "
              "fake models, only what each choice costs."]
    learnt = r.get("learning_month")
    if learnt:
        lines += ["", f"The month again with `[learn] auto_accept_after = "
                  f"{learnt['auto_accept_after']}`: {learnt['phrasings_tier0_by_the_end']} of "
                  f"{learnt['phrasings']} fuzzy phrasings ended on tier 0 (route `learned`); "
                  f"{learnt['requests_on_route_learned']} of {learnt['fuzzy_requests']} fuzzy "
                  f"commands needed no dispatcher call; month ${learnt['hearth_usd']:.4f}."]
    return lines


def household_section(r: dict[str, Any]) -> str:
    """The household benchmark's detailed section (bench/household.py stores it as `markdown`)."""
    g, ratio, empty = r["goals_met"], r["cache_hit_ratio"], r["empty_day"]
    lines = [
        f"## Household month ({r['days']} days, `bench/household.toml`)",
        "",
        "| figure | value | goal |",
        "| --- | --- | --- |",
        f"| hearth's month | ${r['hearth_usd']:.4f} | < $0.50/month: "
        f"{verdict(g['usd_per_month'])} |",
        f"| same calls all on deep ({r['all_deep_model']}) | ${r['all_deep_usd']:.4f} | |",
        f"| same calls all on fast ({r['all_fast_model']}) | ${r['all_fast_usd']:.4f} | |",
        f"| hearth / all-deep | {r['share_of_all_deep']:.1%} | <= 3%: "
        f"{verdict(g['share_of_all_deep'])} |",
        f"| all on deep, template commands sent to the model too | "
        f"${r['all_deep_every_request_usd']:.4f} (hearth = "
        f"{r['share_of_all_deep_every_request']:.1%} of it) | for orientation |",
        f"| Claude cache hit ratio | {'n/a' if ratio is None else f'{ratio:.1%}'} | |",
        f"| empty day: model requests | {empty['model_requests']} (scheduled runs: "
        f"{', '.join(empty['scheduled_runs']) or 'none'}) | 0: {verdict(g['empty_day'])} |",
        "",
        "| tier | ledger rows | share | uncached prompt tok | cache write tok | cache read tok "
        "| output tok | cost |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for tier in TIERS:
        t = r["by_tier"].get(tier)
        if t:
            lines.append(f"| {tier} | {t['calls']} | {t['share_of_calls']:.1%} | "
                         f"{t['input_tokens']} | {t['cache_write_tokens']} | "
                         f"{t['cache_read_tokens']} | {t['output_tokens']} | "
                         f"${t['cost_micros'] / 1e6:.4f} |")
    lines += routing_lines(r)
    lines += cache_lines(r)
    q = r["requests"]
    skills = r.get("by_skill", {})
    lines += [
        "",
        "By skill (calls, cost, same calls on deep): " + "; ".join(
            f"{name} {v['calls']}, ${v['usd']:.4f}, ${v['all_deep_usd']:.4f}"
            for name, v in skills.items()) + ".",
        "",
        f"Work: {q['template_commands']} template commands, {q['fuzzy_commands']} fuzzy "
        f"commands, questions by tier {dict(q['questions'])}, scheduled runs "
        f"{r['scheduled_runs']}, {r['feeds']} feeds with {r['new_items_per_day']} new items a "
        f"day; {r['device_publishes']} device commands published. Routes: {r['routes']}.",
        "",
        "Replayed on a simulated clock through the real dispatcher, router, scheduler, skills "
        "and SQLite ledger with hearth's default tiers, budgets and prices. The model APIs "
        "are the loopback fakes: prompt tokens are 4 characters per token of the prompts "
        "hearth built, output lengths are the scenario's, Claude's prompt cache keeps a "
        "prefix for the lifetime its breakpoint asks for (5 minutes or 1 hour, renewed by a "
        "hit) on the simulated clock and has a 512-token floor. The all-deep and all-fast "
        "figures reprice the same ledger rows (cache splits and batch flag kept) on those "
        "models; tier-`none` commands make no model call and stay $0 there, which flatters "
        "the baseline (the 'template commands sent to the model too' line prices each like "
        "the average dispatcher call on deep). Device commands go to a counting publisher; "
        f"the broker path is the latency benchmark's. Replay took {r['replay_seconds']} s.",
    ]
    return "\n".join(lines)


def _run(r: dict[str, Any], devices: int, mode: str) -> dict[str, Any] | None:
    return next((x for x in r.get("runs", []) if x.get("devices") == devices
                 and x.get("mode") == mode), None)


# Latency modes in table order: the graded text commands, state questions beside them
# ("is the kitchen light on", timed to the reply), then button rules.
LATENCY_MODES = {"text": ("text commands", "commands"),
                 "forms": ("text commands in 8 sentence forms", "commands"),
                 "state": ("state questions", "questions"),
                 "rule": ("rule commands", "commands")}


def latency_rows(r: dict[str, Any]) -> list[Row]:
    rows = []
    for devices in (50, 300):
        for mode, (what, unit) in LATENCY_MODES.items():
            x = _run(r, devices, mode)
            if x is None:
                continue
            lost = int(x.get("burst_lost", 0)) + int(x.get("latency_lost", 0))
            # Issue 16: text commands are graded at 50 devices and at 300 too.
            graded = mode == "text"
            label = f"{what}, {devices} devices"
            rate = x["commands_per_s"]
            rows += [
                Row(f"{label}: p50 / p95 / p99", f"{x['p50_ms']} / {x['p95_ms']} / "
                    f"{x['p99_ms']} ms", "p99 < 5 ms" if graded else "",
                    x["p99_ms"] < 5.0 if graded else None),
                Row(f"{label}: sustained rate", f"{rate:,} {unit}/s" if rate is not None
                    else "none received", ">= 1,000/s" if graded else "",
                    (rate or 0) >= 1000 if graded else None),
                Row(f"{label}: lost", str(lost), "0" if graded else "",
                    lost == 0 if graded else None),
            ]
    rows += [Row(f"intent matcher alone, {x['devices']} devices, {kind}: p50 / p99",
                 f"{x[kind]['p50_ms']} / {x[kind]['p99_ms']} ms", "", None)
             for x in r.get("intent_matcher", [])
             for kind in ("repeated", "new phrase (known shape)", "uncached") if kind in x]
    return rows


def footprint_rows(r: dict[str, Any]) -> list[Row]:
    # The floor (python + paho + sqlite3) beside the idle figure: hearth's own share is the gap.
    floor = f" (floor {r['floor_rss_mb']} MB)" if "floor_rss_mb" in r else ""
    return [
        Row("resident memory, idle, config.example.toml", f"{r['idle_rss_mb']} MB{floor}",
            "< 64 MB", r["idle_rss_mb"] < 64),
        *([Row("idle memory of nanobot, for scale (measured elsewhere)",
               f"{r['nanobot_reference_mb']} MB", "", None)]
          if "nanobot_reference_mb" in r else []),
        *([Row("resident memory, idle, two [[notify]] services configured",
               f"{r['idle_rss_with_two_notifiers_mb']} MB (an idle daemon does not import "
               "Apprise)", "", None)]
          if "idle_rss_with_two_notifiers_mb" in r else []),
        Row("time from start to READY=1 (restart: the ledger exists)", f"{r['ready_s']} s",
            "< 1 s", r["ready_s"] < 1.0),
        *([Row("time to READY=1 on the very first start (creates the ledger)",
               f"{r['first_start_ready_s']} s", "", None)]
          if "first_start_ready_s" in r else []),
        Row(f"resident memory after {r.get('commands_sent', 0):,} commands "
            f"({r.get('commands_delivered', 0):,} delivered)",
            f"{r['rss_after_commands_mb']} MB", "", None),
    ]


def ledger_rows(r: dict[str, Any]) -> list[Row]:
    rows = []
    for key, label in (("sqlite_full", "SQLite"), ("postgresql", "PostgreSQL")):
        x = r.get(key)
        if not isinstance(x, dict) or "sequential_pairs_per_s" not in x:
            rows.append(Row(f"ledger reserve+settle, {label}", "not measured", "", None))
            continue
        rows.append(Row(f"ledger reserve+settle pairs/s, {label} (sequential / 8 tasks)",
                        f"{x['sequential_pairs_per_s']} / {x.get('concurrent8_pairs_per_s')}",
                        "", None))
        race = x.get("race")
        if isinstance(race, dict):
            rows.append(Row(f"overspend, 200 racing paid calls on a $0.05 cap, {label} "
                            "(fake bills a token per prompt byte)",
                            f"{race['overspend_micros']} µ$ ({race['admitted']} admitted)",
                            "0", race["overspend_micros"] == 0))
    return rows


def briefing_rows(r: dict[str, Any]) -> list[Row]:
    up, down = r["ollama_up"], r["fast_fallback"]
    claude = r.get("claude_calls_when_ollama_up", 0)
    return [
        Row(f"briefing, {r['feeds']} feeds / {r['new_items']} items, Ollama up: Claude cost",
            f"${up['cost_usd']:.6f} ({claude} Claude requests)", "$0",
            up["cost_usd"] == 0 and claude == 0),
        Row("briefing with Ollama down (fast fallback)",
            f"${down['cost_usd']:.6f} (${down['month_of_daily_briefings_usd']:.4f} for 30)",
            "", None),
    ]


ROWS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "household": household_rows, "latency": latency_rows, "footprint": footprint_rows,
    "ledger": ledger_rows, "briefing": briefing_rows,
}
GOALS_IF_MISSING = {
    "household": "< $0.50/month; <= 3% of all-deep; 0 calls on an empty day",
    "latency": "p99 < 5 ms, >= 1,000/s, 0 lost at 50 and 300 devices",
    "footprint": "< 64 MB idle; READY < 1 s",
    "ledger": "",
    "briefing": "$0 of Claude with Ollama up",
}


def rows_for(name: str, result: dict[str, Any] | None) -> list[Row]:
    """The summary rows of one benchmark; a missing or malformed result is one MISSED row."""
    goal = GOALS_IF_MISSING[name]
    if result is None:
        return [Row(f"{name} benchmark", "not run (no results file from this run)", goal,
                    False if goal else None)]
    try:
        return ROWS[name](result)
    except (KeyError, TypeError, ValueError) as exc:
        return [Row(f"{name} benchmark", f"unreadable results ({type(exc).__name__}: {exc})",
                    goal, False if goal else None)]


def render(results: dict[str, dict[str, Any] | None], *, when: datetime,
           facts: dict[str, Any], command: str = COMMAND, note: str = "") -> str:
    """The whole RESULTS.md text."""
    rows = [row for name in NAMES for row in rows_for(name, results.get(name))]
    missed = [r.figure for r in rows if r.met is False]
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {when:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {facts.get('cores')} cores, {facts.get('memory_gib')} GiB memory, "
        f"Python {facts.get('python')}, {facts.get('platform')}",
        f"- Command: `{command}` (from the repository root; rewrites this file)",
        f"- Goals missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else ""),
        *([f"- Note: {note}"] if note else []),
        "",
        "| figure | value | goal | |",
        "| --- | --- | --- | --- |",
        *(f"| {r.figure} | {r.value} | {r.goal} | {verdict(r.met)} |" for r in rows),
    ]
    for name in NAMES:
        result = results.get(name)
        section = result.get("markdown") if result else None
        if isinstance(section, str) and section.strip():
            lines += ["", section.strip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write bench/RESULTS.md; exit 1 when a goal was missed or a benchmark did not run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", type=float, default=0.0,
                        help="ignore results files modified before this POSIX time")
    parser.add_argument("--note", default="",
                        help="a line for the page's header, e.g. which results are older")
    args = parser.parse_args(argv)
    results = load(RESULTS_DIR, since=args.since)
    text = render(results, when=datetime.now(UTC), facts=machine(), note=args.note)
    RESULTS_MD.write_text(text)
    print(text)
    return 1 if "**MISSED**" in text else 0


if __name__ == "__main__":
    sys.exit(main())
