"""Fetching every configured feed at once, each failure contained to its own feed.

A feed is "ok", "not_modified", "degraded" (malformed or over the byte cap, and what could be
read was used; the outcome's `warning`, the log and `feed_state.last_error` say why) or
"error" (skipped).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Literal

from sqlalchemy.orm import Session

from agent.config.schedule import FeedSection, FeedsSection
from agent.db import Database
from agent.feeds import store
from agent.feeds.http import FeedFetcher, FeedRejected, FeedTooLarge, FetchResult
from agent.feeds.parse import ParsedFeed, ParsedItem, expat_is_current, parse_feed

log = logging.getLogger(__name__)

FeedStatus = Literal["ok", "not_modified", "degraded", "error"]
_warned_expat = False


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """How one feed's fetch went."""

    url: str
    name: str | None
    status: FeedStatus
    parsed_items: int = 0
    new_items: int = 0
    error: str | None = None
    # Why a "degraded" feed was only partly read.
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class FetchReport:
    """Every feed's outcome and the number of new items stored."""

    feeds: tuple[FeedOutcome, ...]

    @property
    def new_items(self) -> int:
        """New, de-duplicated items stored by this run."""
        return sum(f.new_items for f in self.feeds)

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        """The feeds that were skipped."""
        return tuple(f for f in self.feeds if f.status == "error")

    @property
    def degraded(self) -> tuple[FeedOutcome, ...]:
        """The feeds of which only part could be read."""
        return tuple(f for f in self.feeds if f.status == "degraded")


@dataclass(frozen=True, slots=True)
class _Downloaded:
    feed: FeedSection
    result: FetchResult | None
    items: tuple[ParsedItem, ...]
    error: FeedRejected | None
    degraded: str | None = None


def _warn_old_expat() -> None:
    global _warned_expat  # noqa: PLW0603 - warn once per process
    if not _warned_expat and not expat_is_current():
        import pyexpat

        log.warning("expat %s is older than 2.6.0; entity declarations are refused anyway",
                    pyexpat.EXPAT_VERSION)
    _warned_expat = True


async def _download(fetcher: FeedFetcher, feed: FeedSection, config: FeedsSection,
                    known: store.Validators | None, gate: asyncio.Semaphore) -> _Downloaded:
    url = str(feed.url)
    async with gate:
        try:
            cut: str | None = None
            try:
                result = await fetcher.fetch(
                    url, etag=known.etag if known else None,
                    last_modified=known.last_modified if known else None)
            except FeedTooLarge as exc:
                result, cut = exc.partial, str(exc)  # the first items may still be whole
            if result.not_modified:
                return _Downloaded(feed, result, (), None)
            # feedparser is blocking, CPU-bound pure Python: keep it off the event loop.
            parsed: ParsedFeed = await asyncio.to_thread(
                parse_feed, result.body, url=result.url, content_type=result.content_type,
                max_items=feed.max_items, item_max_chars=config.item_max_chars,
                accept_malformed=config.accept_malformed, cut=cut)
            return _Downloaded(feed, result, tuple(parsed.items), None, parsed.degraded)
        except FeedRejected as exc:
            return _Downloaded(feed, None, (), exc)
        except Exception as exc:
            # A bug or an unforeseen input in one feed's path must not stop the others.
            log.warning("feed %s failed unexpectedly", url, exc_info=True)
            return _Downloaded(feed, None, (), FeedRejected(f"unexpected {type(exc).__name__}"))


async def fetch_all(feeds: Sequence[FeedSection], db: Database, client_config: FeedsSection, *,
                    fetcher: FeedFetcher | None = None,
                    clock: Callable[[], datetime] | None = None) -> FetchReport:
    """Fetch `feeds` concurrently and store their new items; a bad feed is logged and skipped.

    At most each feed's `max_items` and `client_config.max_items_total` new items overall
    are stored; feeds earlier in the list get the room first.
    """
    _warn_old_expat()
    now = (clock or (lambda: datetime.now(UTC)))()
    urls = [str(f.url) for f in feeds]
    known = await db.read(lambda s: store.validators(s, urls))
    gate = asyncio.Semaphore(client_config.concurrency)
    own = fetcher is None
    active = fetcher or FeedFetcher(client_config)
    try:
        downloads = await asyncio.gather(
            *(_download(active, f, client_config, known.get(str(f.url)), gate) for f in feeds))
    finally:
        if own:
            await active.aclose()
    room = client_config.max_items_total
    outcomes: list[FeedOutcome] = []
    for d in downloads:
        outcome = await db.write(partial(_save, d=d, now=now, room=room))
        room -= outcome.new_items
        outcomes.append(outcome)
        if outcome.status == "error":
            log.warning("feed %s skipped: %s", outcome.url, outcome.error)
        elif outcome.status == "degraded":
            log.warning("feed %s degraded: %s", outcome.url, outcome.warning)
    report = FetchReport(tuple(outcomes))
    log.info("feeds: %d fetched (%d degraded), %d skipped, %d new items",
             len(feeds) - len(report.failed), len(report.degraded), len(report.failed),
             report.new_items)
    return report


def _save(session: Session, d: _Downloaded, now: datetime, room: int) -> FeedOutcome:
    url, name = str(d.feed.url), d.feed.name
    if d.error is not None:
        store.record_state(session, url, when=now, status=d.error.status, error=str(d.error))
        return FeedOutcome(url, name, "error", error=str(d.error))
    assert d.result is not None
    if d.result.not_modified:
        store.record_state(session, url, when=now, status=304)
        return FeedOutcome(url, name, "not_modified")
    new = store.store_new(session, url, d.items, when=now, limit=room)
    # When the total cap cut this feed short, keep the old validators so the next fetch
    # gets the full feed again instead of a 304 that would hide the items left out.
    store.record_state(session, url, when=now, status=d.result.status, etag=d.result.etag,
                       last_modified=d.result.last_modified, keep_validators=new >= room,
                       error=f"degraded: {d.degraded}" if d.degraded else None)
    return FeedOutcome(url, name, "degraded" if d.degraded else "ok", parsed_items=len(d.items),
                       new_items=new, warning=d.degraded)
