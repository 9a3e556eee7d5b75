"""The working parts of hearth, built once per configuration.

`build_core` is shared by the daemon and by in-process commands (`hearth ask`), so both run
the same dispatcher, router and ledger. It builds; it starts nothing that talks to a peer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.config import HearthConfig
from agent.credentials import ApiKey
from agent.db import Database
from agent.dispatch import Dispatcher, assemble
from agent.ledger import Ledger
from agent.plugins.contract import Skill
from agent.plugins.tools import ToolRegistry
from agent.router import Router

if TYPE_CHECKING:
    from collections.abc import Callable

    from agent.devices.rules import RuleHit
    from agent.devices.service import Bridge, HomeService
    from agent.notifiers import Publish
    from skills.briefing.service import BriefingService

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything that does hearth's work, wired together."""

    config: HearthConfig
    state_dir: Path
    db: Database
    ledger: Ledger
    router: Router
    tools: ToolRegistry
    home: HomeService
    briefing: BriefingService
    dispatcher: Dispatcher

    async def close(self) -> None:
        """Close the model clients and the database."""
        await self.router.aclose()
        self.db.close()


async def build_core(
    config: HearthConfig,
    state_dir: Path,
    bridge: Bridge,
    *,
    api_key: ApiKey | None,
    publish: Publish | None,
    on_budget_warning: Callable[[str], None] | None = None,
) -> Core:
    """Open the database (migrating it) and wire ledger, router, devices, skills and dispatcher."""
    from agent.devices.approvals import ApprovalHistory
    from agent.devices.service import HomeService
    from skills.briefing import make_briefing_skill
    from skills.briefing.wiring import build_briefing
    from skills.news import make_news_skill

    # Opening migrates and runs quick_check: blocking work, kept off the event loop.
    db = await asyncio.to_thread(Database.open, config.ledger.url, state_dir)
    try:
        ledger = Ledger(db, config, on_warning=on_budget_warning)
        router = Router(config, ledger, api_key=api_key)
        dispatcher_ref: list[Dispatcher] = []

        async def run_rule(hit: RuleHit) -> None:
            # Rules fire before the dispatcher exists only if a message arrives mid-build,
            # which cannot happen: the bridge starts after build_core returns.
            await dispatcher_ref[0].handle_action(hit.skill, hit.action, hit.args)

        home = HomeService(config, bridge, run_action=run_rule, history=ApprovalHistory(db))
        tools = ToolRegistry(tuple(home.tools))
        briefing, desk = build_briefing(config, db, ledger, router, state_dir=state_dir,
                                        publish=publish)
        extra: list[Skill] = [make_news_skill(desk), make_briefing_skill(briefing)]
        digest = _digest_skill(config, db, ledger, router, api_key=api_key, briefing=briefing)
        if digest is not None:
            extra.append(digest)
        dispatcher = assemble(config, router, tools, slot_lists=home.registry.slot_lists,
                              extra=extra)
        dispatcher_ref.append(dispatcher)
    except BaseException:
        db.close()
        raise
    return Core(config=config, state_dir=state_dir, db=db, ledger=ledger, router=router,
                tools=tools, home=home, briefing=briefing, dispatcher=dispatcher)


def _digest_skill(config: HearthConfig, db: Database, ledger: Ledger, router: Router, *,
                  api_key: ApiKey | None, briefing: BriefingService) -> Skill | None:
    """The weekly deep digest, when enabled and a key exists (it only runs on Claude)."""
    from agent.daemon.preflight import wants_digest

    if not wants_digest(config, api_key):
        if config.briefing.digest.enabled:
            log.warning("briefing.digest is enabled but no Anthropic API key is configured: "
                        "the weekly digest is off")
        return None
    assert api_key is not None  # wants_digest
    from skills.digest import make_digest_skill
    from skills.digest.batches import BatchClient
    from skills.digest.digest import WeeklyDigest

    digest = WeeklyDigest(config, db, ledger, BatchClient(config.anthropic, api_key),
                          router=router.bind("digest", tier="deep", allow_cloud=True,
                                             fallback=(), tools={}),
                          notifiers=briefing.notifiers)
    return make_digest_skill(digest)
