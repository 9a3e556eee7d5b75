"""The dispatcher: which skill handles this trigger, and run it in isolation.

Free text goes to the intent matcher first (no model; a tier-`none` ledger row), then to
the local-model chooser. MQTT messages go to the skills subscribed to the topic, schedules
and actions to the skill they name. Nothing here raises for a skill's or a model's failure:
each ends as a `DispatchResult`, logged with the skill's name.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from agent.dispatch.chooser import DISPATCHER, Choice, SkillChooser
from agent.dispatch.result import DispatchResult, Route
from agent.dispatch.runner import RunOutcome, SkillRunner, SkillStats
from agent.dispatch.seams import CommandMemory, Conversations
from agent.errors import (
    HearthError,
    ModelResponseInvalid,
    ModelUnavailable,
    SkillError,
)
from agent.intents import IntentMatch, IntentMatcher
from agent.ledger.types import CallRecord, LedgerEntry, Outcome, Usage
from agent.plugins.contract import (
    ActionEvent,
    Event,
    MqttEvent,
    Reply,
    ScheduleEvent,
    TextEvent,
)
from agent.plugins.services import Services
from agent.plugins.skillset import SkillSet
from agent.router.types import ModelRequest, ModelResponse, Tier

log = logging.getLogger(__name__)


class DispatchRouter(Protocol):
    """The part of `agent.router.Router` the dispatcher uses."""

    async def complete(self, request: ModelRequest, tier: Tier) -> ModelResponse:
        """Run one model request."""
        ...

    def plan(self, request: ModelRequest, tier: Tier) -> Any:
        """What `complete` would do, without calling a model."""
        ...



class NoneLedger(Protocol):
    """The part of `agent.ledger.Ledger` the dispatcher uses: tier-`none` rows."""

    async def settle(self, reservation: None, record: CallRecord) -> LedgerEntry:
        """Write one row."""
        ...


def none_record(skill: str, trigger: str, latency_ms: int) -> CallRecord:
    """The $0 ledger row of a request answered without a model (an intent match)."""
    return CallRecord(skill=skill, trigger=trigger, tier_requested="none", tier_used="none",
                      backend="none", model_requested="", model_used="", usage=Usage(),
                      outcome=Outcome.OK, latency_ms=latency_ms)


class Dispatcher:
    """Routes triggers to skills; each skill runs with only what it declared."""

    def __init__(self, skills: SkillSet, router: DispatchRouter, matcher: IntentMatcher,
                 services: Mapping[str, Services], *, ledger: NoneLedger | None,
                 conversations: Conversations | None = None,
                 memory: CommandMemory | None = None) -> None:
        self.skills = skills
        self._router = router
        self._matcher = matcher
        # None: no tier-`none` rows (a benchmark measuring the dispatcher alone).
        self._ledger = ledger
        # None: no follow-ups / no learnt commands (the CLI's one-shot opener, benches).
        self._conversations = conversations
        self._memory = memory
        self._chooser = SkillChooser(skills)
        self._runners = {name: SkillRunner(loaded, services[name])
                         for name, loaded in skills.skills.items()}

    @property
    def stats(self) -> Mapping[str, SkillStats]:
        """Per-skill counters since start-up."""
        return {name: runner.stats for name, runner in self._runners.items()}

    def context(self, skill: str) -> Services:
        """The services `skill`'s handler receives (for inspection and tests)."""
        return self._runners[skill].context

    async def _run(self, route: Route, skill: str, event: Event, **extra: Any) -> DispatchResult:
        runner = self._runners.get(skill)
        if runner is None:
            log.warning("%s for skill %s refused: no such enabled skill", route, skill)
            return DispatchResult(route=route, status="refused", skill=skill,
                                  error=SkillError(f"no enabled skill {skill!r}", skill=skill),
                                  **extra)
        outcome: RunOutcome = await runner.run(event)
        # MQTT traffic can be steady (sensors); one INFO line per message would drown the journal.
        log.log(logging.DEBUG if route == "mqtt" else logging.INFO, "%s -> skill %s: %s in %d ms",
                route, skill, outcome.status, outcome.latency_ms)
        return DispatchResult(route=route, status=outcome.status, skill=skill,
                              reply=outcome.reply, error=outcome.error,
                              latency_ms=outcome.latency_ms, **extra)

    async def handle_text(self, text: str, *, trigger: str = "ask", dry_run: bool = False,
                          conversation: str | None = None,
                          tier: Tier | None = None) -> DispatchResult:
        """Free text: intent match (no model) first, else the local model chooses.

        ``conversation`` keys a requester's follow-ups; ``tier`` is an explicit cue
        (``deep``: the advisor, ``local``: the assistant) that needs no model call.
        """
        started = time.monotonic()
        if not text.strip():
            return DispatchResult(route="dispatcher", status="refused",
                                  error=SkillError("empty request", skill=DISPATCHER))
        match = self._matcher.match(text)
        if match is not None:
            return await self._run_intent(match, trigger, dry_run, started)
        request = self._chooser.request(text, trigger=trigger)
        if dry_run:
            try:
                plan = self._router.plan(request, "local")
            except HearthError as exc:
                return DispatchResult(route="dispatcher", status="unavailable", error=exc,
                                      dry_run=True)
            return DispatchResult(route="dispatcher", status="planned", plan=plan, dry_run=True)
        return await self._dispatch_by_model(text, request, started)

    async def _run_intent(self, match: IntentMatch, trigger: str, dry_run: bool,
                          started: float) -> DispatchResult:
        # Context values (e.g. a device's domain) come from our own slot lists; entity
        # values win where both name the same slot.
        slots = {**match.context, **match.slots}
        event = TextEvent(match.text, intent=match.intent, slots=slots, dry_run=dry_run)
        result = await self._run("intent", match.skill, event, intent=match.intent,
                                 slots=slots, dry_run=dry_run)
        ids: tuple[str, ...] = ()
        if self._ledger is not None and not dry_run:
            try:
                # No model, so no router: the row goes straight to the ledger.
                entry = await self._ledger.settle(None, none_record(match.skill, trigger,
                                                                    _ms(started)))
                ids = (entry.id,)
            except HearthError as exc:
                # The skill already ran; losing its $0 row is worth a warning, not a failure.
                log.warning("ledger row for intent %s (skill %s) not written: %s",
                            match.intent, match.skill, exc)
        return _with(result, ledger_ids=ids, latency_ms=_ms(started))

    async def _dispatch_by_model(self, text: str, request: ModelRequest,
                                 started: float) -> DispatchResult:
        try:
            response = await self._router.complete(request, "local")
        except ModelResponseInvalid as exc:
            # Garbage instead of a choice: refused like any other unusable choice.
            log.warning("local dispatcher choice refused: %s", exc)
            return DispatchResult(route="dispatcher", status="refused", error=exc,
                                  latency_ms=_ms(started))
        except HearthError as exc:
            level = logging.WARNING if isinstance(exc, ModelUnavailable) else logging.ERROR
            log.log(level, "local dispatcher failed: %s: %s", type(exc).__name__, exc)
            return DispatchResult(route="dispatcher", status="unavailable", error=exc,
                                  latency_ms=_ms(started))
        ids = (response.ledger_id, *response.extra_ledger_ids)
        choice = self._chooser.parse(response)
        if not isinstance(choice, Choice):
            log.warning("local dispatcher choice refused: %s", choice.reason)
            return DispatchResult(route="dispatcher", status="refused", ledger_ids=ids,
                                  error=SkillError(f"dispatcher choice refused: {choice.reason}",
                                                   skill=DISPATCHER),
                                  latency_ms=_ms(started))
        if choice.skill is None:
            return DispatchResult(route="answer", status="ok", reply=Reply(choice.answer or ""),
                                  ledger_ids=ids, latency_ms=_ms(started))
        event = TextEvent(text, arguments=choice.arguments)
        result = await self._run("dispatcher", choice.skill, event, arguments=choice.arguments)
        return _with(result, ledger_ids=ids, latency_ms=_ms(started))

    async def handle_mqtt(self, topic: str, payload: bytes) -> list[DispatchResult]:
        """A message: every enabled skill subscribed to `topic` gets it, concurrently."""
        targets = self.skills.by_topic(topic)
        if not targets:
            log.debug("no skill subscribed to %s", topic)
            return []
        event = MqttEvent(topic=topic, payload=payload)
        return list(await asyncio.gather(*(self._run("mqtt", t.name, event) for t in targets)))

    async def handle_schedule(self, skill: str, job: str, planned: datetime,
                              catch_up: bool) -> DispatchResult:
        """A scheduled run of `skill` (``catch_up``: a run missed while hearth was down)."""
        event = ScheduleEvent(job=job, planned=planned, catch_up=catch_up)
        return await self._run("schedule", skill, event)

    async def handle_action(self, skill: str, action: str, args: Mapping[str, Any], *,
                            dry_run: bool = False) -> DispatchResult:
        """A named action (from a rule, the CLI or another part of the core)."""
        event = ActionEvent(action=action, args=dict(args), dry_run=dry_run)
        return await self._run("action", skill, event, dry_run=dry_run)


def _with(result: DispatchResult, *, ledger_ids: tuple[str, ...],
          latency_ms: int) -> DispatchResult:
    return replace(result, ledger_ids=ledger_ids, latency_ms=latency_ms)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
