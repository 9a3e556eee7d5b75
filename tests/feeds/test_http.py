"""The feed downloader against a real HTTP server on loopback."""

from __future__ import annotations

import gzip
import time

import pytest

from agent.config.schedule import FeedsSection
from agent.feeds.http import FeedFetcher, FeedRejected, FeedTooLarge
from tests.support.feeds import FeedServer, fixture, zeros

ALLOW = FeedsSection(allow_private_addresses=True, timeout=5)


async def test_plain_fetch_returns_body_and_validators(feed_server: FeedServer) -> None:
    url = feed_server.add("/w", fixture("world.xml"), etag='"v1"',
                          last_modified="Mon, 23 Nov 2026 06:00:00 GMT")
    async with FeedFetcher(ALLOW) as fetcher:
        result = await fetcher.fetch(url)
    assert result.status == 200
    assert result.body == fixture("world.xml")
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 23 Nov 2026 06:00:00 GMT"
    assert result.content_type is not None and "rss" in result.content_type


async def test_conditional_get_sends_validators_and_gets_304(feed_server: FeedServer) -> None:
    url = feed_server.add("/w", fixture("world.xml"), etag='"v1"')
    async with FeedFetcher(ALLOW) as fetcher:
        result = await fetcher.fetch(url, etag='"v1"', last_modified="x")
    assert result.not_modified and result.body == b""
    headers = feed_server.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "x"


async def test_gzip_is_decoded(feed_server: FeedServer) -> None:
    url = feed_server.add("/gz", fixture("tech.atom"), gzip=True)
    async with FeedFetcher(ALLOW) as fetcher:
        result = await fetcher.fetch(url)
    assert result.body == fixture("tech.atom")
    assert "gzip" in feed_server.requests[-1][1]["Accept-Encoding"]


async def test_gzip_bomb_stops_at_the_decoded_cap(feed_server: FeedServer) -> None:
    bomb = gzip.compress(b"<" * 40_000_000)  # ~40 KB on the wire, 40 MB inflated
    url = feed_server.add("/bomb", b"", headers={"Content-Encoding": "gzip"})
    feed_server.routes["/bomb"].body = bomb
    config = FeedsSection(allow_private_addresses=True, max_decoded_bytes=1_000_000)
    async with FeedFetcher(config) as fetcher:
        with pytest.raises(FeedRejected, match="decoded"):
            await fetcher.fetch(url)


async def test_fifty_megabytes_streamed_are_cut_at_the_byte_cap(feed_server: FeedServer) -> None:
    url = feed_server.add("/huge", chunks=zeros(50 * 1024 * 1024))
    started = time.monotonic()
    async with FeedFetcher(FeedsSection(allow_private_addresses=True)) as fetcher:
        with pytest.raises(FeedRejected, match="byte cap"):
            await fetcher.fetch(url)
    # The cap (2 MB) stops the download long before 50 MB would have arrived.
    assert time.monotonic() - started < 30


async def test_declared_length_over_the_cap_is_refused_with_only_the_capped_head(
        feed_server: FeedServer) -> None:
    url = feed_server.add("/big", b"x" * 5000)
    async with FeedFetcher(FeedsSection(allow_private_addresses=True, max_bytes=1024)) as f:
        with pytest.raises(FeedTooLarge, match="over the 1024 cap") as info:
            await f.fetch(url)
    # What was read up to the cap, for the caller to take the first items from.
    assert info.value.partial.body == b"x" * 1024


async def test_a_bomb_keeps_only_the_decoded_cap(feed_server: FeedServer) -> None:
    url = feed_server.add("/bomb", b"<" * 3_000_000, gzip=True)
    config = FeedsSection(allow_private_addresses=True, max_decoded_bytes=100_000)
    async with FeedFetcher(config) as fetcher:
        with pytest.raises(FeedTooLarge, match="decoded") as info:
            await fetcher.fetch(url)
    assert info.value.partial.body == b"<" * 100_000


async def test_redirects_are_followed_up_to_the_limit(feed_server: FeedServer) -> None:
    feed_server.add("/final", fixture("world.xml"))
    feed_server.redirect("/r1", "/final")
    feed_server.redirect("/r2", "/r1", status=301)
    feed_server.redirect("/r3", "/r2")
    config = FeedsSection(allow_private_addresses=True, max_redirects=2)
    async with FeedFetcher(config) as fetcher:
        result = await fetcher.fetch(feed_server.url("/r2"))
        assert result.url == feed_server.url("/final")
        with pytest.raises(FeedRejected, match="more than 2 redirects"):
            await fetcher.fetch(feed_server.url("/r3"))


async def test_redirect_to_another_scheme_is_refused(feed_server: FeedServer) -> None:
    feed_server.redirect("/sneaky", "file:///etc/passwd")
    async with FeedFetcher(ALLOW) as fetcher:
        with pytest.raises(FeedRejected, match="only http"):
            await fetcher.fetch(feed_server.url("/sneaky"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "gopher://x/"])
async def test_non_http_urls_are_refused(url: str) -> None:
    async with FeedFetcher(ALLOW) as fetcher:
        with pytest.raises(FeedRejected, match="only http"):
            await fetcher.fetch(url)


async def test_loopback_is_refused_unless_allowed(feed_server: FeedServer) -> None:
    url = feed_server.add("/w", fixture("world.xml"))
    async with FeedFetcher(FeedsSection()) as fetcher:
        with pytest.raises(FeedRejected, match="non-public address"):
            await fetcher.fetch(url)
        with pytest.raises(FeedRejected, match="non-public address"):
            await fetcher.fetch(url.replace("127.0.0.1", "localhost"))
    assert feed_server.requests == []  # refused before connecting


@pytest.mark.parametrize("url", ["http://10.1.2.3/feed", "http://192.168.1.1/feed",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]:80/",
                                 "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/"])
async def test_private_and_special_addresses_are_refused(url: str) -> None:
    async with FeedFetcher(FeedsSection()) as fetcher:
        with pytest.raises(FeedRejected, match="non-public"):
            await fetcher.fetch(url)


async def test_http_errors_carry_the_status(feed_server: FeedServer) -> None:
    async with FeedFetcher(ALLOW) as fetcher:
        with pytest.raises(FeedRejected, match="HTTP 404") as info:
            await fetcher.fetch(feed_server.url("/missing"))
    assert info.value.status == 404


async def test_a_slow_server_hits_the_deadline(feed_server: FeedServer) -> None:
    url = feed_server.add("/slow", fixture("world.xml"), delay=3.0)
    async with FeedFetcher(FeedsSection(allow_private_addresses=True, timeout=0.5)) as fetcher:
        with pytest.raises(FeedRejected, match=r"within 0.5 s|Timeout"):
            await fetcher.fetch(url)


async def test_refused_connection_is_a_feed_error() -> None:
    from tests.support.broker import free_port

    async with FeedFetcher(ALLOW) as fetcher:
        with pytest.raises(FeedRejected, match="Connect"):
            await fetcher.fetch(f"http://127.0.0.1:{free_port()}/feed")


async def test_a_hostname_is_pinned_to_its_checked_address_and_kept_as_host(
        feed_server: FeedServer) -> None:
    # (Where "localhost" also resolves to ::1 first, the IPv4 address is tried next.)
    url = feed_server.add("/w", fixture("world.xml")).replace("127.0.0.1", "localhost")
    async with FeedFetcher(ALLOW) as fetcher:
        result = await fetcher.fetch(url)
    assert result.status == 200
    assert feed_server.requests[-1][1]["Host"] == f"localhost:{feed_server.port}"
