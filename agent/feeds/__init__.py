"""News feeds: a bounded downloader, a careful parser and de-duplicated storage.

    fetch_all(feeds, db, config)   fetch every feed, store new items, return a FetchReport
    store.unbriefed / mark_briefed what the briefing reads and then marks as used
"""

from agent.feeds.http import FeedFetcher, FeedRejected, FetchResult
from agent.feeds.parse import ParsedItem, parse_feed
from agent.feeds.service import FeedOutcome, FetchReport, fetch_all
from agent.feeds.store import StoredItem

__all__ = [
    "FeedFetcher",
    "FeedOutcome",
    "FeedRejected",
    "FetchReport",
    "FetchResult",
    "ParsedItem",
    "StoredItem",
    "fetch_all",
    "parse_feed",
]
