"""Quiet hours: what is held, what goes out at once, and release when the hours end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from agent.notifiers.events import Notice
from agent.notifiers.quiet import QuietHours
from tests.notifiers.conftest import ServerFactory, service, webhook

BERLIN = ZoneInfo("Europe/Berlin")


class Clock:
    def __init__(self, when: datetime) -> None:
        self.when = when

    def __call__(self) -> datetime:
        return self.when


def test_quiet_hours_that_wrap_midnight() -> None:
    night = QuietHours.parse("22:00-07:00")
    # 21:30 UTC is 22:30 in Berlin in winter; 05:59 UTC is 06:59; 06:00 UTC is 07:00.
    assert night.active(datetime(2026, 12, 2, 21, 30, tzinfo=UTC), BERLIN)
    assert night.active(datetime(2026, 12, 2, 5, 59, tzinfo=UTC), BERLIN)
    assert not night.active(datetime(2026, 12, 2, 6, 0, tzinfo=UTC), BERLIN)
    assert not night.active(datetime(2026, 12, 2, 20, 59, tzinfo=UTC), BERLIN)


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours.parse("12:00-13:30")
    assert lunch.active(datetime(2026, 7, 1, 10, 0, tzinfo=UTC), BERLIN)  # 12:00 CEST
    assert not lunch.active(datetime(2026, 7, 1, 11, 30, tzinfo=UTC), BERLIN)  # 13:30


def test_briefing_digest_budget_and_error_wait_pending_and_timer_do_not(
        push_server: ServerFactory) -> None:
    clock = Clock(datetime(2026, 12, 2, 23, 0, tzinfo=UTC))  # midnight in Berlin
    unused = push_server()  # the service is never started: nothing is delivered
    push = service([webhook("phone", unused, quiet_hours="22:00-07:00")], now=clock)
    for event in ("briefing", "digest", "budget", "error", "pending", "timer"):
        push.post(Notice(event, event, "text"))  # type: ignore[arg-type]
    (row,) = push.status()
    assert (row["held"], row["queued"]) == (4, 2)
    assert push.release_held() == 0  # still quiet
    clock.when = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert push.release_held() == 4
    (row,) = push.status()
    assert (row["held"], row["queued"]) == (0, 6)


async def test_held_notices_are_delivered_when_the_hours_end(push_server: ServerFactory) -> None:
    hook = push_server()
    clock = Clock(datetime(2026, 12, 2, 23, 0, tzinfo=UTC))
    push = service([webhook("phone", hook, quiet_hours="22:00-07:00")], now=clock,
                   release_every=0.05)
    await push.start()
    try:
        push.post(Notice("briefing", "Morning briefing", "held until seven"))
        push.post(Notice("timer", "Timer done", "at once"))
        (first,) = await asyncio.to_thread(hook.wait_for, 1)
        assert first.body["title"] == "Timer done"
        assert push.status()[0]["held"] == 1
        clock.when = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
        await asyncio.to_thread(hook.wait_for, 2)
    finally:
        await push.stop(timeout=5)
    assert hook.messages() == ["at once", "held until seven"]


def test_quiet_hours_keep_only_the_newest(push_server: ServerFactory) -> None:
    from agent.notifiers.push import HELD_SIZE

    clock = Clock(datetime(2026, 12, 2, 23, 0, tzinfo=UTC))
    push = service([webhook("phone", push_server(), quiet_hours="22:00-07:00")], now=clock)
    for i in range(HELD_SIZE + 3):
        push.post(Notice("error", "error", f"number {i}"))
    (row,) = push.status()
    assert (row["held"], row["dropped"]) == (HELD_SIZE, 3)
