"""`hearth ask "TEXT" [--tier T] [--skill S] [--dry-run] [--json]`: one request, in-process.

Runs the request through the same router, ledger and budget as the daemon, and prints the
answer with the tier and model that served it, tokens and cost. ``--dry-run`` prints the
route and the worst-case reservation each step would hold, and calls no model.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, cast

from agent.cli.common import load, print_json

if TYPE_CHECKING:
    from agent.config.root import HearthConfig
    from agent.router.types import ModelResponse, RoutePlan, Tier

TIERS = ("local", "fast", "deep")
DEFAULT_TIER = "local"   # the cheapest tier that answers; it falls back to the cloud if allowed


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `ask`."""
    p = sub.add_parser("ask", help="ask one question through the model router, in-process")
    p.add_argument("text", help="the question or request")
    p.add_argument("--tier", choices=TIERS, help=f"tier to use (default: {DEFAULT_TIER})")
    p.add_argument("--skill", default="ask", help="skill name for the ledger (default: ask)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the route and reservation; call no model")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_ask)


def ask_router(config: HearthConfig, text: str, tier: str | None, skill: str,
               dry_run: bool) -> dict[str, Any]:
    """Send `text` straight to the router on `tier` (no skill dispatch); a JSON-able result.

    Raises hearth errors (CredentialRefused, BudgetExceeded, ModelUnavailable, ...).
    """
    # Imported here: command modules must stay light at import (start-up time).
    from agent.credentials import check_credentials
    from agent.ledger import Ledger
    from agent.ledger.cli_support import with_ledger
    from agent.router import Message, ModelRequest, Router

    api_key = check_credentials(config)
    request = ModelRequest(skill=skill, messages=[Message("user", text)], trigger="ask")
    chosen = cast("Tier", tier or DEFAULT_TIER)

    async def run(ledger: Ledger) -> dict[str, Any]:
        router = Router(config, ledger, api_key=api_key)
        try:
            if dry_run:
                return _plan_dict(router.plan(request, chosen))
            return _response_dict(await router.complete(request, chosen))
        finally:
            await router.aclose()

    return with_ledger(config, run)


def _plan_dict(plan: RoutePlan) -> dict[str, Any]:
    from agent.ledger.cli_support import usd_number

    return {
        "dry_run": True, "skill": plan.skill, "tier": plan.tier,
        "prompt_tokens_estimate": plan.prompt_tokens_estimate, "cache_ttl": plan.cache_ttl,
        "allow_cloud": plan.allow_cloud,
        "steps": [{"tier": s.tier, "role": s.role, "backend": s.backend, "model": s.model,
                   "max_tokens": s.max_tokens, "reservation_micros": s.reservation_micros,
                   "reservation_usd": usd_number(s.reservation_micros), "note": s.note}
                  for s in plan.steps],
    }


def _response_dict(r: ModelResponse) -> dict[str, Any]:
    from agent.ledger.cli_support import usd_number

    u = r.usage
    return {
        "text": r.text, "tier_requested": r.tier_requested, "tier": r.tier_used,
        "backend": r.backend, "model": r.model, "input_tokens": u.prompt_tokens,
        "output_tokens": u.output_tokens, "cache_read_tokens": u.cache_read_tokens,
        "cache_write_tokens": u.cache_write_5m_tokens + u.cache_write_1h_tokens,
        "cost_micros": r.cost_micros, "cost_usd": usd_number(r.cost_micros),
        "degraded": r.degraded, "escalated": r.escalated, "latency_ms": r.latency_ms,
        "ledger_id": r.ledger_id, "ledger_ids": [*r.extra_ledger_ids, r.ledger_id],
    }


def _print_human(result: dict[str, Any]) -> None:
    from agent.ledger.cli_support import usd

    if result.get("dry_run"):
        print(f"route for skill {result['skill']} on tier {result['tier']} "
              f"(prompt ≈{result['prompt_tokens_estimate']} tokens, cache {result['cache_ttl']}):")
        for n, step in enumerate(result["steps"], 1):
            note = f"  [{step['note']}]" if step["note"] else ""
            print(f"  {n}. {step['role']:<10} {step['tier']:<5} {step['backend']}/{step['model']}"
                  f"  max_tokens {step['max_tokens']}  reserve {usd(step['reservation_micros'])}"
                  f"{note}")
        print("no model was called (dry run)")
        return
    print(result["text"])
    flags = "".join(f", {f}" for f in ("degraded", "escalated") if result[f])
    print(f"-- {result['tier']} ({result['backend']}/{result['model']}{flags}): "
          f"{result['input_tokens']} in ({result['cache_read_tokens']} cached), "
          f"{result['output_tokens']} out, {usd(result['cost_micros'])}, "
          f"{result['latency_ms']} ms, ledger {result['ledger_id']}")


def _ask(args: argparse.Namespace) -> int:
    config = load(args)
    result = ask_router(config, args.text, args.tier, args.skill, args.dry_run)
    if args.json:
        print_json(result)
    else:
        _print_human(result)
    return 0
