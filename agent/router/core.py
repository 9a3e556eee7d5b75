"""The router: the right tier for each piece of work, falling back, escalating, within budget.

    complete(request, tier)
      -> tiers to try: the tier, then its `tiers.<t>.fallback` list (cloud tiers only when
         the skill allows cloud)
      -> per tier: the tool loop, each model call through AttemptRunner (reserve, call,
         settle/release, retries)
      -> a tier down (Ollama unreachable, model not pulled, retries exhausted) or refused
         (budget, unknown price, paid calls halted) -> the next tier; an answer on a cheaper
         tier than asked is marked degraded (Outcome.DEGRADED on its row)
      -> the answer fails the request's schema or validator -> one tier up, once; the first
         row is Outcome.ESCALATED

The Anthropic adapter is built on the first cloud call: importing the SDK costs ~80 MB and
over a second, and many households run all day on the local tier.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from agent.config.models import TierSection
from agent.config.root import HearthConfig
from agent.credentials import ApiKey
from agent.errors import (
    BudgetExceeded,
    ModelAuthFailed,
    ModelError,
    ModelRequestRejected,
    ModelResponseInvalid,
    ModelUnavailable,
    PaymentRequired,
    PriceUnknown,
)
from agent.ledger import Ledger
from agent.ledger.types import CallRecord, Outcome, Usage
from agent.router.attempts import AttemptRunner, Target, Trail
from agent.router.backend import Backend, BackendReply, CallSpec, OnText
from agent.router.bound import BoundRouter
from agent.router.ollama_backend import OllamaBackend
from agent.router.planning import RANK, build_plan, escalation_target, tier_chain
from agent.router.tools import run_tools
from agent.router.types import (
    BackendHealth,
    ModelRequest,
    ModelResponse,
    RoutePlan,
    Tier,
    ToolCall,
    ToolSpec,
)
from agent.router.verdict import Verdict

log = logging.getLogger(__name__)

# Errors after which the next tier in the fallback list is tried.
FALLBACK_ERRORS = (ModelUnavailable, BudgetExceeded, PriceUnknown, PaymentRequired,
                   ModelAuthFailed)


@dataclass
class _TierResult:
    response: ModelResponse | None
    invalid: ModelResponseInvalid | None


class Router:
    """Routes model work to tiers and backends; see the module docstring."""

    def __init__(self, config: HearthConfig, ledger: Ledger, *, api_key: ApiKey | None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._config = config
        self._ledger = ledger
        self._api_key = api_key
        self._clock = clock or (lambda: datetime.now(UTC))
        self._ollama = OllamaBackend(config.ollama)
        self._anthropic: Backend | None = None
        self._attempts = AttemptRunner(config, ledger, self._clock)

    # -- backends ----------------------------------------------------------------------

    def _backend(self, tier: TierSection) -> Backend:
        if tier.backend == "ollama":
            return self._ollama
        if self._anthropic is None:
            if self._api_key is None:
                raise ModelUnavailable("no Anthropic API key is configured; cloud tiers are off",
                                       backend="anthropic")
            from agent.router.anthropic_backend import AnthropicBackend

            self._anthropic = AnthropicBackend(self._config.anthropic, self._api_key)
        return self._anthropic

    def _spec(self, request: ModelRequest, skill_tier: Tier, tier: TierSection,
              remaining: float) -> CallSpec:
        route = self._config.router.skills.get(request.skill)
        model = (route.models.get(skill_tier) if route else None) or tier.model
        ttl = request.cache_ttl or (route.cache_ttl if route else None) or \
            self._config.router.cache_ttl
        timeout = self._config.anthropic.timeout if tier.backend == "anthropic" else \
            self._config.ollama.timeout
        return CallSpec(model=model, max_tokens=request.max_tokens or tier.max_tokens,
                        system=request.system, tools=tuple(request.tools),
                        output_schema=request.output_schema, cache_ttl=ttl, effort=tier.effort,
                        thinking=tier.thinking, timeout=min(timeout, remaining))

    # -- public API --------------------------------------------------------------------

    async def complete(self, request: ModelRequest, tier: Tier) -> ModelResponse:
        """Answer `request` on `tier` (or its fallbacks). Raises hearth errors only."""
        return await self.route(request, tier)

    async def stream(self, request: ModelRequest, tier: Tier) -> AsyncIterator[str | ModelResponse]:
        """Text pieces as they arrive, then the final ModelResponse.

        A failed attempt that is retried or falls back may have streamed some text already;
        the final response holds the authoritative answer.
        """
        queue: asyncio.Queue[str] = asyncio.Queue()

        async def on_text(piece: str) -> None:
            await queue.put(piece)

        task = asyncio.create_task(self.route(request, tier, on_text=on_text),
                                   name=f"router-stream-{request.skill}")
        try:
            while not (task.done() and queue.empty()):
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                else:
                    getter.cancel()
            yield task.result()
        finally:
            if not task.done():
                task.cancel()

    def plan(self, request: ModelRequest, tier: Tier) -> RoutePlan:
        """The tiers `complete` would try and the reservation each would make; no call."""
        return build_plan(self._config, self._ledger, request, tier,
                          halted=self._attempts.halted, has_key=self._api_key is not None)

    async def record_none(self, *, skill: str, trigger: str, latency_ms: int) -> str:
        """Put a tier-none piece of work (answered by code, no model) on the ledger; its id."""
        record = CallRecord(skill=skill, trigger=trigger, tier_requested="none",
                            tier_used="none", backend="none", model_requested="",
                            model_used="", usage=Usage(), outcome=Outcome.OK,
                            latency_ms=latency_ms)
        entry = await self._ledger.settle(None, record)
        return entry.id

    async def health(self) -> BackendHealth:
        """Is Ollama up with the local model pulled, is a key present? Makes no paid call."""
        problems: list[str] = []
        local = self._config.tiers.get("local")
        local_model = local.model if local is not None and local.backend == "ollama" else None
        try:
            models = tuple(await asyncio.wait_for(self._ollama.models(), timeout=5))
            reachable = True
        except (ModelError, TimeoutError) as exc:
            models, reachable = (), False
            problems.append(f"ollama: {exc or 'timed out'}")
        full = {m if ":" in m else f"{m}:latest" for m in models}
        pulled = local_model is not None and (
            local_model if ":" in local_model else f"{local_model}:latest") in full
        if reachable and local_model is not None and not pulled:
            problems.append(f"ollama: model {local_model!r} is not pulled "
                            f"(run: ollama pull {local_model})")
        if self._api_key is None:
            problems.append("anthropic: no API key configured; cloud tiers are off")
        halted = self._attempts.halted
        if halted:
            problems.append(f"anthropic: {halted}")
        return BackendHealth(ollama_reachable=reachable, ollama_models=models,
                             local_model=local_model, local_model_pulled=pulled,
                             anthropic_key_present=self._api_key is not None,
                             anthropic_halted=halted, problems=tuple(problems))

    def bind(self, skill: str, *, tier: Tier, allow_cloud: bool, fallback: tuple[Tier, ...] = (),
             tools: Mapping[str, ToolSpec] | None = None) -> BoundRouter:
        """The router as one skill sees it (agent.plugins.contract.SkillRouter)."""
        return BoundRouter(self, skill, tier=tier, allow_cloud=allow_cloud, fallback=fallback,
                           tools=dict(tools or {}))

    async def aclose(self) -> None:
        """Close the SDK clients."""
        await self._ollama.aclose()
        if self._anthropic is not None:
            await self._anthropic.aclose()

    # -- the routing -------------------------------------------------------------------

    async def route(self, request: ModelRequest, tier: Tier, *,
                    fallback: tuple[Tier, ...] | None = None,
                    allowed: frozenset[str] | None = None,
                    on_text: OnText | None = None) -> ModelResponse:
        """`complete` with the knobs bound routers and streaming need: a fallback list that
        replaces `tiers.<tier>.fallback`, the tiers a skill declared (fallback and escalation
        stay within them plus `[router.skills.<name>] tiers`; None: any), and a callback for
        text as it arrives."""
        route = self._config.router.skills.get(request.skill)
        if route is not None:
            tier = route.tier or tier
            if route.allow_cloud is False:
                request = replace(request, allow_cloud=False)
            if allowed is not None:
                allowed = allowed | set(route.tiers) | {tier}
        if tier == "none":
            raise ModelRequestRejected("tier 'none' makes no model call; use record_none")
        chain = tier_chain(self._config, tier, allow_cloud=request.allow_cloud,
                           fallback=fallback, allowed=allowed)
        trail = Trail(skill=request.skill, trigger=request.trigger, tier_requested=tier,
                      deadline=time.monotonic() + self._config.router.deadline,
                      prompt_text=_prompt_text(request))
        first_error: Exception | None = None
        for step in chain:
            up = escalation_target(self._config, step, allow_cloud=request.allow_cloud,
                                   allowed=allowed)
            try:
                result = await self._run_tier(request, tier, step, trail, on_text,
                                              can_escalate=up is not None)
            except FALLBACK_ERRORS as err:
                first_error = first_error or err
                log.warning("skill %s: tier %s unavailable (%s)%s", request.skill, step, err,
                            "; trying the next tier" if step != chain[-1] else "")
                continue
            if result.invalid is None:
                assert result.response is not None
                return self._finish(result.response, trail)
            assert up is not None
            log.warning("skill %s: %s answer failed validation (%s); escalating to %s",
                        request.skill, step, result.invalid, up)
            try:
                escalated = await self._run_tier(request, tier, up, trail, on_text,
                                                 can_escalate=False)
            except FALLBACK_ERRORS as err:
                raise ModelResponseInvalid(f"{result.invalid}; escalation to {up} failed: {err}",
                                           backend=result.invalid.backend) from err
            if escalated.invalid is not None:
                raise escalated.invalid
            assert escalated.response is not None
            return self._finish(replace(escalated.response, escalated=True), trail)
        if not request.allow_cloud:
            raise ModelUnavailable(f"the local tier is unavailable and skill {request.skill!r} "
                                   f"may not use the cloud: {first_error}", backend="ollama")
        assert first_error is not None
        raise first_error

    def _finish(self, response: ModelResponse, trail: Trail) -> ModelResponse:
        others = tuple(i for i in trail.ledger_ids if i != response.ledger_id)
        return replace(response, cost_micros=trail.cost_micros, extra_ledger_ids=others)

    async def _run_tier(self, request: ModelRequest, tier_requested: Tier, tier: Tier,
                        trail: Trail, on_text: OnText | None, *,
                        can_escalate: bool) -> _TierResult:
        section = self._config.tiers[tier]
        backend = self._backend(section)
        remaining = max(0.001, trail.deadline - time.monotonic())
        spec = self._spec(request, tier, section, remaining)
        target = Target(tier, backend, spec)
        degraded = RANK[tier] < RANK[tier_requested]
        ok = Outcome.DEGRADED if degraded else Outcome.OK
        conversation = backend.conversation(request)
        granted = {t.name: t for t in request.tools}
        calls: list[ToolCall] = []
        usage = Usage()
        started = time.monotonic()
        limit = self._config.router.max_tool_iterations
        verdict = Verdict(request, backend.name, limit, can_escalate, lambda reply, parsed:
                          self._response(reply, tier_requested=tier_requested, tier=tier,
                                         backend=backend, parsed=parsed, calls=calls,
                                         degraded=degraded, latency_ms=0))
        for iteration in range(limit + 1):
            verdict.iteration = iteration
            try:
                reply, problem = await self._attempts.run(trail, target, conversation, verdict,
                                                          outcome_ok=ok, on_text=on_text)
            except (BudgetExceeded, PriceUnknown) as err:
                await self._attempts.refused(trail, target, err)
                raise
            usage = _add(usage, reply.usage)
            if problem is not None:
                if not can_escalate:
                    raise problem
                return _TierResult(None, problem)
            if not reply.tool_calls:
                latency = int((time.monotonic() - started) * 1000)
                response = self._response(reply, tier_requested=tier_requested, tier=tier,
                                          backend=backend, parsed=verdict.parsed,
                                          calls=calls, degraded=degraded, latency_ms=latency)
                return _TierResult(replace(response, usage=usage,
                                           ledger_id=trail.ledger_ids[-1]), None)
            results, ran = await run_tools(request.skill, reply.tool_calls, granted)
            calls.extend(ran)
            conversation.extend(backend.tool_turns(reply, results))
        raise ModelResponseInvalid("tool loop ended without an answer", backend=backend.name)

    def _response(self, reply: BackendReply, *, tier_requested: Tier, tier: Tier,
                  backend: Backend, parsed: Any, calls: list[ToolCall], degraded: bool,
                  latency_ms: int) -> ModelResponse:
        return ModelResponse(text=reply.text, tier_requested=tier_requested, tier_used=tier,
                             backend=backend.name, model=reply.model_used, usage=reply.usage,
                             cost_micros=0, ledger_id="", parsed=parsed, tool_calls=tuple(calls),
                             degraded=degraded, latency_ms=latency_ms)


def _add(a: Usage, b: Usage) -> Usage:
    thinking = None if a.thinking_tokens is None and b.thinking_tokens is None else \
        (a.thinking_tokens or 0) + (b.thinking_tokens or 0)
    return Usage(input_tokens=a.input_tokens + b.input_tokens,
                 output_tokens=a.output_tokens + b.output_tokens,
                 cache_read_tokens=a.cache_read_tokens + b.cache_read_tokens,
                 cache_write_5m_tokens=a.cache_write_5m_tokens + b.cache_write_5m_tokens,
                 cache_write_1h_tokens=a.cache_write_1h_tokens + b.cache_write_1h_tokens,
                 thinking_tokens=thinking, batch=a.batch or b.batch,
                 inference_seconds=a.inference_seconds + b.inference_seconds,
                 raw=b.raw)


def _prompt_text(request: ModelRequest) -> str:
    return "\n".join(f"{m.role}: {m.content}" for m in request.messages)


__all__ = ["Router"]
