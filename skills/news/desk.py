"""The news desk: fetch feeds, summarise new items on the local tier, hand them to the briefing.

The desk has no tools and no MQTT handle: it turns untrusted feed text into short text
for a person, and that is all it can do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from agent.config.root import HearthConfig
from agent.db import Database
from agent.errors import HearthError
from agent.feeds import FetchReport, fetch_all
from agent.feeds.store import StoredItem, last_briefed, mark_briefed, unbriefed
from agent.notifiers.types import BriefingPart, BriefingRequest
from agent.plugins.contract import SkillRouter
from skills.news import notes
from skills.news.config import NewsConfig
from skills.news.markdown import md_escape, md_url
from skills.news.prompt import Summary, build_request, extractive, read_answer

log = logging.getLogger(__name__)

__all__ = ["NewsConfig", "NewsDesk"]


class NewsDesk:
    """Fetches, summarises and contributes the news part of the briefing."""

    name = "news"

    def __init__(self, config: HearthConfig, db: Database, router: SkillRouter, *,
                 news: NewsConfig | None = None, clock: Callable[[], datetime] | None = None
                 ) -> None:
        self.config = config
        self.news = news or NewsConfig()
        self._db = db
        self._router = router
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sources = {str(f.url): f.name or (f.url.host or "") for f in config.feeds.feeds}
        # Summaries made ahead of the briefing (a `news` schedule before 07:00), by item id.
        self._ready: dict[int, Summary] = {}

    async def refresh(self) -> FetchReport:
        """Fetch every configured feed and store the new items."""
        return await fetch_all(self.config.feeds.feeds, self._db, self.config.feeds,
                               clock=self._clock)

    async def pending(self, limit: int) -> list[StoredItem]:
        """Items no briefing has used yet, oldest first."""
        return await self._db.read(partial(unbriefed, limit=limit))

    async def summarise(self, items: Sequence[StoredItem], *, trigger: str) -> list[Summary]:
        """Summaries for `items`: from the model in batches, extractive when a batch fails."""
        todo = [item for item in items if item.id not in self._ready]
        size = self.news.batch_size
        for start in range(0, len(todo), size):
            batch = todo[start:start + size]
            request = build_request(batch, self._sources, allow_cloud=self.news.allow_cloud,
                                    trigger=trigger)
            try:
                response = await self._router.complete(request)
            except HearthError as exc:
                log.warning("news: summarising %d items failed (%s: %s); using their titles",
                            len(batch), type(exc).__name__, exc)
                summaries = [extractive(item, str(exc)) for item in batch]
            else:
                if response.tool_calls:
                    # Nothing was granted, so nothing ran; still worth knowing about.
                    log.warning("news: model asked for tools %s; refused",
                                [c.name for c in response.tool_calls])
                summaries = read_answer(response.parsed, batch)
            self._ready.update((s.item_id, s) for s in summaries)
        return [self._ready[item.id] for item in items]

    async def prepare(self, *, trigger: str = "schedule") -> int:
        """Fetch and summarise ahead of the briefing; returns how many items are ready."""
        await self.refresh()
        items = await self.pending(self.config.briefing.max_news_items)
        await self.summarise(items, trigger=trigger)
        return len(items)

    async def mark_used(self, ids: Sequence[int]) -> None:
        """Record that a briefing carried these items, so none is repeated."""
        await self._db.write(partial(mark_briefed, ids=list(ids), when=self._clock()))
        for i in ids:
            self._ready.pop(i, None)

    async def contribute(self, request: BriefingRequest) -> BriefingPart | None:
        """The news part: every new item's headline, summary, topic and source link."""
        report = await self.refresh()
        items = await self.pending(self.config.briefing.max_news_items)
        failed = notes.failed_feeds(report, self._sources)
        failures = [{"url": f.url, "name": f.name, "error": f.error} for f in report.failed]
        if not items:
            last = await self._db.read(last_briefed)
            note = notes.nothing_new(report, last, self.config.hearth.zone)
            return BriefingPart("news", "News", (note, *failed),
                                spoken=notes.spoken_nothing_new(report),
                                data={"items": [], "feeds_failed": len(report.failed),
                                      "failed_feeds": failures})
        summaries = await self.summarise(items, trigger=request.trigger)
        by_id = {item.id: item for item in items}
        unavailable = notes.summaries_unavailable(summaries)
        lines = [f"_{notes.summaries_unavailable(summaries, md_escape)}_"] if unavailable else []
        data = []
        for s in summaries:
            item = by_id[s.item_id]
            source = self._sources.get(item.feed_url, "")
            line = f"- **{md_escape(s.headline)}**"
            if s.summary:
                line += f": {md_escape(s.summary)}"
            if item.link:
                # The link is the feed's (http(s) only, checked at parse); never the model's.
                line += f" ([{md_escape(source or 'source')}](<{md_url(item.link)}>))"
            lines.append(line)
            data.append({"id": s.item_id, "headline": s.headline, "summary": s.summary,
                         "topic": s.topic, "source": source, "link": item.link})
        spoken_heads = ". ".join(s.headline.rstrip(".") for s in summaries[:5])
        spoken = f"{len(summaries)} new headline{'s' if len(summaries) != 1 else ''}. "
        spoken += spoken_heads + "." if spoken_heads else ""
        ids = [s.item_id for s in summaries]
        return BriefingPart("news", "News", (*lines, *failed), spoken=spoken,
                            data={"items": data, "feeds_failed": len(report.failed),
                                  "failed_feeds": failures,
                                  "summaries_unavailable": unavailable},
                            on_delivered=partial(self.mark_used, ids))
