"""RESULTS.md assembly: every figure beside its goal, misses and missing runs called out."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report import NAMES, cache_lines, load, render

WHEN = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
FACTS = {"cores": 2, "memory_gib": 23.5, "python": "3.11.7", "platform": "Linux-x"}


def household(share: float, usd: float, empty_calls: int = 0) -> dict[str, Any]:
    return {"share_of_all_deep": share, "usd_per_month": usd, "all_deep_usd": 2.0,
            "all_fast_usd": 0.1, "cache_hit_ratio": 0.25,
            "by_tier": {"local": {"share_of_calls": 0.25}, "none": {"share_of_calls": 0.75}},
            "empty_day": {"model_requests": empty_calls},
            "markdown": "## Household month\n\ndetails here"}


def latency(p99: float, rate: float, lost: int) -> dict[str, Any]:
    run = {"devices": 50, "mode": "text", "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": p99,
           "commands_per_s": rate, "burst_lost": lost, "latency_lost": 0}
    state = {**run, "mode": "state", "p50_ms": 1.5, "p95_ms": 2.5, "p99_ms": 3.5,
             "commands_per_s": 900.0}
    return {"runs": [run, state, {**run, "devices": 300, "p99_ms": 99.0, "commands_per_s": 1.0},
                     {**state, "devices": 300, "p99_ms": 9.5}]}


FOOTPRINT = {"idle_rss_mb": 35.5, "floor_rss_mb": 22.4, "nanobot_reference_mb": 98,
             "ready_s": 0.2, "rss_after_commands_mb": 36.0,
             "commands_sent": 10000, "commands_delivered": 10000}
LEDGER = {"sqlite_full": {"sequential_pairs_per_s": 160.0, "concurrent8_pairs_per_s": 150.0},
          "postgresql": {"skipped": "unreachable"}, "markdown": "## Ledger\n\nrates"}
BRIEFING = {"feeds": 10, "new_items": 30, "claude_calls_when_ollama_up": 0,
            "ollama_up": {"cost_usd": 0.0},
            "fast_fallback": {"cost_usd": 0.0014, "month_of_daily_briefings_usd": 0.041}}


def table_line(text: str, figure: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {figure}"))


def test_goals_met_and_missed_are_stated_beside_each_figure() -> None:
    text = render({"household": household(0.119, 0.16), "latency": latency(6.2, 378.0, 0),
                   "footprint": FOOTPRINT, "ledger": LEDGER, "briefing": BRIEFING},
                  when=WHEN, facts=FACTS)
    assert "2026-11-24 20:00 UTC" in text and "2 cores, 23.5 GiB" in text
    assert "Python 3.11.7" in text and "`bench/run`" in text
    assert "- Note:" not in text
    assert table_line(text, "hearth / all-deep").endswith("| 11.9% | <= 3% | **MISSED** |")
    assert table_line(text, "household month, hearth's routing").endswith("met |")
    assert "| none 75.0%, local 25.0% |" in table_line(text, "household calls by tier")
    assert "**MISSED**" in table_line(text, "text commands, 50 devices: p50")
    assert "**MISSED**" in table_line(text, "text commands, 50 devices: sustained")
    assert table_line(text, "text commands, 50 devices: lost").endswith("| 0 | 0 | met |")
    # Text commands are graded at 300 devices too (issue 16).
    assert table_line(text, "text commands, 300 devices: p50").endswith(
        "| 1.0 / 2.0 / 99.0 ms | p99 < 5 ms | **MISSED** |")
    assert table_line(text, "text commands, 300 devices: sustained").endswith(
        "| 1.0 commands/s | >= 1,000/s | **MISSED** |")
    assert table_line(text, "text commands, 300 devices: lost").endswith("| 0 | 0 | met |")
    # State questions are reported beside them, without a goal, however slow.
    assert table_line(text, "state questions, 50 devices: p50").endswith(
        "| 1.5 / 2.5 / 3.5 ms |  |  |")
    assert table_line(text, "state questions, 50 devices: sustained").endswith(
        "| 900.0 questions/s |  |  |")
    assert table_line(text, "state questions, 300 devices: p50").endswith(
        "| 1.5 / 2.5 / 9.5 ms |  |  |")
    lines = text.splitlines()
    assert lines.index(table_line(text, "state questions, 50 devices: p50")) == \
        lines.index(table_line(text, "text commands, 50 devices: lost")) + 1
    assert table_line(text, "resident memory, idle").endswith("| 35.5 MB (floor 22.4 MB) | < 64 MB | met |")
    assert table_line(text, "idle memory of nanobot").endswith("| 98 MB |  |  |")
    assert "not measured" in table_line(text, "ledger reserve+settle, PostgreSQL")
    assert table_line(text, "briefing, 10 feeds").endswith("met |")
    assert "Goals missed: 5" in text
    # Without the key the two-notifier idle figure is left out.
    assert "[[notify]]" not in text
    # Ready-made sections follow the table.
    assert "details here" in text and "## Ledger" in text


def test_a_benchmark_that_did_not_run_is_a_missed_goal() -> None:
    text = render({"household": household(0.02, 0.1), "ledger": None}, when=WHEN, facts=FACTS,
                  note="latency figures are from an earlier run")
    assert "- Note: latency figures are from an earlier run" in text
    assert table_line(text, "household month, hearth's routing").endswith("met |")
    assert "**MISSED**" in table_line(text, "latency benchmark")
    assert "not run" in table_line(text, "ledger benchmark")
    assert not table_line(text, "ledger benchmark").endswith("**MISSED** |")  # no goal


def test_malformed_results_are_reported_not_raised() -> None:
    text = render({"household": {"share_of_all_deep": 0.01}}, when=WHEN, facts=FACTS)
    assert "unreadable results (KeyError" in table_line(text, "household benchmark")


def test_load_ignores_stale_and_broken_files(tmp_path: Path) -> None:
    (tmp_path / "household.json").write_text(json.dumps(household(0.01, 0.1)))
    (tmp_path / "latency.json").write_text("{not json")
    (tmp_path / "ledger.json").write_text(json.dumps(LEDGER))
    os.utime(tmp_path / "ledger.json", (1_000_000, 1_000_000))
    found = load(tmp_path, since=2_000_000)
    assert set(found) == set(NAMES)
    assert found["household"] is not None and found["household"]["usd_per_month"] == 0.1
    assert found["latency"] is None and found["ledger"] is None and found["footprint"] is None
    assert load(tmp_path)["ledger"] == LEDGER


def test_idle_memory_with_two_notifiers_is_shown_when_measured() -> None:
    footprint = {**FOOTPRINT, "idle_rss_with_two_notifiers_mb": 36.1}
    text = render({"footprint": footprint}, when=WHEN, facts=FACTS)
    assert table_line(text, "resident memory, idle, two [[notify]] services").endswith(
        "| 36.1 MB (an idle daemon does not import Apprise) |  |  |")


def test_cache_lifetimes_are_compared_and_the_choice_stated() -> None:
    def variant(usd: float, advisor: float | None, assistant: float | None) -> dict[str, Any]:
        return {"hearth_usd": usd, "all_deep_usd": 2.0, "share_of_all_deep": usd / 2,
                "cache_hit_ratio": advisor, "skill_usd": {"advisor": usd / 2},
                "by_skill": {"assistant": assistant, "advisor": advisor, "digest": 0.0},
                "tokens": {"input": 10, "write_5m": 5, "write_1h": 0, "read": 1},
                "calls_reading": {"assistant": [0, 0], "advisor": [1, 29]}}
    result = {**household(0.13, 0.26), "all_deep_model": "claude-sonnet-5-5",
              "cache_ttl": {"default": "5m", "advisor": "off"},
              "cache_break_even_hit_ratio": {"5m": 0.217, "1h": 0.526},
              "cache_variants": {"off": variant(0.258, 0.0, None),
                                 "5m": variant(0.268, 0.033, None),
                                 "1h": variant(0.301, 0.066, None),
                                 "off/assistant-fast": variant(0.270, 0.0, 0.0),
                                 "5m/assistant-fast": variant(0.281, 0.033, 0.013),
                                 "1h/assistant-fast": variant(0.310, 0.066, 0.02)}}
    result["markdown"] = "\n".join(cache_lines(result))
    text = render({"household": result}, when=WHEN, facts=FACTS)
    assert table_line(text, "prompt-cache lifetime").endswith(
        "| default 5m, advisor off; the month with off / 5m / 1h for every skill: "
        "$0.2580 / $0.2680 / $0.3010 |  |  |")
    assert table_line(text, "5m | local (declared) | $0.2680 |").endswith(
        "| 3.3% / n/a / 3.3% / 0.0% | none / 1 of 29 | 5 | 1 | $0.0000 | $0.1340 |")
    assert "| 1h | fast (pinned) | $0.3100 |" in text
    assert "Cheapest: off (declared tiers), off (assistant on fast)" in text
    assert "more than 22% (5m) / 53% (1h)" in text
    assert "lifetimes: default 5m, advisor off." in text
