"""What one household briefing costs: 10 feeds, 30 new items, summarised by the news skill.

Two runs over the same synthetic feeds (served on loopback):

1. Ollama up (the fake Ollama summarising every batch): the briefing must cost $0 of Claude.
2. Ollama down: the news skill falls back to the `fast` tier (claude-haiku-5-5) on the fake
   Anthropic API, whose usage is derived from the prompts (about 4 characters per token,
   see tests/support/fake_anthropic.py) and which caches only prefixes of at least 512
   tokens, as Haiku 5.5 does. The ledger prices the calls from the shipped price table.

Run: `.venv/bin/python bench/briefing.py` (from the repository root). Prints a Markdown
section and writes bench/results/briefing.json. Takes a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.config import HearthConfig, parse_config
from agent.credentials import ApiKey
from agent.daemon.core import open_core
from bench.common import machine, write_result
from tests.skills_briefing.support import good_summaries, quoted_items
from tests.support.fake_anthropic import FakeAnthropic, last_user_text
from tests.support.fake_anthropic import answer as claude_answer
from tests.support.fake_ollama import FakeOllama
from tests.support.fake_ollama import answer as ollama_answer
from tests.support.feeds import FeedServer, synthetic_feed
from tests.support.model_fixtures import HttpRequest

FEEDS = 10
ITEMS_PER_FEED = 3
def config(state: Path, urls: list[str], ollama: str, anthropic: str) -> HearthConfig:
    return parse_config({
        "hearth": {"state_dir": str(state)},
        "ollama": {"host": ollama, "timeout": 10},
        "anthropic": {"base_url": anthropic},
        "router": {"max_attempts": 1},
        "feeds": {"feeds": [{"url": u} for u in urls], "allow_private_addresses": True},
        "briefing": {"notifiers": ["file"]},
    })


async def one_briefing(cfg: HearthConfig, state: Path) -> dict[str, Any]:
    async with open_core(cfg, state, bridge=None,
                         api_key=ApiKey("sk-ant-api03-" + "b" * 40)) as core:
        started = datetime.now(UTC)
        result = await core.dispatcher.handle_action("briefing", "now", {})
        assert result.ok and result.reply is not None, result.error
        report = await core.ledger.spend_between(started - timedelta(minutes=1),
                                                 datetime.now(UTC) + timedelta(minutes=1))
        calls = await core.ledger.calls_between(started - timedelta(minutes=1),
                                                datetime.now(UTC) + timedelta(minutes=1))
    news = next(p for p in result.reply.data["briefing"]["sections"] if p["key"] == "news")
    return {
        "items": len(news["data"]["items"]),
        "calls": report.calls,
        "paid_calls": sum(1 for c in calls if c.backend == "anthropic"),
        "tiers": sorted({c.tier for c in calls}),
        "models": sorted({c.model for c in calls}),
        "input_tokens": sum(c.input_tokens for c in calls),
        "output_tokens": sum(c.output_tokens for c in calls),
        "cache_read_tokens": sum(c.cache_read_tokens for c in calls),
        "cache_write_tokens": sum(c.cache_write_5m_tokens + c.cache_write_1h_tokens
                                  for c in calls),
        "cost_micros": report.cost_micros,
        "cost_usd": report.cost_micros / 1_000_000,
        "deep_counterfactual_usd": report.counterfactual_micros / 1_000_000,
        "month_of_daily_briefings_usd": round(30 * report.cost_micros / 1_000_000, 6),
    }


def summarise_ollama(request: HttpRequest) -> Any:
    return ollama_answer(json=good_summaries(quoted_items(request.json["messages"][-1]["content"])))


def summarise_claude(request: HttpRequest) -> Any:
    return claude_answer(json=good_summaries(quoted_items(last_user_text(request.json))))


async def run() -> dict[str, Any]:
    server = FeedServer().start()
    ollama, claude = FakeOllama(), FakeAnthropic()
    ollama.start()
    claude.start()
    claude.min_cacheable_tokens = 512  # Haiku 5.5's floor: a short system prompt is not cached
    ollama.set_responder(summarise_ollama)
    claude.set_responder(summarise_claude)
    try:
        urls = [server.add(f"/feed{n}.xml", synthetic_feed(n, ITEMS_PER_FEED)) for n in range(FEEDS)]
        with tempfile.TemporaryDirectory() as up, tempfile.TemporaryDirectory() as down:
            local = await one_briefing(config(Path(up), urls, ollama.url, claude.url), Path(up))
            claude_calls_when_up = len(claude.message_bodies)
            from tests.support.broker import free_port

            dead = f"http://127.0.0.1:{free_port()}"
            fast = await one_briefing(config(Path(down), urls, dead, claude.url), Path(down))
    finally:
        server.stop()
        ollama.stop()
        claude.stop()
    return {"feeds": FEEDS, "new_items": FEEDS * ITEMS_PER_FEED, "ollama_up": local,
            "claude_calls_when_ollama_up": claude_calls_when_up, "fast_fallback": fast,
            "machine": machine()}


def _row(label: str, r: dict[str, Any]) -> str:
    return (f"| {label} | {r['calls']} ({r['paid_calls']}) | {', '.join(r['tiers'])} | "
            f"{r['input_tokens']} | {r['output_tokens']} | ${r['cost_usd']:.6f} | "
            f"${r['month_of_daily_briefings_usd']:.4f} | ${r['deep_counterfactual_usd']:.6f} |")


def markdown(r: dict[str, Any]) -> str:
    return "\n".join([
        "## Briefing cost (10 feeds, 30 new items)",
        "",
        "| run | ledger rows (paid) | tiers | input tok | output tok | cost | 30 briefings "
        "| deep would cost |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        _row("Ollama up", r["ollama_up"]),
        _row("Ollama down, fast fallback", r["fast_fallback"]),
        "",
        f"Claude requests while Ollama was up: {r['claude_calls_when_ollama_up']}. On the "
        "fallback each batch of 6 items leaves a $0 row for the failed local attempt and a "
        "paid row for the fast call; the system prompt is below Haiku 5.5's 512-token cache "
        "floor, so nothing is cached. Token counts on the fallback come from the fake "
        "Anthropic API (about 4 characters per token of the request); real Haiku 5.5 "
        "tokenisation may differ by tens of percent.",
    ])


def main() -> int:
    """Measure, print a Markdown section, write bench/results/briefing.json."""
    # The fallback run logs one warning per failed local call; the table says it all.
    logging.basicConfig(level=logging.ERROR)
    results = asyncio.run(run())
    results["markdown"] = markdown(results)
    path = write_result("briefing", results)
    print(results["markdown"])
    print(f"\nwritten to {path}")
    return 0 if results["ollama_up"]["cost_micros"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
