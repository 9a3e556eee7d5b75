"""De-duplication: within a feed by the feed's own id, across feeds only by a normalised link.

A guid is only unique inside the feed that wrote it ("1" is common in small feeds), so it
never hides another feed's item; the same article reached through two feeds is stored once
when both give its link, whatever the tracking parameters, fragment, scheme or "www.".
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select, text

from agent.config.schedule import FeedSection, FeedsSection
from agent.db import Database
from agent.db.models import FeedItem
from agent.feeds import fetch_all
from tests.db.pg import PG_URL, pg_schema
from tests.support.feeds import FeedServer, fixture

__all__ = ["pg_schema"]

NOW = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
Item = tuple[str | None, str, str | None]  # guid, title, link


def rss(*items: Item) -> bytes:
    """A small RSS 2.0 feed; guids are not permalinks, as in most small feeds."""
    body = ""
    for guid, title, link in items:
        body += f"<item><title>{escape(title)}</title>"
        if link:
            body += f"<link>{escape(link)}</link>"
        if guid:
            body += f'<guid isPermaLink="false">{escape(guid)}</guid>'
        body += f"<description>{escape(title)}, in detail.</description></item>"
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://example.org/</link><description>d</description>{body}"
            f"</channel></rss>").encode()


async def fetch(server: FeedServer, db: Database, feeds: dict[str, bytes]) -> list[int]:
    """Serve `feeds` (path -> body), fetch them in order; new items per feed."""
    for path, body in feeds.items():
        server.add(path, body)
    sections = tuple(FeedSection(url=server.url(p), name=p) for p in feeds)  # type: ignore[arg-type]
    cfg = FeedsSection(feeds=sections, allow_private_addresses=True, timeout=5)
    report = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert [f.status for f in report.feeds] == ["ok"] * len(feeds)
    return [f.new_items for f in report.feeds]


async def titles(db: Database) -> list[str]:
    return await db.read(lambda s: list(s.scalars(select(FeedItem.title).order_by(FeedItem.id))))


async def test_the_same_local_guid_in_two_feeds_keeps_both_items(
        feed_server: FeedServer, db: Database) -> None:
    feeds = {"/a.xml": rss(("1", "Council meets on Monday", "https://a.example.org/council")),
             "/b.xml": rss(("1", "School reopens", "https://b.example.org/school")),
             "/c.xml": rss(("1", "Ferry timetable changes", None))}
    assert await fetch(feed_server, db, feeds) == [1, 1, 1]
    assert await titles(db) == ["Council meets on Monday", "School reopens",
                                "Ferry timetable changes"]


async def test_within_a_feed_its_id_decides(feed_server: FeedServer, db: Database) -> None:
    first = rss(("1", "Bridge closes", "https://a.example.org/bridge"))
    assert await fetch(feed_server, db, {"/a.xml": first}) == [1]
    # The same id retitled is the same item; a new id is a new item, even on the same link.
    again = rss(("1", "Bridge closes (updated)", "https://a.example.org/bridge?v=2"),
                ("2", "Bridge reopens", "https://a.example.org/bridge"))
    assert await fetch(feed_server, db, {"/a.xml": again}) == [1]
    assert await titles(db) == ["Bridge closes", "Bridge reopens"]


async def test_across_feeds_the_normalised_link_decides(
        feed_server: FeedServer, db: Database) -> None:
    feeds = {
        "/a.xml": rss(("a-17", "Harbour reopens", "https://news.example.org/story?id=7")),
        "/b.xml": rss(("b-99", "Harbour reopens after storm",
                       "http://WWW.News.Example.org:80/story?utm_source=rss&id=7#comments"),
                      ("b-100", "Other story", "https://news.example.org/story?id=8")),
    }
    assert await fetch(feed_server, db, feeds) == [1, 1]
    assert await titles(db) == ["Harbour reopens", "Other story"]


async def test_a_link_every_item_shares_is_no_identity(
        feed_server: FeedServer, db: Database) -> None:
    # Small feeds often link every item to their home page (or one page for all).
    feeds = {"/a.xml": rss(("1", "Opening hours change", "https://club.example.org/"),
                           ("2", "Summer fair", "https://club.example.org/")),
             "/b.xml": rss(("x", "Match report", "https://club.example.org")),
             "/c.xml": rss(("p", "Notice one", "https://town.example.org/notices"),
                           ("q", "Notice two", "https://town.example.org/notices")),
             "/d.xml": rss(("r", "Notice three", "https://town.example.org/notices"))}
    assert await fetch(feed_server, db, feeds) == [2, 1, 2, 1]


async def test_items_without_id_or_link_are_told_apart_within_their_feed_only(
        feed_server: FeedServer, db: Database) -> None:
    feeds = {"/a.xml": rss((None, "Bins collected a day late", None)),
             "/b.xml": rss((None, "Bins collected a day late", None))}
    assert await fetch(feed_server, db, feeds) == [1, 1]
    assert await fetch(feed_server, db, feeds) == [0, 0]


def _legacy_row(key: str, feed_url: str, link: str | None) -> str:
    return ("INSERT INTO feed_item (key, feed_url, title, link, summary, first_seen_at, "
            f"briefed_at) VALUES ('{key}', '{feed_url}', 't', "
            f"{repr(link) if link else 'NULL'}, 's', '2026-11-23 06:00:00.000000', "
            "'2026-11-23 07:00:00.000000')")


def _open(backend: str, request: pytest.FixtureRequest, state_dir: Path,
          revision: str = "head") -> Database:
    if backend == "sqlite":
        return Database.open(None, state_dir, revision=revision)
    schema = request.getfixturevalue("pg_schema")  # skips with a reason when unreachable
    return Database.open(PG_URL, state_dir, schema=schema, revision=revision)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_an_upgrade_keeps_what_older_keys_already_stored(
        backend: str, request: pytest.FixtureRequest, feed_server: FeedServer,
        state_dir: Path) -> None:
    world = feed_server.add("/world.xml", fixture("world.xml"))
    a_url = feed_server.url("/a.xml")
    old = _open(backend, request, state_dir, revision="0002_jobs_feeds")
    old.write_sync(lambda s: [s.execute(text(sql)) for sql in (
        _legacy_row("id:world-0001", world, "https://news.example.org/harbour"),
        _legacy_row("id:world-0002", world, "https://news.example.org/rail"),
        _legacy_row("id:1", a_url, None))])
    old.close()
    db = _open(backend, request, state_dir)
    try:
        feeds = {"/world.xml": fixture("world.xml"),
                 "/a.xml": rss(("1", "Already briefed", None)),
                 "/b.xml": rss(("1", "Another feed's first item", None))}
        # world-0003 is the only new world item; a.xml's "1" is known; b.xml's is its own.
        assert await fetch(feed_server, db, feeds) == [1, 0, 1]
        keys = await db.read(lambda s: list(s.scalars(
            select(FeedItem.link_key).where(FeedItem.link.is_not(None)))))
        assert len(keys) == 3 and all(keys)  # the old rows got their link keys too
    finally:
        db.close()
