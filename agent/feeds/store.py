"""Feed state and de-duplicated items in the database (functions run inside `db.write`/`read`).

Items are inserted with ON CONFLICT DO NOTHING on their unique, feed-scoped key, so two
daemons sharing a PostgreSQL ledger, or two overlapping fetches, never store an item of a
feed twice. The cross-feed check by link runs in the same transaction: on SQLite (BEGIN
IMMEDIATE) it is exact; on PostgreSQL two daemons saving two different feeds at the same
instant could both store the same story once each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from agent.db.models import FeedItem, FeedState
from agent.db.upsert import insert_ignoring
from agent.feeds.identity import link_key, scoped_key
from agent.feeds.parse import ParsedItem

_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A stored news item, detached from the session."""

    id: int
    feed_url: str
    title: str
    link: str | None
    summary: str
    published_at: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends back to the server."""

    etag: str | None
    last_modified: str | None


def validators(session: Session, urls: Sequence[str]) -> dict[str, Validators]:
    """The last ETag / Last-Modified for each of `urls` that has been fetched before."""
    rows = session.scalars(select(FeedState).where(FeedState.url.in_(list(urls))))
    return {row.url: Validators(row.etag, row.last_modified) for row in rows}


def record_state(session: Session, url: str, *, when: datetime, status: int | None,
                 etag: str | None = None, last_modified: str | None = None,
                 error: str | None = None, keep_validators: bool = True) -> None:
    """Remember how the last fetch of `url` went (validators only change on success)."""
    row = session.get(FeedState, url)
    if row is None:
        row = FeedState(url=url)
        session.add(row)
    row.last_fetch_at = when
    row.last_status = status
    row.last_error = error[:_ERROR_CHARS] if error else None
    if not keep_validators:
        row.etag = etag[:1024] if etag else None
        row.last_modified = last_modified[:128] if last_modified else None


def _link_keys(items: Sequence[ParsedItem]) -> list[str | None]:
    """Each item's link key, None for a link that several items of this feed share."""
    keys = [link_key(item.link) for item in items]
    counts = Counter(k for k in keys if k)
    return [k if k and counts[k] == 1 else None for k in keys]


def store_new(session: Session, feed_url: str, items: Sequence[ParsedItem], *,
              when: datetime, limit: int) -> int:
    """Insert the items not seen before (at most `limit`); returns how many were new.

    Seen means: this feed already gave an item with the same key, or another feed gave one
    with the same link key (see `agent.feeds.identity`).
    """
    if not items or limit <= 0:
        return 0
    candidates: dict[str, tuple[ParsedItem, str | None]] = {}
    for item, link in zip(items, _link_keys(items), strict=True):
        candidates.setdefault(scoped_key(feed_url, item.key), (item, link))
    seen = set(session.scalars(select(FeedItem.key).where(FeedItem.key.in_(list(candidates)))))
    links = {link for _, link in candidates.values() if link}
    elsewhere = set(session.scalars(select(FeedItem.link_key).where(
        FeedItem.link_key.in_(list(links)), FeedItem.feed_url != feed_url))) if links else set()
    rows = [
        {"key": key, "feed_url": feed_url, "title": item.title, "link": item.link,
         "link_key": link, "summary": item.summary, "published_at": item.published_at,
         "first_seen_at": when, "briefed_at": None}
        for key, (item, link) in candidates.items()
        if key not in seen and link not in elsewhere
    ][:limit]
    if not rows:
        return 0
    result = session.execute(insert_ignoring(session, FeedItem, ["key"]).values(rows))
    count = getattr(result, "rowcount", -1)
    return count if isinstance(count, int) and count >= 0 else len(rows)


def unbriefed(session: Session, limit: int) -> list[StoredItem]:
    """Items never put in a briefing, oldest first, at most `limit`."""
    rows = session.scalars(
        select(FeedItem).where(FeedItem.briefed_at.is_(None))
        .order_by(FeedItem.first_seen_at, FeedItem.id).limit(limit)
    )
    return [StoredItem(r.id, r.feed_url, r.title, r.link, r.summary, r.published_at,
                       r.first_seen_at) for r in rows]


def recent(session: Session, since: datetime, limit: int) -> list[StoredItem]:
    """Items first seen at or after `since`, newest first, at most `limit` (briefed or not)."""
    rows = session.scalars(
        select(FeedItem).where(FeedItem.first_seen_at >= since)
        .order_by(FeedItem.first_seen_at.desc(), FeedItem.id.desc()).limit(limit)
    )
    return [StoredItem(r.id, r.feed_url, r.title, r.link, r.summary, r.published_at,
                       r.first_seen_at) for r in rows]


def mark_briefed(session: Session, ids: Sequence[int], when: datetime) -> int:
    """Mark items as briefed so no later briefing repeats them; returns rows changed."""
    if not ids:
        return 0
    result = session.execute(
        update(FeedItem).where(FeedItem.id.in_(list(ids)), FeedItem.briefed_at.is_(None))
        .values(briefed_at=when)
    )
    count = getattr(result, "rowcount", 0)
    return count if isinstance(count, int) else 0


def last_briefed(session: Session) -> datetime | None:
    """When a briefing last carried news items; None when none ever did."""
    return session.scalar(select(func.max(FeedItem.briefed_at)))
