"""One function that builds the briefing with its standard parts, for the daemon and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from agent.config.root import HearthConfig
from agent.db import Database
from agent.ledger import Ledger
from agent.notifiers import NotifierContext, PartProvider, Publish, build_notifiers
from agent.plugins.contract import SkillRouter
from agent.plugins.validate import COMMON_KEYS
from agent.router.types import Tier, ToolSpec
from skills.briefing.service import BriefingService
from skills.briefing.spend import SpendPart
from skills.news import DECLARATION as NEWS
from skills.news.desk import NewsConfig, NewsDesk


class Binder(Protocol):
    """What the wiring needs of the router: a handle bound to one skill."""

    def bind(self, skill: str, *, tier: Tier, allow_cloud: bool,
             fallback: tuple[Tier, ...] = (), tools: Mapping[str, ToolSpec] = ...
             ) -> SkillRouter:
        """A router handle for `skill`."""
        ...


def build_briefing(config: HearthConfig, db: Database, ledger: Ledger, router: Binder, *,
                   state_dir: Path, publish: Publish | None,
                   extra_parts: Sequence[PartProvider] = (),
                   clock: Callable[[], datetime] | None = None) -> tuple[BriefingService, NewsDesk]:
    """The briefing service (news, spend, `extra_parts`; notifiers from `[briefing]`) and
    the news desk it reads. `publish` None leaves the MQTT notifier out."""
    raw: Mapping[str, Any] = config.skills.get("news", {})
    # `[skills.news]` also holds the keys every skill has (enabled, timeout, ...): see plugins.
    news_config = NewsConfig.model_validate({k: v for k, v in raw.items()
                                             if k not in COMMON_KEYS})
    news_router = router.bind("news", tier=NEWS.tier,
                              allow_cloud=news_config.allow_cloud,
                              fallback=NEWS.fallback if news_config.allow_cloud else (),
                              tools={})  # the news skill is granted no tools
    desk = NewsDesk(config, db, news_router, news=news_config, clock=clock)
    parts: list[PartProvider] = [desk, SpendPart(ledger, config.hearth.zone, clock=clock),
                                 *extra_parts]
    notifiers = build_notifiers(config.briefing.notifiers,
                                NotifierContext(config, state_dir, publish))
    return BriefingService(config, parts, notifiers, clock=clock), desk
