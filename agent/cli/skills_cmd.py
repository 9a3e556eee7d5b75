"""`hearth skills list` and `hearth skills show NAME`: what is installed and what it may do.

For each skill: state, tier, triggers (intents, topics, schedules), granted tools, config
and this month's spend from the ledger ("ledger unavailable" when it cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from agent.cli.common import load, print_json, print_table
from agent.errors import HearthError
from agent.words import money, nearest, plural, usd_value

if TYPE_CHECKING:
    from agent.config import HearthConfig
    from agent.plugins import LoadedSkill, SkillDeclaration, SkillSet


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `skills list` and `skills show`."""
    p = sub.add_parser("skills", help="list installed skills and what they may do")
    ssub = p.add_subparsers(dest="skills_command", metavar="SUBCOMMAND", required=True)
    lst = ssub.add_parser("list", help="every skill: state, tier, triggers, tools, month's spend")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=_list)
    show = ssub.add_parser("show", help="one skill in full: triggers, tools, config, spend")
    show.add_argument("name", help="the skill's name")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=_show)


def month_spend(config: HearthConfig) -> tuple[dict[str, int] | None, str]:
    """This month's spend per skill in µ$, or None and the reason the ledger is unavailable."""
    from agent.paths import state_dir

    if config.ledger.url is None and not (state_dir(config) / "ledger.db").exists():
        return None, f"ledger unavailable (no ledger at {state_dir(config) / 'ledger.db'})"
    try:
        from agent.ledger.cli_support import with_ledger
    except ImportError as exc:
        return None, f"ledger unavailable ({exc})"
    now = datetime.now(config.hearth.zone)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    async def spend(ledger: Any) -> dict[str, int]:
        report = await ledger.spend_between(start.astimezone(UTC), now.astimezone(UTC))
        return {line.name: line.cost_micros for line in report.by_skill}

    try:
        return with_ledger(config, spend), ""
    except (HearthError, OSError) as exc:
        return None, f"ledger unavailable ({type(exc).__name__}: {exc})"


def describe(loaded: LoadedSkill, spend: dict[str, int] | None,
             config: HearthConfig | None = None) -> dict[str, Any]:
    """One skill as plain data (the JSON of `skills show`)."""
    d = loaded.declaration
    route = config.router.skills.get(d.name) if config is not None else None
    return {
        "name": d.name,
        "state": "enabled" if loaded.enabled else "disabled",
        "description": d.description,
        "source": loaded.source,
        "tier": loaded.tier,
        "declared_tier": d.tier,
        "fallback": list(d.fallback),
        "allow_cloud": d.allow_cloud,
        **_scopes(d, config),
        "intents": {name: list(templates) for name, templates in d.intents.items()},
        "ha_intents": list(d.ha_intents),
        "topics": list(d.topics),
        "schedules": [{"name": s.name, "cron": s.cron, "catch_up_until": s.catch_up_until,
                       "catch_up_hours": s.catch_up_hours} for s in d.schedules],
        "tools": list(d.tools),
        "arguments_schema": dict(d.arguments_schema) if d.arguments_schema else None,
        "timeout": loaded.timeout,
        "concurrency": loaded.concurrency,
        "config": loaded.config.model_dump(mode="json") if loaded.config is not None else None,
        # `[router.skills.<name>]`: model, TTL and tier pins the router applies on top.
        "router": route.model_dump(mode="json", exclude_defaults=True) if route else None,
        "month_spend_usd": None if spend is None else usd_value(spend.get(d.name, 0)),
    }


def _scopes(d: SkillDeclaration, config: HearthConfig | None) -> dict[str, Any]:
    """Declared cloud scopes, those left after the config, and the scope policy."""
    from agent.privacy.enforce import cloud_policy

    effective, policy = (cloud_policy(config, d.name, d.cloud_scopes, d.scope_policy)
                         if config is not None else (frozenset(d.cloud_scopes), d.scope_policy))
    return {"cloud_scopes": list(d.cloud_scopes),
            "effective_cloud_scopes": [s for s in d.cloud_scopes if s in effective],
            "scope_policy": policy}


def _everything(skills: SkillSet) -> list[LoadedSkill]:
    return sorted([*skills.skills.values(), *skills.disabled.values()], key=lambda s: s.name)


def _triggers(d: dict[str, Any]) -> str:
    parts = [plural(len(d["intents"]) + len(d["ha_intents"]), "intent"),
             plural(len(d["topics"]), "topic"), plural(len(d["schedules"]), "schedule")]
    return ", ".join(parts)


def _list(args: argparse.Namespace) -> int:
    from agent.plugins import discover

    config = load(args)
    skills = discover(config)
    spend, why = month_spend(config)
    rows = [describe(s, spend, config) for s in _everything(skills)]
    failed = [{"name": name, "state": "failed", "reason": reason}
              for name, reason in sorted(skills.failed.items())]
    if args.json:
        print_json({"skills": rows, "failed": failed, "ledger": why or "ok"})
        return 0
    table = [[r["name"], r["state"], r["tier"], _triggers(r), ",".join(r["tools"]) or "-",
              "-" if spend is None else money(spend.get(r["name"], 0))] for r in rows]
    table += [[f["name"], "failed", "-", f["reason"], "-", "-"] for f in failed]
    print_table(["name", "state", "tier", "triggers", "tools", "month"], table, right=(5,))
    if why:
        print(why, file=sys.stderr)
    return 0


def _show(args: argparse.Namespace) -> int:
    from agent.plugins import discover

    config = load(args)
    skills = discover(config)
    found = {s.name: s for s in _everything(skills)}
    if args.name in skills.failed:
        print(f"hearth: skill {args.name!r} failed to load: {skills.failed[args.name]}",
              file=sys.stderr)
        return 1
    if args.name not in found:
        near = nearest(args.name, [*found, *skills.failed])
        hint = (f"did you mean {near!r}?" if near
                else f"installed: {', '.join(sorted(found)) or 'none'}")
        print(f"hearth: no skill named {args.name!r} ({hint})", file=sys.stderr)
        return 1
    spend, why = month_spend(config)
    info = describe(found[args.name], spend, config)
    if args.json:
        print_json({**info, "ledger": why or "ok"})
        return 0
    _print_details({**info, "month_spend_micros": None if spend is None
                    else spend.get(args.name, 0)}, why)
    return 0


def _print_details(info: dict[str, Any], why: str) -> None:
    print(f"{info['name']} ({info['state']}): {info['description']}")
    print(f"  source:      {info['source']}")
    tier = info["tier"] + ("" if info["tier"] == info["declared_tier"]
                           else f" (declared {info['declared_tier']}, overridden in config)")
    print(f"  tier:        {tier}; fallback {', '.join(info['fallback']) or 'none'}")
    print(f"  cloud:       {_cloud(info)}")
    withheld = [s for s in info["cloud_scopes"] if s not in info["effective_cloud_scopes"]]
    print(f"  scopes:      {', '.join(info['cloud_scopes']) or 'none'} declared for cloud tiers"
          + (f"; not allowed by config: {', '.join(withheld)}" if withheld else "")
          + f"; policy {info['scope_policy']}")
    print(f"  limits:      timeout {info['timeout']:g} s, concurrency {info['concurrency']}")
    for name, templates in info["intents"].items():
        print(f"  intent:      {name}: {' | '.join(templates)}")
    for name in info["ha_intents"]:
        print(f"  intent:      {name} (Home Assistant)")
    for topic in info["topics"]:
        print(f"  topic:       {topic}")
    for s in info["schedules"]:
        print(f"  schedule:    {s['name']}: {s['cron']}")
    print(f"  tools:       {', '.join(info['tools']) or 'none'}")
    print(f"  config:      {_settings(info['config']) if info['config'] is not None else 'none'}")
    if info["router"]:
        print(f"  router:      {_settings(info['router'])} ([router.skills.{info['name']}])")
    spent = info["month_spend_micros"]
    print(f"  this month:  {why if spent is None else money(spent)}")


def _cloud(info: dict[str, Any]) -> str:
    """Whether this skill's calls may reach Claude, in words."""
    tiers = [info["tier"], *info["fallback"]]
    if all(t == "none" for t in tiers):
        return "not used (tier none: no model)"
    if not info["allow_cloud"]:
        return "never (allow_cloud = false)"
    paid = [t for t in tiers if t in ("fast", "deep")]
    if paid:
        return f"allowed (tier {', '.join(paid)})"
    return "allowed, only if a call escalates or falls back to a cloud tier"


def _settings(values: dict[str, Any]) -> str:
    """``allow_cloud = true, batch_size = 6``: as the keys are written in the config file."""
    return ", ".join(f"{key} = {json.dumps(value)}" for key, value in values.items()) or "none"
