"""Feed fields are read by the content type feedparser reports: text stays text, HTML is stripped.

Served over loopback and stored in SQLite, then read back: what the briefing would show.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from agent.config.schedule import FeedSection, FeedsSection
from agent.db import Database
from agent.db.models import FeedItem
from agent.feeds import fetch_all
from tests.support.feeds import FeedServer, fixture

NOW = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)

EXPECTED = {
    "types.rss": [
        # title: text/plain (no close tag, no entity): the angle brackets are words
        ("Why <div> beats <table> for layout", "Tables are for data, says the guide."),
        ("Q&A: is x <y when rates rise?", "Rates & prices both rose."),
    ],
    "types.rdf": [
        ("Why <div> beats <table> for layout", "Escaped HTML in a description."),
        ("x <y, and AT&T", "Real HTML & more."),
    ],
    "types.atom": [
        # type="text": "&amp;amp;" in the XML is the literal text "&amp;", decoded once only
        ("Why <div> beats <table> for layout", 'Write &amp; in HTML for "&", and x <y stays.'),
        ("Escaped HTML & more", "Inline XHTML & text."),
        ("Untyped <b> is text in Atom", "Escaped HTML content."),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_plain_escaped_and_html_fields_keep_their_meaning(
        name: str, feed_server: FeedServer, db: Database) -> None:
    content_type = {"types.rdf": "application/rdf+xml",
                    "types.atom": "application/atom+xml"}.get(name, "application/rss+xml")
    feed_server.add("/" + name, fixture(name), content_type=content_type)
    feeds = (FeedSection(url=feed_server.url("/" + name), name=name),)  # type: ignore[arg-type]
    cfg = FeedsSection(feeds=feeds, allow_private_addresses=True, timeout=5)
    report = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert report.feeds[0].status == "ok"
    rows = await db.read(lambda s: [(r.title, r.summary) for r in
                                    s.scalars(select(FeedItem).order_by(FeedItem.id))])
    assert rows == EXPECTED[name]
