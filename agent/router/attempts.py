"""One model call, made safely: reserve -> call -> settle or release, retried within a deadline.

Every attempt has its own reservation and its own ledger row, so a retry is never charged
twice and never goes unrecorded:

- the call answered            -> settle at the reported usage (outcome from the judge)
- refused before sending (connect refused, 4xx, 429/529 with no tokens) -> release, cost 0
- may have been billed (timeout after sending, a stream cut mid-way, an unreadable 200)
                               -> settle as UNKNOWN: the reservation counts as spent

429, 529, 5xx and timeouts are retried with exponential backoff and jitter, honouring the
server's retry-after, while the request's deadline allows. A call that may have been billed
is sent again at most ``router.max_unknown_retries`` times per request (fallback tiers
included): a hanging upstream must not be paid for max_attempts times. A 402 stops paid calls until
the next budget day (or a restart); a refused key (401, or OAuth wording) until a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from agent.backoff import backoff
from agent.config.root import HearthConfig
from agent.errors import (
    ModelAuthFailed,
    ModelError,
    ModelResponseInvalid,
    ModelUnavailable,
    PaymentRequired,
)
from agent.ledger import Ledger, LedgerEntry
from agent.ledger.types import CallRecord, Outcome, Reservation, Usage
from agent.router.backend import Backend, BackendReply, CallSpec, OnText
from agent.router.tokens import prompt_token_bound
from agent.words import money, plural

log = logging.getLogger(__name__)

# The judge looks at an answer before it is settled: its ledger outcome, and a problem
# (a failed validation) the caller must act on.
Judge = Callable[[BackendReply], tuple[Outcome, ModelResponseInvalid | None]]


@dataclass
class Trail:
    """Everything one `Router.complete` put on the ledger, in order."""

    skill: str
    trigger: str
    tier_requested: str
    deadline: float                       # time.monotonic() value
    prompt_text: str | None = None        # stored only when ledger.store_prompts is on
    ledger_ids: list[str] = field(default_factory=list)
    cost_micros: int = 0
    unknown: int = 0                      # paid calls sent that got no answer

    def add(self, entry: LedgerEntry) -> None:
        """Remember a row this request wrote."""
        self.ledger_ids.append(entry.id)
        self.cost_micros += entry.cost_micros


@dataclass(frozen=True)
class Target:
    """Where one call goes: the tier, its backend, and the call's spec."""

    tier: str
    backend: Backend
    spec: CallSpec
    scopes: frozenset[str] = frozenset()   # the data scopes this call's conversation carries


@dataclass(frozen=True)
class _Halt:
    error: type[ModelError]
    reason: str
    until: datetime | None      # None: until hearth restarts


class AttemptRunner:
    """Runs single model calls for the router; owns the paid-call semaphore and halts."""

    def __init__(self, config: HearthConfig, ledger: Ledger,
                 clock: Callable[[], datetime]) -> None:
        self._config = config
        self._ledger = ledger
        self._clock = clock
        self._paid = asyncio.Semaphore(config.anthropic.max_concurrency)
        self._halt: _Halt | None = None
        # The last paid call that reached the Claude API: when, and whether it was accepted.
        self.last_paid: tuple[datetime, bool] | None = None

    @property
    def halted(self) -> str | None:
        """Why paid calls are stopped, or None."""
        halt = self._halt
        if halt is None or (halt.until is not None and self._clock() >= halt.until):
            return None
        return halt.reason

    def _check_halt(self) -> None:
        reason = self.halted
        if reason is not None and self._halt is not None:
            raise self._halt.error(f"paid calls are stopped: {reason}", backend="anthropic")

    def _note_halt(self, err: ModelError) -> None:
        if isinstance(err, PaymentRequired):
            zone = self._config.hearth.zone
            local = self._clock().astimezone(zone)
            midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                           microsecond=0)
            self._halt = _Halt(PaymentRequired, f"the Claude API answered 402 ({err}); "
                               "until the next budget day or a restart", midnight)
        elif isinstance(err, ModelAuthFailed) and (err.status == 401 or "OAuth" in str(err)):
            self._halt = _Halt(ModelAuthFailed, f"the Claude API refused the key ({err}); "
                               "until hearth restarts with a valid key", None)
        else:
            return
        log.error("stopping paid calls: %s", self._halt.reason)

    def _record(self, trail: Trail, target: Target, *, usage: Usage, outcome: Outcome,
                latency_ms: int, model_used: str = "",
                error: BaseException | None = None, request_bytes: int = 0) -> CallRecord:
        return CallRecord(
            skill=trail.skill, trigger=trail.trigger, tier_requested=trail.tier_requested,
            tier_used=target.tier, backend=target.backend.name,
            model_requested=target.spec.model,
            model_used=model_used, usage=usage, outcome=outcome, latency_ms=latency_ms,
            error_class=type(error).__name__ if error is not None else None,
            prompt=trail.prompt_text if self._config.ledger.store_prompts else None,
            scopes=tuple(sorted(target.scopes)), request_bytes=request_bytes)

    def _log(self, record: CallRecord, entry: LedgerEntry) -> None:
        u = record.usage
        log.info("model call skill=%s tier=%s model=%s in=%d out=%d cached=%d cost=%s "
                 "ms=%d ledger=%s outcome=%s", record.skill, record.tier_used,
                 record.model_used or record.model_requested, u.prompt_tokens, u.output_tokens,
                 u.cache_read_tokens, money(entry.cost_micros), record.latency_ms, entry.id,
                 record.outcome.value)

    async def refused(self, trail: Trail, target: Target, error: BaseException) -> None:
        """Record a call that was never sent (budget, unknown price, halted): cost 0."""
        record = self._record(trail, target, usage=Usage(), outcome=Outcome.REFUSED,
                              latency_ms=0, error=error)
        entry = await self._ledger.settle(None, record)
        trail.add(entry)
        self._log(record, entry)

    async def refused_scopes(self, trail: Trail, tier: str, *, backend: str, model: str,
                             error: BaseException, scopes: frozenset[str]) -> None:
        """Record a cloud call never sent because of its data scopes: cost 0, 0 bytes."""
        record = CallRecord(
            skill=trail.skill, trigger=trail.trigger, tier_requested=trail.tier_requested,
            tier_used=tier, backend=backend, model_requested=model, model_used="",
            usage=Usage(), outcome=Outcome.REFUSED, latency_ms=0,
            error_class=type(error).__name__, scopes=tuple(sorted(scopes)))
        entry = await self._ledger.settle(None, record)
        trail.add(entry)
        self._log(record, entry)

    async def run(self, trail: Trail, target: Target, conversation: list[object], judge: Judge,
                  *, outcome_ok: Outcome, on_text: OnText | None = None
                  ) -> tuple[BackendReply, ModelResponseInvalid | None]:
        """Make the call, retrying what may be retried. Raises hearth errors only."""
        tier, backend, spec = target.tier, target.backend, target.spec
        paid = backend.name == "anthropic"
        attempt = 0
        while True:
            attempt += 1
            remaining = trail.deadline - time.monotonic()
            if remaining <= 0:
                raise ModelUnavailable("the request's deadline passed", backend=backend.name)
            reservation: Reservation | None = None
            if paid:
                self._check_halt()
                await self._check_unknown(trail, target)
                reservation = await self._ledger.reserve(
                    skill=trail.skill, tier=tier, backend=backend.name, model=spec.model,
                    prompt_tokens=prompt_token_bound(spec, conversation),
                    max_tokens=spec.max_tokens)
            started = time.monotonic()
            try:
                async with self._paid if paid else contextlib.nullcontext():
                    # Measured again: waiting for the semaphore used some of the deadline.
                    left = max(0.001, trail.deadline - time.monotonic())
                    reply = await backend.send(replace(spec, timeout=min(spec.timeout, left)),
                                               conversation, on_text)
            except ModelError as err:
                if paid:
                    self.last_paid = (self._clock(), False)
                await self._failed(trail, target, reservation, err, started=started)
                self._note_halt(err)
                if paid and trail.unknown > self._config.router.max_unknown_retries:
                    raise self._unknown_error(trail, backend.name) from err
                delay = self._retry_delay(err, attempt, paid)
                if delay is None or time.monotonic() + delay >= trail.deadline:
                    raise
                log.warning("%s attempt %d failed (%s); retrying in %.1f s", backend.name,
                            attempt, err, delay)
                await asyncio.sleep(delay)
                continue
            except asyncio.CancelledError:
                # Cancelled mid-call: the request may have been billed.
                err2 = ModelUnavailable("cancelled", backend=backend.name, billed_unknown=True)
                await asyncio.shield(self._failed(trail, target, reservation, err2,
                                                  started=started))
                raise
            latency = int((time.monotonic() - started) * 1000)
            if paid:
                self.last_paid = (self._clock(), True)
            outcome, problem = judge(reply)
            if outcome is Outcome.OK:
                outcome = outcome_ok
            record = self._record(trail, target, usage=reply.usage, outcome=outcome,
                                  latency_ms=latency, model_used=reply.model_used, error=problem,
                                  request_bytes=body_bytes(backend, spec, conversation))
            entry = await self._ledger.settle(reservation, record)
            trail.add(entry)
            self._log(record, entry)
            return reply, problem

    async def _failed(self, trail: Trail, target: Target, reservation: Reservation | None,
                      err: ModelError, *, started: float) -> None:
        latency = int((time.monotonic() - started) * 1000)
        maybe_billed = isinstance(err, ModelResponseInvalid) or (
            isinstance(err, ModelUnavailable) and err.billed_unknown)
        if reservation is not None and maybe_billed:
            trail.unknown += 1
            record = self._record(trail, target, usage=Usage(), outcome=Outcome.UNKNOWN,
                                  latency_ms=latency, error=err)
            entry = await self._ledger.settle(reservation, record)
        elif reservation is not None:
            record = self._record(trail, target, usage=Usage(), outcome=Outcome.ERROR,
                                  latency_ms=latency, error=err)
            entry = await self._ledger.release(reservation, record)
        else:
            record = self._record(trail, target, usage=Usage(), outcome=Outcome.ERROR,
                                  latency_ms=latency, error=err)
            entry = await self._ledger.settle(None, record)
        trail.add(entry)
        self._log(record, entry)
        log.warning("%s call for skill %s failed: %s", target.backend.name, trail.skill, err)

    def _unknown_error(self, trail: Trail, backend: str) -> ModelUnavailable:
        limit = self._config.router.max_unknown_retries
        return ModelUnavailable(
            f"the Claude API took the request and gave no answer {plural(trail.unknown, 'time')}, each "
            f"counted as spent; not sending it again (router.max_unknown_retries = {limit})",
            backend=backend)

    async def _check_unknown(self, trail: Trail, target: Target) -> None:
        """Refuse (and record) a paid call once this request used up its unknown retries:
        a fallback to another paid tier would be the same gamble."""
        if trail.unknown > self._config.router.max_unknown_retries:
            err = self._unknown_error(trail, target.backend.name)
            await self.refused(trail, target, err)
            raise err

    def _retry_delay(self, err: ModelError, attempt: int, paid: bool) -> float | None:
        # Only the cloud is retried: a local model that is down is a fallback case, and
        # retrying it would only add latency before the fallback.
        if not paid or not isinstance(err, ModelUnavailable):
            return None
        if attempt >= self._config.router.max_attempts:
            return None
        router = self._config.router
        # At most a quarter off: a retry should not come much sooner than the step.
        delay = backoff(attempt, base=router.backoff_base, cap=router.backoff_max, jitter=0.25)
        if err.retry_after is not None:
            delay = max(delay, err.retry_after)
        return delay


def body_bytes(backend: Backend, spec: CallSpec, conversation: list[object]) -> int:
    """The size of the request body the adapter sends, as compact JSON (what left the house)."""
    body = backend.body(spec, conversation)
    return len(json.dumps(body, separators=(",", ":"), ensure_ascii=False,
                          default=str).encode())
