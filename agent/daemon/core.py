"""The working parts of hearth for one configuration, opened and closed in one place.

`open_core` is used by the daemon, by in-process commands (`hearth ask`, `hearth briefing
now`), the benchmarks and the tests, so all of them run the same dispatcher, router and
ledger. It opens database -> ledger -> router -> devices -> skills on one AsyncExitStack: a
failure part-way closes what was already open, and leaving the block closes everything.
It starts nothing that talks to a peer (the bridge is started by the daemon's components).
It imports no skill: skills come from the `hearth.skills` entry points and get their
services through their setup hooks.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import HearthConfig
from agent.credentials import ApiKey
from agent.db import Database
from agent.dispatch import Dispatcher, cloud_opt_in
from agent.ledger import Ledger
from agent.plugins.services import Clock, SystemClock
from agent.plugins.tools import ToolRegistry
from agent.router import Router

if TYPE_CHECKING:
    from agent.conversation import ConversationStore
    from agent.devices.pending import PendingActions
    from agent.devices.rules import RuleHit
    from agent.devices.service import Bridge, HomeService
    from agent.learn import LearnStore
    from agent.notifiers.push import PushService
    from agent.notifiers.types import Notifier
    from agent.router.batches import BatchClient

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything that does hearth's work, wired together (valid inside `open_core`)."""

    config: HearthConfig
    state_dir: Path
    db: Database
    ledger: Ledger
    router: Router
    batches: BatchClient | None
    tools: ToolRegistry
    home: HomeService
    dispatcher: Dispatcher
    conversations: ConversationStore | None = None
    memory: LearnStore | None = None
    # The household's phones ([[notify]]); None when no entry is enabled.
    push: PushService | None = None


class NoBroker:
    """The bridge of a process without MQTT: subscriptions are ignored, publishing fails."""

    def subscribe(self, topic: str, qos: int = 1, *, max_payload: int | None = None) -> None:
        """Nothing to subscribe on."""

    async def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                      retain: bool = False) -> None:
        """Always refuses."""
        from agent.mqtt.types import BrokerUnavailable

        raise BrokerUnavailable(f"no MQTT broker in this process; {topic} not sent")


def _push(stack: AsyncExitStack, fn: Callable[[], Awaitable[None]]) -> None:
    stack.push_async_callback(fn)


@asynccontextmanager
async def open_core(
    config: HearthConfig,
    state_dir: Path,
    *,
    bridge: Bridge | None,
    api_key: ApiKey | None,
    clock: Clock | None = None,
    entry_points: Iterable[EntryPoint] | None = None,
    on_budget_warning: Callable[[str], None] | None = None,
) -> AsyncIterator[Core]:
    """Open everything one configuration describes; close it all on exit.

    `bridge` None: no MQTT in this process (device commands and the MQTT notifier fail).
    `entry_points` defaults to the installed `hearth.skills` group. Raises StartupError and
    ConfigError like `discover`, after closing whatever was already open.
    """
    # Imported here: `hearth spend` imports this module's package but needs none of it.
    from agent.context import make_context_tools
    from agent.devices.approvals import ApprovalHistory
    from agent.devices.service import HomeService
    from agent.intents import IntentMatcher
    from agent.intents.custom import blocks as custom_blocks
    from agent.intents.custom import check_sentences
    from agent.notifiers import NotifierContext, build_notifiers
    from agent.plugins.discovery import discover
    from agent.plugins.provide import ServiceFactory
    from agent.plugins.setup import set_up
    from agent.privacy.expose import Exposure
    from agent.router.opening import open_router

    clock = clock or SystemClock()
    now: Callable[[], datetime] = clock.now
    async with AsyncExitStack() as stack:
        push = await _open_push(config, stack)
        models = await stack.enter_async_context(open_router(
            config, state_dir, api_key=api_key, clock=now,
            on_warning=_warn_phones(on_budget_warning, push)))
        dispatcher_ref: list[Dispatcher] = []

        async def run_rule(hit: RuleHit) -> None:
            # Rules fire only on messages, and the bridge starts after this block has opened.
            await dispatcher_ref[0].handle_action(hit.skill, hit.action, hit.args)

        publish = None
        if bridge is not None:
            mqtt = bridge

            async def publish(topic: str, payload: bytes, retain: bool) -> None:
                await mqtt.publish(topic, payload, retain=retain)

        home = HomeService(config, bridge if bridge is not None else NoBroker(),
                           run_action=run_rule, history=ApprovalHistory(models.db))
        exposure = Exposure(config.privacy, home.registry.devices)
        models.router.set_exposure(exposure)
        tools = ToolRegistry((*home.tools, *make_context_tools(
            home.registry, exposure, models.db, models.ledger, clock=now,
            zone=config.hearth.zone)))
        notifiers = tuple(build_notifiers(config.briefing.notifiers,
                                          NotifierContext(config, state_dir, publish)))
        if push is not None:
            notifiers = (*notifiers, _tell_phones(push, home.pending))
        factory = ServiceFactory(
            household=config, router=models.router, tools=tools, ledger=models.ledger,
            database=models.db, devices=home.registry, state_dir=state_dir, publish=publish,
            notifiers=notifiers, batches=models.batches, clock=clock,
            at_close=lambda fn: _push(stack, fn))
        found = discover(config, entry_points=entry_points)
        services = factory.all(found.skills)
        skills = await set_up(found, lambda loaded: services[loaded.name])
        check_sentences(config, skills)
        conversations, memory = await _open_stores(config, models.db, now, stack)
        dispatcher = Dispatcher(skills, models.router,
                                IntentMatcher(skills, slot_lists=home.registry.slot_lists,
                                              sentences=custom_blocks(config)),
                                services, ledger=models.ledger,
                                allow_cloud=cloud_opt_in(config),
                                conversations=conversations, memory=memory)
        dispatcher_ref.append(dispatcher)
        yield Core(config=config, state_dir=state_dir, db=models.db, ledger=models.ledger,
                   router=models.router, batches=models.batches, tools=tools, home=home,
                   dispatcher=dispatcher, conversations=conversations, memory=memory,
                   push=push)


# Seconds the notices still queued get to go out when hearth stops.
PUSH_DRAIN_S = 3.0


async def _open_push(config: HearthConfig, stack: AsyncExitStack) -> PushService | None:
    """The `[[notify]]` delivery service, started, and stopped when `stack` closes."""
    if not any(entry.enabled for entry in config.notify):
        return None
    from agent.notifiers.push import PushService

    push = PushService(config.notify, zone=config.hearth.zone)
    await push.start()
    stack.push_async_callback(push.stop, PUSH_DRAIN_S)
    log.info("notifications: %s", ", ".join(push.names))
    return push


def _warn_phones(on_warning: Callable[[str], None] | None,
                 push: PushService | None) -> Callable[[str], None] | None:
    """The budget warning callback, also telling the phones (from any thread)."""
    if push is None:
        return on_warning
    from agent.daemon.pushing import budget_notice

    def warn(message: str) -> None:
        if on_warning is not None:
            on_warning(message)
        push.post(budget_notice(message))

    return warn


def _tell_phones(push: PushService, pending: PendingActions) -> Notifier:
    """Pending actions go to the phones as they arrive; the returned notifier takes the
    briefing, the digest and ended timers."""
    from agent.daemon.pushing import pending_notice
    from agent.notifiers.push_notifier import PushNotifier

    pending.watchers.append(lambda action: push.post(pending_notice(action)))
    return PushNotifier(push)


async def _open_stores(config: HearthConfig, db: Database, now: Callable[[], datetime],
                       stack: AsyncExitStack) -> tuple[ConversationStore, LearnStore]:
    """The follow-up and learning stores; what a stopped daemon left expired goes now."""
    from agent.conversation import ConversationStore
    from agent.learn import LearnStore

    ask = config.ask
    conversations = ConversationStore(db, minutes=ask.follow_up_minutes,
                                      turns=ask.follow_up_turns, chars=ask.follow_up_chars,
                                      now=now)
    stack.push_async_callback(conversations.aclose)
    await conversations.purge_expired()
    memory = LearnStore(db, auto_accept_after=config.learn.auto_accept_after,
                        record=config.learn.record, now=now)
    return conversations, memory
