"""Admitting a request to a cloud tier: only the data scopes that tier may see leave the house.

Allowed on a cloud tier: what the skill declared ∩ `[privacy] cloud_scopes` ∩
`[router.skills.<name>] cloud_scopes`. What a request carrying anything else does is the
skill's scope policy:

- drop:   remove the optional context parts, the earlier turns and the tools that carry a
          disallowed scope; refuse when a required part or the messages themselves still do
- local:  raise ScopeNotAllowed, so the router moves on to the local tier
- refuse: raise PrivacyRefused, naming the skill, the tier, the scopes and the key to change

Local tiers are never restricted. Each step of a chain is admitted from the original request,
so a fallback from a cloud tier to the local one gets the full context back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from agent.errors import PrivacyRefused, ScopeNotAllowed
from agent.privacy.scopes import ALL_SCOPES

if TYPE_CHECKING:  # the router sits above privacy: its types are only named here
    from agent.config.root import HearthConfig
    from agent.config.scopes import ScopePolicy
    from agent.router.types import ModelRequest


def cloud_policy(config: HearthConfig, skill: str, declared: Iterable[str] | None = None,
                 policy: ScopePolicy = "refuse") -> tuple[frozenset[str], ScopePolicy]:
    """The scopes `skill` may send to a cloud tier and what happens to others, after the
    config: declared (None: any) ∩ `[privacy] cloud_scopes` ∩ `[router.skills.<name>]
    cloud_scopes`; the policy is `[router.skills.<name>] on_scope`, else the declared one."""
    allowed = frozenset(ALL_SCOPES if declared is None else declared)
    allowed &= frozenset(config.privacy.cloud_scopes)
    route = config.router.skills.get(skill)
    if route is not None and route.cloud_scopes is not None:
        allowed &= frozenset(route.cloud_scopes)
    if route is not None and route.on_scope is not None:
        policy = route.on_scope
    return allowed, policy


def carried(request: ModelRequest) -> frozenset[str]:
    """Every scope the request could send: its messages, context, earlier turns, tools."""
    scopes = set(request.scopes)
    for part in request.context:
        scopes |= part.scopes
    if request.earlier:
        scopes.add("conversation")
    for tool in request.tools:
        scopes |= tool.scopes
    return frozenset(scopes)


def sent(request: ModelRequest) -> frozenset[str]:
    """The scopes in the request's text before any tool runs (tools add theirs when called)."""
    scopes = set(request.scopes)
    for part in request.context:
        scopes |= part.scopes
    if request.earlier:
        scopes.add("conversation")
    return frozenset(scopes)


def tainted(request: ModelRequest) -> bool:
    """True when untrusted text (feed text, another skill's output) is in the request."""
    return request.earlier_untrusted or any(p.untrusted for p in request.context)


def _names(scopes: Iterable[str]) -> str:
    return ", ".join(sorted(scopes))


def admit(request: ModelRequest, *, allowed: frozenset[str], policy: ScopePolicy,
          tier: str = "cloud") -> tuple[ModelRequest, frozenset[str]]:
    """The request as it may go to a cloud tier, and the scopes withheld from it."""
    before = carried(request)
    disallowed = before - allowed
    if not disallowed:
        return request, frozenset()
    if policy == "local":
        raise ScopeNotAllowed(f"skill {request.skill!r} may not send {_names(disallowed)} to "
                              f"the {tier} tier; trying the local tier", backend="privacy")
    if policy == "drop":
        kept = replace(
            request,
            context=tuple(p for p in request.context if not (p.optional and p.scopes - allowed)),
            earlier=request.earlier if "conversation" in allowed else (),
            earlier_untrusted=request.earlier_untrusted and "conversation" in allowed,
            tools=tuple(t for t in request.tools if not t.scopes - allowed))
        still = carried(kept) - allowed
        if not still:
            return kept, before - carried(kept)
        disallowed = still
    raise PrivacyRefused(
        f"skill {request.skill!r}: not sent to the {tier} tier, it would carry "
        f"{_names(disallowed)}; allow them in [privacy] cloud_scopes (and "
        f"[router.skills.{request.skill}] cloud_scopes if set), or keep the skill local "
        f"([router.skills.{request.skill}] on_scope = \"local\")", backend="privacy")
