"""fetch_all against the loopback feed server and a real SQLite database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from agent.config.schedule import FeedSection, FeedsSection
from agent.db import Database
from agent.db.models import FeedItem, FeedState
from agent.feeds import fetch_all
from agent.feeds.store import mark_briefed, unbriefed
from tests.support.feeds import GOOD, HOSTILE, FeedServer, fixture, zeros

NOW = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)


def config(server: FeedServer, names: tuple[str, ...], **kwargs: object) -> FeedsSection:
    feeds = tuple(FeedSection(url=server.url("/" + n), name=n) for n in names)  # type: ignore[arg-type]
    return FeedsSection(feeds=feeds, allow_private_addresses=True, timeout=5, **kwargs)  # type: ignore[arg-type]


def serve_all(server: FeedServer) -> None:
    for name in GOOD + HOSTILE:
        server.add("/" + name, fixture(name), etag=f'"{name}"' if name == "world.xml" else None)
    server.add("/huge.xml", chunks=zeros(50 * 1024 * 1024))


async def count(db: Database) -> int:
    return await db.read(lambda s: s.scalar(select(func.count()).select_from(FeedItem)) or 0)


async def test_good_feeds_are_stored_and_hostile_ones_skipped(
        feed_server: FeedServer, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    serve_all(feed_server)
    cfg = config(feed_server, (*GOOD, *HOSTILE, "huge.xml"))
    with caplog.at_level(logging.WARNING, logger="agent.feeds"):
        report = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    by_name = {f.name: f for f in report.feeds}
    assert {n for n, f in by_name.items() if f.status == "error"} == {"entities.xml", "huge.xml"}
    # invalid.xml gives the one item the tolerant parser recovers, and says so.
    assert by_name["invalid.xml"].status == "degraded" and by_name["invalid.xml"].new_items == 1
    # script.xml and injection.xml parse: their text is neutralised data, not an error.
    assert by_name["world.xml"].new_items == 3
    assert by_name["tech.atom"].new_items == 2
    assert by_name["noguid.xml"].new_items == 2
    assert report.new_items == 3 + 2 + 2 + 1 + 1 + 1 == await count(db)
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 2 and any("entit" in m for m in skipped)
    states = await db.read(lambda s: {r.url: r for r in s.scalars(select(FeedState))})
    huge = states[feed_server.url("/huge.xml")]
    assert huge.last_error is not None and "cap" in huge.last_error
    assert states[feed_server.url("/world.xml")].etag == '"world.xml"'


async def test_second_fetch_stores_nothing_new_and_uses_the_etag(
        feed_server: FeedServer, db: Database) -> None:
    serve_all(feed_server)
    cfg = config(feed_server, GOOD)
    first = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    second = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert first.new_items == 7 and second.new_items == 0
    assert {f.name: f.status for f in second.feeds}["world.xml"] == "not_modified"
    assert await count(db) == 7


async def test_an_item_in_two_feeds_is_stored_once(feed_server: FeedServer, db: Database) -> None:
    feed_server.add("/a.xml", fixture("world.xml"))
    feed_server.add("/b.xml", fixture("world.xml"))
    cfg = config(feed_server, ("a.xml", "b.xml"))
    report = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert [f.new_items for f in report.feeds] == [3, 0]


async def test_the_total_cap_keeps_the_rest_for_later(feed_server: FeedServer, db: Database) -> None:
    serve_all(feed_server)
    cfg = config(feed_server, GOOD, max_items_total=4)
    first = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert first.new_items == 4
    # The capped feeds did not keep their validators, so the next run gets the rest.
    second = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert second.new_items == 3
    assert await count(db) == 7


async def test_unbriefed_items_are_marked_and_not_returned_again(
        feed_server: FeedServer, db: Database) -> None:
    serve_all(feed_server)
    cfg = config(feed_server, ("world.xml",))
    await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    items = await db.read(lambda s: unbriefed(s, 10))
    assert len(items) == 3
    assert await db.write(lambda s: mark_briefed(s, [items[0].id], NOW)) == 1
    assert [i.id for i in await db.read(lambda s: unbriefed(s, 10))] == [i.id for i in items[1:]]


async def test_a_feed_that_recovers_clears_its_error(feed_server: FeedServer, db: Database) -> None:
    feed_server.add("/flaky.xml", b"", status=503)
    cfg = config(feed_server, ("flaky.xml",))
    report = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert report.failed[0].error == "HTTP 503"
    feed_server.add("/flaky.xml", fixture("tech.atom"))
    report = await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)
    assert report.new_items == 2
    state = await db.read(lambda s: s.get(FeedState, feed_server.url("/flaky.xml")))
    assert state is not None and state.last_error is None and state.last_status == 200
