"""Start-up checks on skill declarations: each one well-formed, and no two claiming one thing.

Problems are collected and reported together (one StartupError), each naming its skill, so
a broken installation is fixed in one pass rather than one restart per mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, get_args

from pydantic import BaseModel

from agent.errors import StartupError
from agent.plugins.argschema import check_schema
from agent.plugins.contract import SkillDeclaration
from agent.plugins.skillset import LoadedSkill
from agent.privacy.scopes import SCOPES, ScopePolicy
from agent.router.types import Tier
from agent.words import plural

TIERS: tuple[str, ...] = get_args(Tier)
CLOUD_TIERS = ("fast", "deep")
# "none" is the dispatcher's own "no skill fits" choice; "dispatcher" names its ledger rows.
RESERVED_NAMES = frozenset({"none", "dispatcher"})
COMMON_KEYS = frozenset({"enabled", "timeout", "concurrency"})
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_INTENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def topic_filter_problem(topic: str) -> str | None:
    """Why `topic` is not a valid MQTT subscription filter, or None when it is."""
    if not topic or "\x00" in topic:
        return "empty or contains NUL"
    levels = topic.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return "'#' must be a whole level and the last one"
        if "+" in level and level != "+":
            return "'+' must be a whole level"
    return None


def _template_problem(template: str) -> str | None:
    from hassil import parse_sentence  # light (pure Python); only needed when templates exist

    try:
        parse_sentence(template)
    except Exception as exc:  # noqa: BLE001 - hassil raises assorted parse errors; all mean "bad template"
        return f"{type(exc).__name__}: {exc}"
    return None


def _intent_problems(decl_name: str, intents: Mapping[str, Any]) -> list[str]:
    # Typed loosely on purpose: this is a third party's data, checked before it is trusted.
    problems: list[str] = []
    for intent, templates in intents.items():
        if not _INTENT.match(intent):
            problems.append(f"{decl_name}: intent name {intent!r} is not an identifier")
        if isinstance(templates, str) or not templates:
            problems.append(f"{decl_name}: intent {intent!r} needs a tuple of sentence templates")
            continue
        for template in templates:
            reason = _template_problem(template)
            if reason:
                problems.append(f"{decl_name}: intent {intent!r} template {template!r}: {reason}")
    return problems


def _name_and_tier_problems(d: SkillDeclaration, n: str) -> list[str]:
    problems: list[str] = []
    if not isinstance(d.name, str) or not _NAME.match(d.name):
        problems.append(f"{n}: name must match {_NAME.pattern}")
    elif d.name in RESERVED_NAMES:
        problems.append(f"{n}: the name {d.name!r} is reserved")
    if not d.description.strip():
        problems.append(f"{n}: description is empty (the local dispatcher chooses by it)")
    for tier in (d.tier, *d.fallback):
        if tier not in TIERS:
            problems.append(f"{n}: unknown tier {tier!r} (tiers are {', '.join(TIERS)})")
    if d.tier in d.fallback:
        problems.append(f"{n}: fallback lists the skill's own tier {d.tier!r}")
    cloud = [t for t in (d.tier, *d.fallback) if t in CLOUD_TIERS]
    if not d.allow_cloud and cloud:
        problems.append(f"{n}: allow_cloud is false but it uses cloud tier(s) {cloud}")
    return problems


def _trigger_problems(d: SkillDeclaration, n: str) -> list[str]:
    problems: list[str] = []
    for topic in d.topics:
        reason = topic_filter_problem(topic)
        if reason:
            problems.append(f"{n}: topic {topic!r}: {reason}")
    for topic in d.publishes:
        # `{prefix}` is filled in from [mqtt] prefix when the publisher is built.
        reason = topic_filter_problem(topic.replace("{prefix}", "hearth"))
        if reason:
            problems.append(f"{n}: publishes {topic!r}: {reason}")
    for spec in d.schedules:
        if len(spec.cron.split()) != 5:
            problems.append(f"{n}: schedule {spec.name!r}: cron {spec.cron!r} needs five fields")
        if spec.catch_up_until is not None and not _HHMM.match(spec.catch_up_until):
            problems.append(f"{n}: schedule {spec.name!r}: catch_up_until must be HH:MM")
    return problems + _intent_problems(n, d.intents)


def _schema_problems(d: SkillDeclaration, n: str) -> list[str]:
    problems: list[str] = []
    config_schema: Any = d.config_schema
    if config_schema is not None:
        if not (isinstance(config_schema, type) and issubclass(config_schema, BaseModel)):
            problems.append(f"{n}: config_schema must be a pydantic model class")
        else:
            clash = sorted(COMMON_KEYS & set(config_schema.model_fields))
            if clash:
                problems.append(f"{n}: config_schema redefines common key(s) {clash}")
    if d.arguments_schema is not None:
        problems += [f"{n}: {p}" for p in check_schema(d.arguments_schema)]
        if d.arguments_schema.get("type") != "object":
            problems.append(f"{n}: arguments_schema must have type 'object'")
    return problems


def scope_problems(d: SkillDeclaration) -> list[str]:
    """Problems with what a declaration says may leave the house, as config problems with
    dotted paths (`hearth config check` exits 78 on them): unknown scopes or policy, empty
    cues."""
    n = f"skills.{d.name}"
    problems: list[str] = []
    scopes: Any = d.cloud_scopes
    if isinstance(scopes, str):
        problems.append(f"{n}.cloud_scopes: must be a tuple of scope names, not a string")
        scopes = ()
    for i, scope in enumerate(scopes):
        if scope not in SCOPES:
            problems.append(f"{n}.cloud_scopes[{i}]: unknown scope {scope!r} "
                            f"(scopes are {', '.join(SCOPES)})")
    if d.scope_policy not in get_args(ScopePolicy):
        problems.append(f"{n}.scope_policy: unknown policy {d.scope_policy!r} "
                        f"(policies are {', '.join(get_args(ScopePolicy))})")
    for i, cue in enumerate(d.cues):
        if not isinstance(cue, str) or not cue.strip():
            problems.append(f"{n}.cues[{i}]: a cue must be a non-empty phrase")
    return problems


def declaration_problems(loaded: LoadedSkill) -> list[str]:
    """Every problem with one skill's declaration, each prefixed by the skill's name."""
    d = loaded.declaration
    n = d.name if isinstance(d.name, str) else repr(d.name)
    problems = _name_and_tier_problems(d, n) + _trigger_problems(d, n) + _schema_problems(d, n)
    if d.off_without_key and loaded.skill.setup is None:
        # Only a setup hook can switch the skill off; a bare handler would run and fail.
        problems.append(f"{n}: off_without_key needs a setup hook (Skill(declaration, "
                        "setup=...)) that returns None without a key")
    return problems


def _claims(loaded: Iterable[LoadedSkill]) -> list[str]:
    problems: list[str] = []
    topic_owner: dict[str, str] = {}
    intent_owner: dict[str, str] = {}
    for item in loaded:
        d = item.declaration
        for topic in dict.fromkeys(d.topics):
            if topic in topic_owner:
                problems.append(
                    f"topic {topic!r} is subscribed by both {topic_owner[topic]!r} and {d.name!r}"
                )
            else:
                topic_owner[topic] = d.name
        for intent in dict.fromkeys((*d.intents, *d.ha_intents)):
            if intent in intent_owner:
                problems.append(
                    f"intent {intent!r} is claimed by both {intent_owner[intent]!r} and {d.name!r}"
                )
            else:
                intent_owner[intent] = d.name
    return problems


def check_skills(everything: Iterable[LoadedSkill]) -> None:
    """Raise StartupError listing every bad declaration and every duplicate claim.

    Names must be unique across all installed skills (a config section could not say which
    one it means); topics and intents only among enabled ones, so disabling one of two
    clashing skills is a way out.
    """
    items = list(everything)
    problems = [p for item in items for p in declaration_problems(item)]
    seen: dict[str, LoadedSkill] = {}
    for item in items:
        first = seen.get(item.name)
        if first is not None:
            problems.append(
                f"skill name {item.name!r} is declared twice: by {first.source} and by {item.source}"
            )
        else:
            seen[item.name] = item
    problems += _claims(item for item in items if item.enabled)
    if problems:
        detail = "".join(f"\n  {p}" for p in problems)
        raise StartupError(f"{plural(len(problems), 'problem')} with the installed skills:{detail}")
