"""The time and the date in the household's zone (across DST), and "never mind"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.skills_timers.support import FakeClock, household, opened


@pytest.mark.parametrize(("utc", "time_said", "date_said"), [
    # Berlin leaves CET for CEST at 01:00 UTC on 29 March 2026: 01:59 is followed by 03:00.
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "It's 1:59 am.", "It's Sunday, 29 March."),
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "It's 3:00 am.", "It's Sunday, 29 March."),
    # 22:30 UTC on 24 October is already the 25th in Berlin (CEST, UTC+2).
    (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "It's 12:30 am.", "It's Sunday, 25 October."),
    (datetime(2026, 12, 1, 21, 42, tzinfo=UTC), "It's 10:42 pm.", "It's Tuesday, 1 December."),
])
async def test_time_and_date_are_the_households(state_dir: Path, utc: datetime, time_said: str,
                                                date_said: str) -> None:
    async with opened(household(state_dir), state_dir, FakeClock(utc), broker=False) as core:
        time_result = await core.dispatcher.handle_text("what time is it")
        assert (time_result.skill, time_result.text) == ("timers", time_said)
        for question in ("what's the date today", "what day is it"):
            result = await core.dispatcher.handle_text(question)
            assert (result.skill, result.text) == ("timers", date_said)
            assert result.reply is not None and result.reply.data["op"] == "date"


async def test_never_mind_does_nothing(state_dir: Path) -> None:
    clock = FakeClock(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    async with opened(household(state_dir), state_dir, clock, broker=False) as core:
        result = await core.dispatcher.handle_text("never mind")
        assert result.reply is not None
        assert (result.intent, result.text, dict(result.reply.data)) == (
            "HassNevermind", "OK.", {"op": "nevermind"})
