"""The `news` skill: feeds in, short neutral summaries out, on the local tier. No tools.

Feed text is untrusted, so this skill is granted no tools and no MQTT handle; its output
goes only into the briefing, for a person to read.

Its setup hook builds a `NewsDesk` over the skill's services (the household's `[feeds]`,
the database, its bound router) and adds the desk to the briefing's parts.

The handler answers `ActionEvent("fetch")` (fetch and store), `ActionEvent("prepare")` and
schedules (fetch and summarise ahead of the briefing, e.g. a `[scheduler] jobs` entry
`{name = "news.prepare", skill = "news", cron = "40 6 * * *"}`), and free text ("what's the
news?") with the pending headlines. The briefing reads the desk as a part provider.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from agent.plugins.contract import (
    ActionEvent,
    Event,
    Handler,
    Reply,
    ScheduleEvent,
    Skill,
    SkillContext,
    SkillDeclaration,
    TextEvent,
)
from agent.plugins.services import Services
from agent.words import plural
from skills.news.config import NewsConfig
from skills.news.notes import spoken_nothing_new

if TYPE_CHECKING:
    from skills.news.desk import NewsDesk

DECLARATION = SkillDeclaration(
    name="news",
    description="Fetches the configured news feeds and summarises new items for the briefing.",
    tier="local",
    fallback=("fast",),
    allow_cloud=True,
    intents={"NewsHeadlines": ("what's the news", "(read|give) [me] the headlines")},
    tools=(),  # untrusted text has no hands
    config_schema=NewsConfig,
    cloud_scopes=("news",),  # feed text only: nothing about the home
)


def setup(services: Services) -> Handler:
    """The handler, serving a desk built for this runtime (no module state)."""
    from skills.news.desk import NewsDesk  # feedparser and the feeds code only when enabled

    news = services.config if isinstance(services.config, NewsConfig) else NewsConfig()
    desk = NewsDesk(services.household, services.storage.database, services.router, news=news,
                    clock=services.clock.now)
    services.parts.add(desk)
    return partial(handle, desk)


async def handle(desk: NewsDesk, ctx: SkillContext, event: Event) -> Reply | None:
    """Run one event against `desk`."""
    if isinstance(event, ActionEvent) and event.action == "fetch":
        report = await desk.refresh()
        return Reply(f"{plural(report.new_items, 'new item')}; {plural(len(report.failed), 'feed')} skipped.",
                     {"new_items": report.new_items,
                      "failed": [f.url for f in report.failed]})
    if isinstance(event, ScheduleEvent) or (
            isinstance(event, ActionEvent) and event.action in ("prepare", "now")):
        ready = await desk.prepare(trigger="schedule" if isinstance(event, ScheduleEvent)
                                   else "action")
        return Reply(f"{ready} news items summarised for the next briefing.", {"ready": ready})
    if isinstance(event, TextEvent):
        report = await desk.refresh()
        items = await desk.pending(desk.config.briefing.max_news_items)
        summaries = await desk.summarise(items, trigger="ask")
        if not summaries:
            return Reply(spoken_nothing_new(report))
        text = " ".join(f"{s.headline.rstrip('.')}." for s in summaries[:5])
        return Reply(text, {"headlines": [s.headline for s in summaries]})
    ctx.log.debug("news: ignoring %s", type(event).__name__)
    return None


skill = Skill(DECLARATION, setup=setup)

__all__ = ["DECLARATION", "NewsConfig", "handle", "setup", "skill"]
