"""`hearth ask "TEXT" [--tier T] [--skill S] [--continue] [--dry-run] [--json]`: one request.

Without --tier or --skill the text goes through the dispatcher exactly as a request on
`<prefix>/ask` would: the intent matcher first (a device command runs with no model), then
the local model choosing a skill. When a daemon is running, that happens inside it, over the
control socket: it knows the devices it discovered, and a pending action it creates can be
confirmed with `hearth confirm` from any shell. With no daemon the request runs in this
process, on the devices in the config only (one line on stderr says so).

`--continue` makes it a follow-up of this user's last exchange (a few minutes old at most):
"and in the bedroom?" after "turn on the kitchen light". `--tier deep` (the advisor) and
`--tier local` (the assistant) are cues: the dispatcher skips its model and hands the text to
that skill. With --skill, --tier fast, or --tier with --dry-run, the text goes straight to the
router on that tier, in-process. Either
way the same router, ledger and budget as the daemon's are used, and the answer is printed
with the tier and model that served it, tokens and cost. ``--dry-run`` prints what would
happen (the planned device actions, or the route and the worst-case reservation of each
step) and publishes nothing and calls no model.

Exit status: 0 when done (or planned); 69 (unavailable) when a device action the request
asked for was not sent; 1 when the request failed otherwise.
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
CUE_TIERS = ("local", "deep")  # without --skill: the assistant / the advisor, no dispatcher call


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `ask`."""
    p = sub.add_parser("ask", help="ask one question or give one command (through the running "
                                   "daemon when there is one)")
    p.add_argument("text", help="the question or request")
    p.add_argument("--tier", choices=TIERS,
                   help="deep: ask the advisor, local: the assistant, with no dispatcher "
                        "call; fast (or with --skill/--dry-run): the router on this tier")
    p.add_argument("--skill", help="skip the dispatcher; the skill name for the ledger "
                                   "(direct router calls default to 'ask')")
    p.add_argument("--continue", dest="follow_up", action="store_true",
                   help="a follow-up: the daemon sends your last exchange (minutes old at "
                        "most) along with this request")
    p.add_argument("--dry-run", action="store_true",
                   help="print the route and reservation; call no model")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--area", help="the room you are in, for \"in here\" (an area name or alias)")
    p.set_defaults(func=_ask)


def ask_router(config: HearthConfig, text: str, tier: str | None, skill: str,
               dry_run: bool) -> dict[str, Any]:
    """Send `text` straight to the router on `tier` (no skill dispatch); a JSON-able result.

    Raises hearth errors (CredentialRefused, BudgetExceeded, ModelUnavailable, ...).
    """
    # Imported here: command modules must stay light at import (start-up time).
    import asyncio

    from agent.credentials import check_credentials
    from agent.paths import state_dir
    from agent.router import Message, ModelRequest
    from agent.router.opening import open_router

    api_key = check_credentials(config)
    request = ModelRequest(skill=skill, messages=[Message("user", text)], trigger="ask")
    chosen = cast("Tier", tier or DEFAULT_TIER)

    async def run() -> dict[str, Any]:
        async with open_router(config, state_dir(config), api_key=api_key) as models:
            if dry_run:
                return _plan_dict(models.router.plan(request, chosen))
            return _response_dict(await models.router.complete(request, chosen))

    return asyncio.run(run())


def _plan_dict(plan: RoutePlan) -> dict[str, Any]:
    from agent.words import usd_value

    return {
        "dry_run": True, "skill": plan.skill, "tier": plan.tier,
        "prompt_tokens_estimate": plan.prompt_tokens_estimate, "cache_ttl": plan.cache_ttl,
        "allow_cloud": plan.allow_cloud,
        "steps": [{"tier": s.tier, "role": s.role, "backend": s.backend, "model": s.model,
                   "max_tokens": s.max_tokens, "reservation_micros": s.reservation_micros,
                   "reservation_usd": usd_value(s.reservation_micros), "note": s.note}
                  for s in plan.steps],
    }


def _response_dict(r: ModelResponse) -> dict[str, Any]:
    from agent.words import usd_value

    u = r.usage
    return {
        "text": r.text, "tier_requested": r.tier_requested, "tier": r.tier_used,
        "backend": r.backend, "model": r.model, "input_tokens": u.prompt_tokens,
        "output_tokens": u.output_tokens, "cache_read_tokens": u.cache_read_tokens,
        "cache_write_tokens": u.cache_write_5m_tokens + u.cache_write_1h_tokens,
        "cost_micros": r.cost_micros, "cost_usd": usd_value(r.cost_micros),
        "degraded": r.degraded, "escalated": r.escalated, "latency_ms": r.latency_ms,
        "ledger_id": r.ledger_id, "ledger_ids": [*r.extra_ledger_ids, r.ledger_id],
    }


def _print_human(result: dict[str, Any]) -> None:
    from agent.words import money

    if result.get("dry_run"):
        print(f"route for skill {result['skill']} on tier {result['tier']} "
              f"(prompt ≈{result['prompt_tokens_estimate']} tokens, cache {result['cache_ttl']}):")
        for n, step in enumerate(result["steps"], 1):
            note = f"  [{step['note']}]" if step["note"] else ""
            print(f"  {n}. {step['role']:<10} {step['tier']:<5} {step['backend']}/{step['model']}"
                  f"  max_tokens {step['max_tokens']}  reserve {money(step['reservation_micros'])}"
                  f"{note}")
        print("no model was called (dry run)")
        return
    print(result["text"])
    flags = "".join(f", {f}" for f in ("degraded", "escalated") if result[f])
    print(f"-- {result['tier']} ({result['backend']}/{result['model']}{flags}): "
          f"{result['input_tokens']} in ({result['cache_read_tokens']} cached), "
          f"{result['output_tokens']} out, {money(result['cost_micros'])}, "
          f"{result['latency_ms']} ms, ledger {result['ledger_id']}")


def _ask(args: argparse.Namespace) -> int:
    config = load(args)
    if _through_dispatcher(args):
        import asyncio

        from agent.control.ask import any_action_failed
        from agent.errors import EX_UNAVAILABLE

        result = asyncio.run(ask_via_daemon_or_here(config, args.text, args.dry_run,
                                                    area=args.area, follow_up=args.follow_up,
                                                    tier=args.tier))
        import sys

        code = _exit_status(result)
        alone = code and not result.get("actions")
        if result.get("via") == "in-process" and not (alone and not args.json):
            print("no daemon running: devices from the config only", file=sys.stderr)
        if args.json:
            print_json(result)
        elif alone:
            # Nothing was done and nothing is to be shown: one line on stderr says why.
            verb = "cannot answer" if result["status"] in _UNAVAILABLE else "not done"
            print(f"hearth: {verb}: {result['text'] or result['status']}", file=sys.stderr)
        else:
            _print_dispatch(result)
        if any_action_failed(result):
            return EX_UNAVAILABLE
        return code
    result = ask_router(config, args.text, args.tier, args.skill or "ask", args.dry_run)
    if args.json:
        print_json(result)
    else:
        _print_human(result)
    return 0


def _through_dispatcher(args: argparse.Namespace) -> bool:
    """No --skill, and no tier or a tier cue (deep/local) outside a dry run."""
    if args.skill is not None:
        return False
    return args.tier is None or (args.tier in CUE_TIERS and not args.dry_run)


async def ask_via_daemon_or_here(config: HearthConfig, text: str, dry_run: bool, *,
                                 area: str | None = None, follow_up: bool = False,
                                 tier: str | None = None) -> dict[str, Any]:
    """The running daemon's answer over its control socket; in this process when none runs.

    Every request is kept as this user's conversation (`cli:<uid>`); `follow_up` sends the
    earlier turns with it, otherwise the conversation starts afresh.
    """
    import os

    from agent.control import DaemonNotRunning, call, find_socket
    from agent.control.ask import ASK_TIMEOUT

    path = find_socket(config)
    args: dict[str, Any] = {"text": text, "dry_run": dry_run, "area": area,
                            "conversation": str(os.getuid()), "continue": follow_up}
    if tier is not None:
        args["tier"] = tier
    try:
        result = await call(path, "ask", args, timeout=ASK_TIMEOUT + 5)
    except DaemonNotRunning:
        return await ask_dispatcher(config, text, dry_run, area=area, follow_up=follow_up,
                                    tier=tier)
    result["via"] = "daemon"
    return result


async def ask_dispatcher(config: HearthConfig, text: str, dry_run: bool, *,
                         area: str | None = None, follow_up: bool = False,
                         tier: str | None = None) -> dict[str, Any]:
    """Run `text` through the daemon's dispatcher in this process; a JSON-able result.

    Device commands are published through a one-shot MQTT connection (none is opened for a
    dry run or a question); devices discovered over MQTT are not known here, only those in
    the config.
    """
    import os

    from agent.control.ask import ask_handler
    from agent.credentials import check_credentials
    from agent.daemon.core import open_core
    from agent.mqtt import OneShotClient
    from agent.paths import ensure_dir, state_dir

    api_key = check_credentials(config)
    bridge = OneShotClient(config.mqtt, lazy=True)
    try:
        async with open_core(config, ensure_dir(state_dir(config)), bridge=bridge,
                             api_key=api_key) as core:
            handler = ask_handler(core.dispatcher, core.conversations)
            out = await handler({"text": text, "dry_run": dry_run, "tier": tier, "area": area,
                                 "conversation": str(os.getuid()), "continue": follow_up})
            # This process ends now, and a pending action with it: no id to confirm later.
            dropped = core.home.pending.cancel_all(path="request",
                                                   detail="no daemon running to hold it")
            if core.home.history is not None:
                await core.home.history.flush()
    finally:
        await bridge.aclose()
    out["via"] = "in-process"
    if dropped:
        # Not done, so say so (and exit 69 like any action that was not carried out).
        reason = "needs confirmation, and no hearth daemon is running to hold it"
        held = [a for a in out.get("actions") or [] if a.get("status") == "pending"]
        for action in held:
            action.update(status="failed", pending_id=None, expires_in=None, error=reason)
        names = ", ".join(str(a.get("name") or a.get("device")) for a in held)
        out["text"] = f"Not done: {names} {reason}; start hearth (`hearth run`) and ask again."
    return out


def _print_dispatch(result: dict[str, Any]) -> None:
    print(result["text"] or f"({result['status']})")
    skill = f"skill {result['skill']}" if result.get("skill") else "no skill"
    tier = result.get("tier")
    model = "no model" if tier in (None, "none") else f"tier {tier}"
    status = "" if result["status"] in ("ok", "planned", "answered") else f" ({result['status']})"
    print(f"-- {skill}, {model}, {result['latency_ms']} ms{status}")
    for action in result.get("actions") or []:
        print(f"   {_action_words(action)}")


# Dispatch statuses (agent.dispatch.result.Status) and their documented exit statuses:
# no model or skill could take the request (69), it ran out of time (75), or it was refused
# or failed (1).
_UNAVAILABLE = {"unavailable": 69, "timeout": 75}
_DONE = ("ok", "planned", "answered")


def _exit_status(result: dict[str, Any]) -> int:
    status = result.get("status")
    if status in _DONE:
        return 0
    return _UNAVAILABLE.get(str(status), 1)


def _action_words(action: dict[str, Any]) -> str:
    """``front door -> z2m/front_door/set {"state":"UNLOCK"} (waits for: hearth confirm ID)``."""
    name = action.get("name") or action.get("device") or "?"
    if action.get("topic"):
        what = f"{action['topic']} {action.get('payload') or ''}".rstrip()
    else:
        what = _desired_words(action.get("desired"))
    if action.get("pending_id"):
        tail = f" (waits for: hearth confirm {action['pending_id']})"
    elif action.get("status") == "failed":
        tail = f" (not sent: {action.get('error') or 'failed'})"
    elif action.get("needs_confirmation"):
        tail = " (needs confirmation)"
    else:
        tail = ""
    return f"{name} -> {what}{tail}"


def _desired_words(desired: Any) -> str:
    """``off``, ``on, brightness 40%``: the wanted state without Python's dict syntax."""
    if not isinstance(desired, dict):
        return "?"
    words = [str(desired["state"])] if desired.get("state") is not None else []
    words += [f"{key} {value}%" for key, value in desired.items()
              if key != "state" and value is not None]
    return ", ".join(words) or "?"
