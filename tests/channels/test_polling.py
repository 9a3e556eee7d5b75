"""Long polling survives what the network and Telegram do: a restart replays nothing, a 429
waits exactly its retry_after, an outage backs off (warning once) and recovers, a 409 is
named, and stop() ends a long poll at once."""

from __future__ import annotations

import logging

import pytest

from agent.channels.telegram.offset import OffsetStore
from tests.channels.conftest import ME, HouseFactory, texts
from tests.support.waiting import until


async def test_a_restart_does_not_replay_handled_updates(house: HouseFactory) -> None:
    async with house() as h:
        first = h.fake.message(ME, "turn off the kitchen light")
        assert (await h.peer.expect(f"{h.prefix}/dev/kitchen/set")).payload == b"OFF"
        await until(lambda: texts(h.fake, ME))
        await h.channel.stop()
        # The process dies before Telegram heard the confirmation: it hands the update over
        # again; the new channel (same state directory) must not act on it.
        h.fake.redeliver(first)
        h.channel = h.new_channel()
        await h.channel.start()
        h.fake.message(ME, "turn on the kitchen light")
        assert (await h.peer.expect(f"{h.prefix}/dev/kitchen/set")).payload == b"ON"
        assert await h.peer.nothing_on(f"{h.prefix}/dev/kitchen/set", 0.3) == []
        polls = h.fake.calls_of("getUpdates")
        assert any(p.get("offset") == first + 1 for p in polls)
        assert OffsetStore(h.state_dir).last == first + 1
        assert h.channel.status()["messages"] == 1


async def test_an_update_is_saved_before_it_is_handled_even_when_redelivered_in_a_run(
        house: HouseFactory) -> None:
    async with house() as h:
        first = h.fake.message(ME, "turn off the kitchen light")
        await h.peer.expect(f"{h.prefix}/dev/kitchen/set")
        h.fake.redeliver(first)  # Telegram misbehaving: the in-memory mark still holds
        h.fake.message(ME, "/help")
        await until(lambda: any("Hearth here" in t for t in texts(h.fake, ME)))
        assert await h.peer.nothing_on(f"{h.prefix}/dev/kitchen/set", 0.2) == []


async def test_a_429_waits_its_retry_after(house: HouseFactory,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with house() as h:
        await until(lambda: h.fake.calls_of("getUpdates"))
        h.fake.fail("getUpdates", 429, "Too Many Requests: retry after 7", retry_after=7)
        h.fake.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
        h.fake.message(ME, "turn off the kitchen light")
        await h.peer.expect(f"{h.prefix}/dev/kitchen/set")
        await until(lambda: len(h.fake.calls_of("sendMessage")) == 2)  # refused, then sent
        assert 7 in h.sleeps.waits and 3 in h.sleeps.waits
        assert len(texts(h.fake, ME)) == 2 and texts(h.fake, ME)[0] == texts(h.fake, ME)[1]
        assert any("retry after 7" in r.getMessage() for r in caplog.records)


async def test_an_outage_backs_off_warns_once_and_recovers(
        house: HouseFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="agent.channels")
    async with house() as h:
        await until(lambda: h.channel.status()["state"] == "polling")
        h.fake.stop()
        await until(lambda: len(h.sleeps.waits) >= 4)
        status = h.channel.status()
        assert status["state"] == "offline" and "cannot reach" in status["last_error"]
        assert h.sleeps.waits[:3] == sorted(h.sleeps.waits[:3])  # backing off, not spinning
        h.fake.start()
        h.fake.message(ME, "turn off the kitchen light")
        assert (await h.peer.expect(f"{h.prefix}/dev/kitchen/set")).payload == b"OFF"
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1, [r.getMessage() for r in warnings]
        assert any("polling again" in r.getMessage() for r in caplog.records)


async def test_a_conflict_and_a_refused_token_are_named(
        house: HouseFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="agent.channels")
    async with house() as h:
        await until(lambda: h.fake.calls_of("getUpdates"))
        h.fake.fail("getUpdates", 409, "Conflict: terminated by other getUpdates request; "
                                       "make sure that only one bot instance is running")
        h.fake.fail("getUpdates", 401, "Unauthorized")
        await until(lambda: h.channel.status()["state"] == "token_refused")
        said = [r.getMessage() for r in caplog.records]
        assert any("409 Conflict" in m and "another program polls this bot" in m for m in said)
        assert any("401 Unauthorized" in m and "check telegram.token" in m for m in said)
        h.fake.message(ME, "/help")
        await until(lambda: texts(h.fake, ME))
        assert h.channel.status()["state"] == "polling"


async def test_stop_ends_a_long_poll_at_once(house: HouseFactory) -> None:
    async with house(poll_timeout=60) as h:
        await until(lambda: h.fake.calls_of("getUpdates"))
        await h.channel.stop()  # with the 120 s test timeout, a hang here fails the test
        assert h.channel.status()["state"] == "stopped"
