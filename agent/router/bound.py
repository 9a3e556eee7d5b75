"""One skill's view of the router (agent.plugins.contract.SkillRouter)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from agent.errors import ModelRequestRejected, ToolNotGranted
from agent.privacy.scopes import ScopePolicy
from agent.router.planning import RANK
from agent.router.types import ModelRequest, ModelResponse, Tier, ToolSpec

if TYPE_CHECKING:
    from agent.router.core import Router


class BoundRouter:
    """One skill's view of the router: its name, tier ceiling, cloud policy and tool grant."""

    def __init__(self, router: Router, skill: str, *, tier: Tier, allow_cloud: bool,
                 fallback: tuple[Tier, ...], tools: dict[str, ToolSpec],
                 cloud_scopes: tuple[str, ...] | None = None,
                 scope_policy: ScopePolicy = "refuse") -> None:
        self._router = router
        self.skill = skill
        self.tier = tier
        self.allow_cloud = allow_cloud
        self.fallback = fallback
        self.tools = tools
        self.cloud_scopes = cloud_scopes
        self.scope_policy: ScopePolicy = scope_policy

    async def complete(self, request: ModelRequest, tier: Tier | None = None) -> ModelResponse:
        """Run `request` as this skill, on its tier or a lower one it names."""
        chosen = tier or self.tier
        if RANK[chosen] > RANK[self.tier]:
            raise ModelRequestRejected(f"skill {self.skill!r} declared tier {self.tier!r}; "
                                       f"it cannot ask for {chosen!r}")
        tools = []
        for spec in request.tools:
            granted = self.tools.get(spec.name)
            if granted is None:
                raise ToolNotGranted(spec.name, self.skill)
            tools.append(granted)  # the handler registered at start-up, not the request's
        bound = replace(request, skill=self.skill, tools=tuple(tools),
                        allow_cloud=request.allow_cloud and self.allow_cloud)
        # Fallback and escalation stay on what the skill declared (the router adds what
        # `[router.skills.<name>] tiers` allows): a cheap skill never turns into a deep one.
        declared = frozenset({self.tier, chosen, *self.fallback})
        return await self._router.route(bound, chosen, fallback=self.fallback or None,
                                        allowed=declared, cloud_scopes=self.cloud_scopes,
                                        scope_policy=self.scope_policy)
