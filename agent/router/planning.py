"""Which tiers a request may use, in which order: shared by `complete` and `--dry-run`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.config.root import HearthConfig
from agent.errors import ModelRequestRejected, PriceUnknown
from agent.router.backend import CallSpec
from agent.router.tokens import prompt_token_bound
from agent.router.types import ModelRequest, PlanStep, RoutePlan, Tier

if TYPE_CHECKING:
    from agent.ledger import Ledger

RANK: dict[str, int] = {"none": 0, "local": 1, "fast": 2, "deep": 3}
ESCALATION_ORDER: tuple[Tier, ...] = ("local", "fast", "deep")


def is_cloud(config: HearthConfig, tier: str) -> bool:
    """True when `tier` is served by a paid cloud backend."""
    section = config.tiers.get(tier)
    return section is not None and section.backend == "anthropic"


def tier_chain(config: HearthConfig, tier: Tier, *, allow_cloud: bool,
               fallback: tuple[Tier, ...] | None = None,
               allowed: frozenset[str] | None = None) -> list[Tier]:
    """`tier`, then its fallbacks (`fallback`, else `tiers.<tier>.fallback`), minus tiers that
    are not configured, are cloud tiers when cloud is forbidden, or are outside `allowed`
    (None: any tier)."""
    if tier not in config.tiers:
        raise ModelRequestRejected(f"tier {tier!r} is not configured")
    if not allow_cloud and is_cloud(config, tier):
        raise ModelRequestRejected(f"tier {tier!r} is a cloud tier and this request may not "
                                   "use the cloud")
    order = fallback if fallback is not None else config.tiers[tier].fallback
    chain: list[Tier] = [tier]
    for step in order:
        if step in config.tiers and step not in chain and (allow_cloud or
                                                           not is_cloud(config, step)) \
                and (allowed is None or step in allowed):
            chain.append(step)
    return chain


def escalation_target(config: HearthConfig, tier: Tier, *, allow_cloud: bool,
                      allowed: frozenset[str] | None = None) -> Tier | None:
    """The next tier up that is configured, permitted by the cloud policy and in `allowed`
    (None: any tier); None at the top."""
    if tier not in ESCALATION_ORDER:
        return None
    for up in ESCALATION_ORDER[ESCALATION_ORDER.index(tier) + 1:]:
        if up in config.tiers and (allow_cloud or not is_cloud(config, up)) and (
                allowed is None or up in allowed):
            return up
    return None


def _step(config: HearthConfig, ledger: Ledger, request: ModelRequest, tier: Tier, *,
          role: str, prompt_tokens: int, halted: str | None, has_key: bool) -> PlanStep:
    section = config.tiers[tier]
    route = config.router.skills.get(request.skill)
    model = (route.models.get(tier) if route else None) or section.model
    max_tokens = request.max_tokens or section.max_tokens
    amount, note = 0, ""
    if section.backend == "anthropic":
        if not has_key:
            note = "skipped: no Anthropic API key configured"
        elif halted:
            note = f"skipped: {halted}"
        try:
            amount = ledger.prices.worst_case(model, prompt_tokens, max_tokens,
                                              batch=request.batch)
        except PriceUnknown:
            note = note or f"refused: no price for {model!r}"
    return PlanStep(tier=tier, backend=section.backend, model=model, max_tokens=max_tokens,
                    reservation_micros=amount, role=role, note=note)  # type: ignore[arg-type]


def build_plan(config: HearthConfig, ledger: Ledger, request: ModelRequest, tier: Tier, *,
               halted: str | None, has_key: bool) -> RoutePlan:
    """The route `complete` would take for `request`, with worst-case reservations."""
    route = config.router.skills.get(request.skill)
    allow_cloud = request.allow_cloud and not (route and route.allow_cloud is False)
    tier = (route.tier if route and route.tier else tier)
    if tier == "none":
        return RoutePlan(request.skill, tier, 0, request.cache_ttl or config.router.cache_ttl,
                         allow_cloud, ())
    chain = tier_chain(config, tier, allow_cloud=allow_cloud)
    ttl = request.cache_ttl or (route.cache_ttl if route else None) or config.router.cache_ttl
    probe = CallSpec(model="", max_tokens=0, system=request.system, tools=tuple(request.tools),
                     output_schema=request.output_schema, cache_ttl=ttl, effort=None,
                     thinking=False, timeout=0)
    # The conversation as the Claude adapter sends it, so the plan shows the real bound.
    prompt = prompt_token_bound(probe, [{"role": m.role, "content": [{"type": "text",
                                                                      "text": m.content}]}
                                        for m in request.messages])
    steps = [_step(config, ledger, request, t, role="requested" if n == 0 else "fallback",
                   prompt_tokens=prompt, halted=halted, has_key=has_key)
             for n, t in enumerate(chain)]
    up = escalation_target(config, tier, allow_cloud=allow_cloud)
    if up is not None and (request.validator is not None or request.output_schema is not None):
        steps.append(_step(config, ledger, request, up, role="escalation", prompt_tokens=prompt,
                           halted=halted, has_key=has_key))
    return RoutePlan(request.skill, tier, prompt, ttl, allow_cloud, tuple(steps))
