"""Timers end to end: the real dispatcher and database, the fake Services clock, a real broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from agent.daemon.core import Core
from agent.db.models import Timer
from tests.skills_timers.support import FakeClock, Watcher, household, opened
from tests.support.broker import Broker
from tests.support.waiting import until

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 in Berlin


async def say(core: Core, text: str, *, dry_run: bool = False) -> tuple[str, dict[str, object]]:
    result = await core.dispatcher.handle_text(text, dry_run=dry_run)
    assert result.route == "intent" and result.skill == "timers", (text, result)
    assert result.reply is not None
    return result.reply.text, dict(result.reply.data)


def rows(core: Core) -> list[Timer]:
    return core.db.read_sync(lambda s: list(s.scalars(select(Timer).order_by(Timer.started_at))))


async def test_a_timer_rings_once_on_mqtt(
        running_broker: Broker, state_dir: Path, topic_prefix: str) -> None:
    clock = FakeClock(START)
    config = household(state_dir, broker=running_broker, prefix=topic_prefix)
    watcher = Watcher(running_broker)
    try:
        async with opened(config, state_dir, clock) as core:
            text, data = await say(core, "set a timer for 10 minutes")
            assert text == "Timer set for 10 minutes."
            assert data["op"] == "timer.start" and data["duration_s"] == 600
            started = await watcher.take(f"{topic_prefix}/timer", wait=5)
            assert [m["event"] for m in started] == ["started"]
            await clock.advance(599)
            assert await watcher.take(f"{topic_prefix}/timer", wait=0.5) == []
            await clock.advance(1)
            done = await watcher.take(f"{topic_prefix}/timer", wait=5)
            assert len(done) == 1
            msg = done[0]
            assert msg["event"] == "finished" and msg["id"] == data["id"]
            assert msg["duration_s"] == 600 and msg["late_s"] == 0
            assert msg["ended_at"] == (START + timedelta(minutes=10)).isoformat()
            assert msg["text"] == "The 10 minute timer is done."
            await until(lambda: rows(core)[0].announced)
            assert rows(core)[0].status == "finished"
            await clock.advance(3600)
            assert await watcher.take(f"{topic_prefix}/timer", wait=1) == []
        # The briefing's own notifiers (retained topic, latest.md) are left alone.
        assert f"{topic_prefix}/briefing" not in watcher.seen
        assert not (state_dir / "briefings").exists()
    finally:
        watcher.close()


async def test_a_reminder_is_announced_never_run(
        running_broker: Broker, state_dir: Path, topic_prefix: str) -> None:
    clock = FakeClock(START)
    config = household(state_dir, broker=running_broker, prefix=topic_prefix, notifiers=())
    watcher = Watcher(running_broker)
    try:
        async with opened(config, state_dir, clock) as core:
            text, data = await say(core, "remind me to turn on the kitchen light in 5 minutes")
            assert text == "I'll remind you to turn on the kitchen light in 5 minutes."
            assert data["command"] == "turn on the kitchen light"
            await clock.advance(300)
            done = [m for m in await watcher.take(f"{topic_prefix}/timer") if m["event"] == "finished"]
            assert [m["text"] for m in done] == ["Reminder: turn on the kitchen light."]
            assert done[0]["command"] == "turn on the kitchen light"
        assert "zigbee2mqtt/kitchen_light/set" not in watcher.seen
    finally:
        watcher.close()


async def test_a_restart_keeps_the_end_time(
        running_broker: Broker, state_dir: Path, topic_prefix: str) -> None:
    clock = FakeClock(START)
    config = household(state_dir, broker=running_broker, prefix=topic_prefix, notifiers=())
    async with opened(config, state_dir, clock) as core:
        await say(core, "set a 10 minute timer called pasta")
    clock.current = START + timedelta(minutes=4)
    watcher = Watcher(running_broker)
    try:
        async with opened(config, state_dir, clock) as core:
            text, _ = await say(core, "how much time is left on the pasta timer")
            assert text == "The pasta timer has 6 minutes left."
            await clock.advance(359)
            assert [m for m in await watcher.take(f"{topic_prefix}/timer", wait=0.5)
                    if m["event"] == "finished"] == []
            await clock.advance(1)
            done = await watcher.take(f"{topic_prefix}/timer")
            assert [(m["event"], m["name"], m["late_s"]) for m in done] == [
                ("finished", "pasta", 0)]
            assert done[0]["text"] == "The pasta timer is done."
    finally:
        watcher.close()


async def test_a_timer_that_ended_while_hearth_was_off_is_announced_once(
        running_broker: Broker, state_dir: Path, topic_prefix: str) -> None:
    clock = FakeClock(START)
    config = household(state_dir, broker=running_broker, prefix=topic_prefix, notifiers=())
    async with opened(config, state_dir, clock) as core:
        await say(core, "set a timer for 10 minutes")
    clock.current = START + timedelta(minutes=30)
    watcher = Watcher(running_broker)
    try:
        async with opened(config, state_dir, clock) as core:
            done = await watcher.take(f"{topic_prefix}/timer")
            assert len(done) == 1 and done[0]["late_s"] == 20 * 60
            assert done[0]["text"] == ("The 10 minute timer is done. It ended at 6:10 pm "
                                       "while hearth was off.")
            await until(lambda: rows(core)[0].announced)
        async with opened(config, state_dir, clock):
            assert await watcher.take(f"{topic_prefix}/timer", wait=1) == []
    finally:
        watcher.close()


async def test_a_claimed_but_unannounced_timer_is_announced_at_the_next_start(
        running_broker: Broker, state_dir: Path, topic_prefix: str) -> None:
    # Hearth stopped between claiming the timer and recording the announcement: it may
    # repeat, it must not be lost.
    clock = FakeClock(START)
    config = household(state_dir, broker=running_broker, prefix=topic_prefix, notifiers=())
    async with opened(config, state_dir, clock, broker=False) as core:
        await say(core, "set a timer for 1 minute")
        core.db.write_sync(lambda s: s.execute(
            Timer.__table__.update().values(status="finished", finished_at=START
                                            + timedelta(minutes=1))))
    watcher = Watcher(running_broker)
    try:
        async with opened(config, state_dir, clock) as core:
            done = await watcher.take(f"{topic_prefix}/timer")
            assert [m["event"] for m in done] == ["finished"]
            await until(lambda: rows(core)[0].announced)
    finally:
        watcher.close()


async def test_without_a_broker_a_timer_is_stored_but_not_rung(state_dir: Path) -> None:
    clock = FakeClock(START)
    async with opened(household(state_dir), state_dir, clock, broker=False) as core:
        text, _ = await say(core, "set a timer for 2 minutes")
        assert "hearth is not running" in text
        assert clock.sleeping == 0
        await clock.advance(300)
        assert rows(core)[0].status == "running"


async def test_pause_unpause_increase_decrease(state_dir: Path, running_broker: Broker,
                                               topic_prefix: str) -> None:
    clock = FakeClock(START)
    config = household(state_dir, broker=running_broker, prefix=topic_prefix, notifiers=())
    async with opened(config, state_dir, clock) as core:
        await say(core, "set a timer for 10 minutes")
        await clock.advance(120)
        assert (await say(core, "pause the timer"))[0] == (
            "The 10 minute timer is paused with 8 minutes left.")
        await clock.advance(3600)  # paused: time passing changes nothing
        assert rows(core)[0].status == "paused" and rows(core)[0].remaining_s == 480
        assert (await say(core, "add 2 minutes to the timer"))[0] == (
            "The 10 minute timer has 10 minutes left.")
        assert (await say(core, "resume the timer"))[0] == (
            "The 10 minute timer is running again: 10 minutes left.")
        await clock.advance(60)
        text, data = await say(core, "remove 5 minutes from the timer")
        assert text == "The 10 minute timer has 4 minutes left."
        assert data["delta_s"] == -300 and data["remaining_s"] == 240
        assert rows(core)[0].ends_at == clock.now() + timedelta(minutes=4)
        await clock.advance(239)
        assert rows(core)[0].status == "running"
        await clock.advance(1)
        await until(lambda: rows(core)[0].announced)
        assert (await say(core, "how much time is left on my timer"))[0] == "No timers are set."


async def test_two_timers_make_cancel_ask_which(state_dir: Path) -> None:
    clock = FakeClock(START)
    async with opened(household(state_dir), state_dir, clock, broker=False) as core:
        await say(core, "set a timer for 10 minutes")
        await say(core, "set a 5 minute timer called pasta")
        text, data = await say(core, "cancel the timer")
        assert text == ("Which timer: the 10 minute timer (10 minutes left) or the pasta "
                        "timer (5 minutes left)?")
        assert data["found"] == 2
        assert [r.status for r in rows(core)] == ["running", "running"]
        assert (await say(core, "cancel the pasta timer"))[0] == "The pasta timer is cancelled."
        assert (await say(core, "cancel the 10 minute timer"))[0] == (
            "The 10 minute timer is cancelled.")
        assert [r.status for r in rows(core)] == ["cancelled", "cancelled"]
        assert (await say(core, "cancel the timer"))[0] == "There is no timer."


async def test_cancel_all_and_status_of_several(state_dir: Path) -> None:
    clock = FakeClock(START)
    async with opened(household(state_dir), state_dir, clock, broker=False) as core:
        await say(core, "set a timer for 1 hour")
        await say(core, "set a timer for 90 seconds")
        text, data = await say(core, "how much time is left on my timers")
        assert text == ("The 1 hour timer has 1 hour left. The 1 minute 30 second timer has "
                        "1 minute 30 seconds left.")
        assert [t["remaining_s"] for t in data["timers"]] == [3600, 90]  # type: ignore[union-attr]
        assert (await say(core, "cancel all timers"))[0] == "Cancelled 2 timers."
        assert {r.status for r in rows(core)} == {"cancelled"}


async def test_durations_hearth_adds_and_limits(state_dir: Path) -> None:
    clock = FakeClock(START)
    async with opened(household(state_dir), state_dir, clock, broker=False) as core:
        assert (await say(core, "set a timer for an hour", dry_run=True))[1]["duration_s"] == 3600
        assert (await say(core, "set a timer for half an hour", dry_run=True))[1][
            "duration_s"] == 1800
        assert (await say(core, "set a timer for an hour and a half", dry_run=True))[1][
            "duration_s"] == 5400
        text, data = await say(core, "set a timer for 25 hours")
        assert text == "Timers last at most 24 hours; 25 hours is too long."
        assert data["op"] == "timer.refused"
        assert rows(core) == []  # the dry runs and the refusal stored nothing


async def test_no_more_than_fifty_running(state_dir: Path) -> None:
    clock = FakeClock(START)
    async with opened(household(state_dir), state_dir, clock, broker=False) as core:
        for minutes in range(1, 51):
            await say(core, f"set a timer for {minutes} minutes")
        text, _ = await say(core, "set a timer for 60 minutes")
        assert text == "50 timers are already set; cancel one first."
        assert len(rows(core)) == 50
