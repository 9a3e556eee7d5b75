"""A feed that is malformed or over the byte cap still gives what can be read, flagged degraded.

Entity declarations, compression bombs, endless bodies and non-feeds are still refused.
"""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from agent.config.schedule import FeedSection, FeedsSection
from agent.db import Database
from agent.db.models import FeedItem, FeedState
from agent.feeds import FetchReport, fetch_all
from tests.support.feeds import FeedServer, fixture, synthetic_feed, zeros

NOW = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
CAP = 10_000
BIG = synthetic_feed(1, items=40)  # about 30 KB: three times the cap


async def run(server: FeedServer, db: Database, path: str, **limits: object) -> FetchReport:
    feeds = (FeedSection(url=server.url(path), name=path, max_items=50),)  # type: ignore[arg-type]
    cfg = FeedsSection(feeds=feeds, allow_private_addresses=True, timeout=5, **limits)  # type: ignore[arg-type]
    return await fetch_all(cfg.feeds, db, cfg, clock=lambda: NOW)


async def titles(db: Database) -> list[str]:
    return await db.read(lambda s: list(s.scalars(select(FeedItem.title).order_by(FeedItem.id))))


async def last_error(db: Database, server: FeedServer, path: str) -> str | None:
    state = await db.read(lambda s: s.get(FeedState, server.url(path)))
    assert state is not None
    return state.last_error


async def test_one_xml_error_keeps_the_items_the_loose_parser_recovers(
        feed_server: FeedServer, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    feed_server.add("/shop.xml", fixture("ampersand.xml"))  # a bare "&" in one title
    with caplog.at_level(logging.WARNING, logger="agent.feeds"):
        report = await run(feed_server, db, "/shop.xml")
    (outcome,) = report.feeds
    assert outcome.status == "degraded" and outcome.new_items == 3
    assert outcome.warning is not None and "not well-formed" in outcome.warning
    assert report.failed == () and report.degraded == (outcome,)
    assert await titles(db) == ["Bakery opens", "Fish & chips night", "Market moves"]
    assert any("degraded" in r.getMessage() and "not well-formed" in r.getMessage()
               for r in caplog.records)
    error = await last_error(db, feed_server, "/shop.xml")
    assert error is not None and "degraded" in error


async def test_accept_malformed_off_still_skips_a_malformed_feed(
        feed_server: FeedServer, db: Database) -> None:
    feed_server.add("/shop.xml", fixture("ampersand.xml"))
    report = await run(feed_server, db, "/shop.xml", accept_malformed=False)
    assert report.feeds[0].status == "error" and await titles(db) == []


def complete_items(body: bytes) -> int:
    return body.count(b"</item>")


@pytest.mark.parametrize("how", ["declared", "chunked", "gzip"])
async def test_an_oversize_feed_gives_its_first_items(
        how: str, feed_server: FeedServer, db: Database) -> None:
    if how == "declared":  # Content-Length says 30 KB
        feed_server.add("/big.xml", BIG)
        limits: dict[str, object] = {"max_bytes": CAP}
    elif how == "chunked":  # no length: the cap is met while streaming
        feed_server.add("/big.xml", chunks=lambda: (BIG[i:i + 4096]
                                                    for i in range(0, len(BIG), 4096)))
        limits = {"max_bytes": CAP}
    else:  # small on the wire, over the cap once decoded
        feed_server.add("/big.xml", BIG, gzip=True)
        limits = {"max_decoded_bytes": CAP}
    report = await run(feed_server, db, "/big.xml", **limits)
    (outcome,) = report.feeds
    expected = complete_items(BIG[:CAP])
    assert 0 < expected < 40
    assert outcome.status == "degraded" and outcome.new_items == expected
    assert outcome.warning is not None and "cap" in outcome.warning
    stored = await titles(db)
    assert stored == [f"Feed 1 story {i}: repairs to the north bridge enter week {i + 2}"
                      for i in range(expected)]


@pytest.mark.parametrize(("name", "route", "reason"), [
    ("entities", {"body": fixture("entities.xml")}, "entit"),
    ("gzip bomb", {"body": gzip.compress(b"<" * 40_000_000),
                   "headers": {"Content-Encoding": "gzip"}}, "decoded"),
    ("endless", {"chunks": zeros(50 * 1024 * 1024)}, "cap"),
    ("big html", {"body": b"<html><body>" + b"<p>hello</p>" * 10_000 + b"</body></html>",
                  "content_type": "text/html"}, "cap"),
])
async def test_hostile_and_non_feeds_are_still_refused(
        name: str, route: dict[str, object], reason: str, feed_server: FeedServer,
        db: Database) -> None:
    feed_server.add("/x", **route)
    report = await run(feed_server, db, "/x", max_bytes=100_000, max_decoded_bytes=1_000_000)
    (outcome,) = report.feeds
    assert outcome.status == "error", name
    assert outcome.error is not None and reason in outcome.error
    assert await titles(db) == []
