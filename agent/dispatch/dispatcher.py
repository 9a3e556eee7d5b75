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

from agent.config import HearthConfig
from agent.dispatch.chooser import DISPATCHER, Choice, SkillChooser
from agent.dispatch.compound import is_wildcard, joined, match_parts
from agent.dispatch.cues import Cues
from agent.dispatch.handoff import handed_over, handoff_reason, notice
from agent.dispatch.result import DispatchResult, Route
from agent.dispatch.runner import RunOutcome, SkillRunner, SkillStats
from agent.dispatch.seams import CommandMemory, Conversations, as_messages, learnable
from agent.errors import (
    HearthError,
    ModelResponseInvalid,
    ModelUnavailable,
    SkillError,
    StartupError,
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
from agent.router.types import Message, ModelRequest, ModelResponse, Tier

log = logging.getLogger(__name__)

NO_LOCAL = ("No local model is answering ({reason}). Start Ollama, or set "
            "[router.skills.dispatcher] allow_cloud = true to let Claude route requests. (Cues "
            'such as "ask Claude" still work.)')


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


def cloud_opt_in(config: HearthConfig) -> bool:
    """`[router.skills.dispatcher] allow_cloud = true`: the household's opt-in (off by default,
    since every unmatched utterance would then leave the house when Ollama is down)."""
    route = config.router.skills.get(DISPATCHER)
    return route is not None and route.allow_cloud is True


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
                 memory: CommandMemory | None = None, allow_cloud: bool = False) -> None:
        self.skills = skills
        self._router = router
        self._matcher = matcher
        # None: no tier-`none` rows (a benchmark measuring the dispatcher alone).
        self._ledger = ledger
        # None: no follow-ups / no learnt commands (the CLI's one-shot opener, benches).
        self._conversations = conversations
        self._memory = memory
        self._chooser = SkillChooser(skills)
        # `[router.skills.dispatcher] allow_cloud = true`: the chooser may fall back to `fast`.
        self._cloud = allow_cloud
        self._cues = Cues(skills)
        for name, loaded in skills.skills.items():
            target = loaded.declaration.fallback_skill
            if target is not None and target not in skills.skills:
                raise StartupError(f"skill {name!r} hands over to fallback_skill {target!r}, "
                                   f"which is not enabled (enable it, or disable {name!r})")
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

    @property
    def intent_names(self) -> tuple[str, ...]:
        """The intents the matcher holds (the enabled skills')."""
        return self._matcher.intent_names

    async def handle_text(self, text: str, *, trigger: str = "ask", dry_run: bool = False,
                          area: str | None = None, conversation: str | None = None,
                          tier: Tier | None = None) -> DispatchResult:
        """Free text: intent match (no model) first, else the local model chooses.

        `area`: the room the speaker is in ("turn on the lights in here"), if known;
        ``conversation`` keys a requester's follow-ups; ``tier`` is an explicit cue
        (``deep``: the advisor, ``local``: the assistant) that needs no model call.
        """
        turns = await self._recent(conversation)
        result = await self._text(text, trigger, dry_run, tier, turns, area=area)
        if conversation is not None and self._conversations is not None and not dry_run:
            untrusted = bool(result.reply is not None and result.reply.data.get("untrusted"))
            try:
                await self._conversations.add(conversation, text, result.text,
                                              skill=result.skill, untrusted=untrusted)
            except HearthError as exc:
                log.warning("conversation turn not kept: %s", exc)
        return result

    async def _recent(self, conversation: str | None) -> tuple[tuple[Message, ...], bool]:
        if conversation is None or self._conversations is None:
            return (), False
        try:
            return as_messages(await self._conversations.recent(conversation))
        except HearthError as exc:
            log.warning("earlier turns unavailable (answering without them): %s", exc)
            return (), False

    async def _text(self, text: str, trigger: str, dry_run: bool, tier: Tier | None,
                    turns: tuple[tuple[Message, ...], bool], *,
                    area: str | None = None) -> DispatchResult:
        started = time.monotonic()
        if not text.strip():
            return DispatchResult(route="dispatcher", status="refused",
                                  error=SkillError("empty request", skill=DISPATCHER))
        if tier is not None:
            chosen = self._cues.for_tier(tier)
            if chosen is not None:
                return await self._run_cue(chosen, text, f"tier {tier}", dry_run=dry_run,
                                           turns=turns, started=started)
            log.info("requested tier %s selects no skill; routing as usual", tier)
        area = self._matcher.known_area(area)
        match = self._matcher.match(text, area=area)
        if is_wildcard(match):
            parts = match_parts(text, lambda part: self._matcher.match(part, area=area))
            if parts is not None:
                return await self._run_parts(parts, trigger, dry_run, started, area)
        if match is not None:
            return await self._run_intent(match, trigger, dry_run, started, area)
        return await self._unmatched(text, trigger, dry_run, turns, started)

    async def _unmatched(self, text: str, trigger: str, dry_run: bool,
                         turns: tuple[tuple[Message, ...], bool],
                         started: float) -> DispatchResult:
        """No template matched: a learnt phrasing, a cue, else the model chooses."""
        if self._memory is not None and not turns[0]:
            learned = await self._recall(text, trigger, dry_run, started)
            if learned is not None:
                return learned
        cue = self._cues.match(text)
        if cue is not None:
            return await self._run_cue(cue.skill, cue.text, cue.cue, dry_run=dry_run,
                                       turns=turns, started=started)
        request = self._chooser.request(text, trigger=trigger, earlier=turns[0],
                                        allow_cloud=self._cloud)
        if turns[1]:
            request = replace(request, earlier_untrusted=True)
        if dry_run:
            try:
                plan = self._router.plan(request, "local")
            except HearthError as exc:
                return DispatchResult(route="dispatcher", status="unavailable", error=exc,
                                      dry_run=True)
            return DispatchResult(route="dispatcher", status="planned", plan=plan, dry_run=True)
        return await self._dispatch_by_model(text, request, started, turns)

    async def _run_cue(self, skill: str, text: str, cue: str, *, dry_run: bool,
                       turns: tuple[tuple[Message, ...], bool], started: float) -> DispatchResult:
        log.info("cue %r selects skill %s (no dispatcher call)", cue, skill)
        if dry_run:
            loaded = self.skills.skills[skill]
            try:
                plan = self._router.plan(ModelRequest(skill=skill, messages=[Message("user", text)]),
                                         loaded.declaration.tier)
            except HearthError as exc:
                return DispatchResult(route="cue", status="unavailable", skill=skill, error=exc,
                                      dry_run=True)
            return DispatchResult(route="cue", status="planned", skill=skill, plan=plan,
                                  dry_run=True)
        event = TextEvent(text, earlier=turns[0], earlier_untrusted=turns[1], cue=cue)
        return _with(await self._run_text("cue", skill, event), ledger_ids=(),
                     latency_ms=_ms(started))

    async def _run_text(self, route: Route, skill: str, event: TextEvent,
                        **extra: Any) -> DispatchResult:
        """Run `skill` on text; on a spent budget or unreachable model, its fallback once."""
        result = await self._run(route, skill, event, **extra)
        reason = handoff_reason(result)
        loaded = self.skills.skills.get(skill)
        if reason is None or loaded is None or loaded.declaration.fallback_skill is None:
            return result
        fallback = loaded.declaration.fallback_skill
        log.warning("skill %s: %s; handing the request to %s", skill, reason, fallback)
        second = await self._run(route, fallback, event, **extra)
        return handed_over(result, second, notice(loaded.declaration, fallback, reason))

    async def _recall(self, text: str, trigger: str, dry_run: bool,
                      started: float) -> DispatchResult | None:
        assert self._memory is not None
        try:
            found = await self._memory.recall(text)
        except HearthError as exc:
            log.warning("learnt commands unavailable: %s", exc)
            return None
        if found is None:
            return None
        event = TextEvent(text, arguments=found.arguments, dry_run=dry_run)
        result = await self._run("learned", found.skill, event, arguments=found.arguments,
                                 dry_run=dry_run)
        ids: tuple[str, ...] = ()
        if self._ledger is not None and not dry_run:
            try:
                entry = await self._ledger.settle(None, none_record(found.skill, trigger,
                                                                    _ms(started)))
                ids = (entry.id,)
            except HearthError as exc:
                log.warning("ledger row for learnt command %d not written: %s", found.id, exc)
        return _with(result, ledger_ids=ids, latency_ms=_ms(started))

    async def _run_parts(self, parts: list[IntentMatch], trigger: str, dry_run: bool,
                         started: float, area: str | None) -> DispatchResult:
        # In order, each on its own: a part held for confirmation does not stop the others.
        results = [await self._run_intent(part, trigger, dry_run, started, area)
                   for part in parts]
        return joined(results, latency_ms=_ms(started))

    async def _run_intent(self, match: IntentMatch, trigger: str, dry_run: bool,
                          started: float, area: str | None = None) -> DispatchResult:
        # Context values (e.g. a device's domain) come from our own slot lists; entity
        # values win where both name the same slot.
        slots = {**match.context, **match.slots}
        event = TextEvent(match.text, intent=match.intent, slots=slots, dry_run=dry_run,
                          area=area)
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

    async def _dispatch_by_model(self, text: str, request: ModelRequest, started: float,
                                 turns: tuple[tuple[Message, ...], bool] = ((), False)
                                 ) -> DispatchResult:
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
            if isinstance(exc, ModelUnavailable) and not self._cloud:
                # The router's own wording adds "may not use the cloud"; NO_LOCAL says why.
                reason = str(exc.__cause__ or exc)
                exc = ModelUnavailable(NO_LOCAL.format(reason=reason), backend="ollama")
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
        event = TextEvent(text, arguments=choice.arguments, earlier=turns[0],
                          earlier_untrusted=turns[1])
        result = await self._run_text("dispatcher", choice.skill, event,
                                      arguments=choice.arguments)
        if not turns[0]:
            await self._observe(text, result)
        return _with(result, ledger_ids=ids + result.ledger_ids, latency_ms=_ms(started))

    async def _observe(self, text: str, result: DispatchResult) -> None:
        """Count a command the model resolved to a device action (never a question)."""
        loaded = self.skills.skills.get(result.skill or "")
        if (self._memory is None or loaded is None or loaded.declaration.tier != "none"
                or result.status != "ok" or result.reply is None or result.skill is None):
            return
        sensitive = learnable(result.reply.data)
        if sensitive is None:
            return
        try:
            await self._memory.observe(text, result.skill, result.arguments, sensitive=sensitive)
        except HearthError as exc:
            log.warning("command phrasing not recorded: %s", exc)

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
